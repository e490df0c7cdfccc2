"""milestone evidence may cite an evaluation (issue 16, seed 004)

Revision ID: 0010c
Revises: 0010b
Create Date: 2026-12-03 10:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010c'
down_revision: str | None = '0010b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('milestone_evidence') as batch:
        batch.add_column(
            sa.Column(
                'evaluation_id',
                sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('milestone_evidence') as batch:
        batch.drop_column('evaluation_id')
