"""login attempt counters (log-in limits without Redis)

Revision ID: 0009d
Revises: 0009e
Create Date: 2026-12-01 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009d'
down_revision: str | None = '0009e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_counters',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('login_counters') as batch:
        batch.create_index('ix_login_counters_expires_at', ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_counters') as batch:
        batch.drop_index('ix_login_counters_expires_at')
    op.drop_table('login_counters')
