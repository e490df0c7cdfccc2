"""incremental sync: updated_at on webhook deliveries, change-time indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added nullable, filled from the latest time the row is known to have changed, then
    # made NOT NULL (batch mode, so SQLite rebuilds the table).
    with op.batch_alter_table('webhook_deliveries') as batch:
        batch.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        'UPDATE webhook_deliveries SET updated_at = COALESCE(last_attempt_at, created_at)'
    )
    with op.batch_alter_table('webhook_deliveries') as batch:
        batch.alter_column('updated_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_index(
            'ix_webhook_deliveries_subscription_updated', ['subscription_id', 'updated_at']
        )
    op.create_index(
        'ix_mobility_counts_network_updated', 'mobility_counts', ['network_id', 'updated_at']
    )


def downgrade() -> None:
    op.drop_index('ix_mobility_counts_network_updated', table_name='mobility_counts')
    with op.batch_alter_table('webhook_deliveries') as batch:
        batch.drop_index('ix_webhook_deliveries_subscription_updated')
        batch.drop_column('updated_at')
