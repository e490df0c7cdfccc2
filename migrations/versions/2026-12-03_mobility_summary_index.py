"""mobility_counts: a covering index for summaries grouped by participant and mode

Revision ID: 0014p
Revises: 0014e
Create Date: 2026-12-03 20:00:00
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0014p'
down_revision: str | None = '0014e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Grouping columns first: SQLite reads the groups in index order (a skip-scan over the
    # few participants and modes, no temporary B-tree), every column a summary needs within.
    op.create_index(
        'ix_mobility_counts_summary',
        'mobility_counts',
        ['participant', 'mode', 'network_id', 'period', 'eqf_level', 'count'],
    )


def downgrade() -> None:
    op.drop_index('ix_mobility_counts_summary', table_name='mobility_counts')
