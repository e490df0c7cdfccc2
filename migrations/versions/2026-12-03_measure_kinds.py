"""measure kinds: numeric, binary, qualitative

Revision ID: 0010a
Revises: 0009b
Create Date: 2026-12-01 10:00:00

Existing measures get a kind by the rule new measures default to (docs/plans.md): a measure
with a target is ``numeric``; a manual measure without a target is ``binary`` (done once a
reading of 1 is recorded, e.g. "A Memorandum of Understanding"); a derived measure without a
target stays ``numeric`` (a count is judged against a target; it reads ``no_data`` until one is
set). Nothing is ``qualitative`` until someone says so.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010a'
down_revision: str | None = '0009b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('measures') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), nullable=True))
    op.execute(
        "UPDATE measures SET kind = CASE "
        "WHEN target_comparator IS NULL AND source = 'manual' THEN 'binary' "
        "ELSE 'numeric' END"
    )
    with op.batch_alter_table('measures') as batch:
        batch.alter_column('kind', existing_type=sa.String(length=12), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('measures') as batch:
        batch.drop_column('kind')
