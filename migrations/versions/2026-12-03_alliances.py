"""A network in several alliances (network_links, the DAG of dated parent links, filled from
every parent_id), terms of office (term_ends_on, deputy_of, succeeded) and the SEIL role
renamed improvement_leader (roles and invitations that carry SEIL functions)

Revision ID: 0012a
Revises: 0011a
Create Date: 2026-12-03 17:30:00
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012a'
down_revision: str | None = '0012e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('network_links',
    sa.Column('id', ID, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('child_id', ID, nullable=False),
    sa.Column('parent_id', ID, nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_user_id', ID, nullable=True),
    sa.Column('ended_by_user_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ended_by_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_network_links_child_until', 'network_links', ['child_id', 'until'], unique=False)
    op.create_index('ix_network_links_parent_until', 'network_links', ['parent_id', 'until'], unique=False)
    op.create_index(op.f('ix_network_links_updated_at'), 'network_links', ['updated_at'], unique=False)
    # Every parent_id becomes a link live since the child network was made.
    op.execute(
        "INSERT INTO network_links (created_at, updated_at, version, child_id, parent_id, since,"
        " created_by_user_id) SELECT created_at, created_at, 1, id, parent_id, created_at,"
        " created_by_user_id FROM networks WHERE parent_id IS NOT NULL"
    )
    with op.batch_alter_table('role_assignments') as batch_op:
        batch_op.add_column(sa.Column('term_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deputy_of', ID, nullable=True))
        batch_op.add_column(sa.Column('succeeded', ID, nullable=True))
        batch_op.create_foreign_key('fk_role_assignments_deputy_of', 'role_assignments', ['deputy_of'], ['id'])
        batch_op.create_foreign_key('fk_role_assignments_succeeded', 'role_assignments', ['succeeded'], ['id'])
    # The SEIL was stored as the generic `facilitator` role, the only role allowed SEIL
    # functions: a facilitator carrying functions is a SEIL. A facilitator without them (the
    # West Partnership's CLN facilitator, the NoN's) is a true facilitator and stays one.
    _rename_seils('facilitator', 'improvement_leader')


def _rename_seils(old: str, new: str, *, all_of_them: bool = False) -> None:
    bind = op.get_bind()
    for table in ('role_assignments', 'invitations'):
        rows = bind.execute(
            sa.text(f"SELECT id, functions FROM {table} WHERE role = :old"), {"old": old}  # noqa: S608
        ).all()
        for row_id, functions in rows:
            if isinstance(functions, str):
                functions = json.loads(functions)
            if functions or all_of_them:
                bind.execute(
                    sa.text(f"UPDATE {table} SET role = :new WHERE id = :id"),  # noqa: S608
                    {"new": new, "id": row_id},
                )
                if table == 'invitations':  # an invitation's offer names its role in its terms too
                    _rename_in_terms(row_id, new)


_INVITATIONS = sa.table('invitations', sa.column('id', sa.Integer()), sa.column('terms', sa.JSON()))


def _rename_in_terms(row_id: int, new: str) -> None:
    bind = op.get_bind()
    terms = bind.execute(sa.select(_INVITATIONS.c.terms).where(_INVITATIONS.c.id == row_id)).scalar()
    if isinstance(terms, str):
        terms = json.loads(terms)
    if isinstance(terms, dict) and 'role' in terms:
        bind.execute(
            _INVITATIONS.update().where(_INVITATIONS.c.id == row_id).values(terms={**terms, 'role': new})
        )


def downgrade() -> None:
    _rename_seils('improvement_leader', 'facilitator', all_of_them=True)
    with op.batch_alter_table('role_assignments') as batch_op:
        batch_op.drop_constraint('fk_role_assignments_succeeded', type_='foreignkey')
        batch_op.drop_constraint('fk_role_assignments_deputy_of', type_='foreignkey')
        batch_op.drop_column('succeeded')
        batch_op.drop_column('deputy_of')
        batch_op.drop_column('term_ends_on')
    op.drop_index(op.f('ix_network_links_updated_at'), table_name='network_links')
    op.drop_index('ix_network_links_parent_until', table_name='network_links')
    op.drop_index('ix_network_links_child_until', table_name='network_links')
    op.drop_table('network_links')
