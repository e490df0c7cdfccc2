"""Issuer endorsements: an endorsement's subject is a badge or an issuer (a badge network);
badge_endorsements.badge_id becomes optional, subject_network_id names the endorsed issuer,
and exactly one of the two is set (existing rows keep their badge)

Revision ID: 0014e
Revises: 0013a
Create Date: 2026-12-03 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0014e'
down_revision: str | None = '0013a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
ONE_SUBJECT = '(badge_id IS NULL) <> (subject_network_id IS NULL)'


def upgrade() -> None:
    with op.batch_alter_table('badge_endorsements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_network_id', ID, nullable=True))
        batch_op.alter_column('badge_id', existing_type=ID, nullable=True)
        batch_op.create_index(
            batch_op.f('ix_badge_endorsements_subject_network_id'),
            ['subject_network_id'],
            unique=False,
        )
        batch_op.create_foreign_key(
            'fk_badge_endorsements_subject_network_id', 'networks', ['subject_network_id'], ['id']
        )
        batch_op.create_check_constraint('ck_badge_endorsements_one_subject', ONE_SUBJECT)


def downgrade() -> None:
    # An issuer endorsement has no badge to fall back to: it goes.
    op.execute(sa.text('DELETE FROM badge_endorsements WHERE badge_id IS NULL'))
    with op.batch_alter_table('badge_endorsements', schema=None) as batch_op:
        batch_op.drop_constraint('ck_badge_endorsements_one_subject', type_='check')
        batch_op.drop_constraint('fk_badge_endorsements_subject_network_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_badge_endorsements_subject_network_id'))
        batch_op.drop_column('subject_network_id')
        batch_op.alter_column('badge_id', existing_type=ID, nullable=False)
