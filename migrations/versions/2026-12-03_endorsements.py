"""Endorsed badges: badge_endorsements (Open Badges 3.0 EndorsementCredential), signing keys
for organisations (badge_issuer_keys.organisation_id; network_id becomes optional), and a
share-page token on every award (existing awards get a random one)

Revision ID: 0012e
Revises: 0011a
Create Date: 2026-12-03 17:20:00
"""
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012e'
down_revision: str | None = '0012n'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('badge_endorsements',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', ID, nullable=False),
    sa.Column('badge_id', ID, nullable=False),
    sa.Column('network_id', ID, nullable=False),
    sa.Column('endorser_network_id', ID, nullable=True),
    sa.Column('endorser_organisation_id', ID, nullable=True),
    sa.Column('endorser_name', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('credential', sa.JSON(), nullable=False),
    sa.Column('credential_jwt', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=100), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('endorsed_by_user_id', ID, nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], ),
    sa.ForeignKeyConstraint(['endorsed_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['endorser_network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['endorser_organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credential_id')
    )
    with op.batch_alter_table('badge_endorsements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_endorsements_badge_id'), ['badge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_endorsements_endorser_network_id'), ['endorser_network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_endorsements_endorser_organisation_id'), ['endorser_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_endorsements_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('badge_issuer_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', ID, nullable=True))
        batch_op.alter_column('network_id', existing_type=ID, nullable=True)
        batch_op.create_index(batch_op.f('ix_badge_issuer_keys_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key('fk_badge_issuer_keys_organisation_id', 'organisations', ['organisation_id'], ['id'])

    # Every existing award gets its share-page token (128 random bits) before the column
    # becomes required.
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_token', sa.String(length=40), nullable=True))
    awards = sa.table('badge_awards', sa.column('id', ID), sa.column('share_token', sa.String(40)))
    bind = op.get_bind()
    for (award_id,) in bind.execute(sa.select(awards.c.id)).all():
        bind.execute(
            awards.update()
            .where(awards.c.id == award_id)
            .values(share_token=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.alter_column('share_token', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint('uq_badge_awards_share_token', ['share_token'])


def downgrade() -> None:
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.drop_constraint('uq_badge_awards_share_token', type_='unique')
        batch_op.drop_column('share_token')
    op.execute(sa.text('DELETE FROM badge_issuer_keys WHERE network_id IS NULL'))
    with op.batch_alter_table('badge_issuer_keys', schema=None) as batch_op:
        batch_op.drop_constraint('fk_badge_issuer_keys_organisation_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_badge_issuer_keys_organisation_id'))
        batch_op.alter_column('network_id', existing_type=ID, nullable=False)
        batch_op.drop_column('organisation_id')
    with op.batch_alter_table('badge_endorsements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_endorsements_updated_at'))
        batch_op.drop_index(batch_op.f('ix_badge_endorsements_endorser_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_badge_endorsements_endorser_network_id'))
        batch_op.drop_index(batch_op.f('ix_badge_endorsements_badge_id'))
    op.drop_table('badge_endorsements')
