"""URL columns hold a URL's normal form whole: four times what a client may send

Revision ID: 0010d
Revises: 0010c
Create Date: 2026-12-03 14:10:00

A client may send a URL of up to the documented ``maxLength`` (500 for a website, 2000 for other
links); normalising can lengthen it (a ``/`` added, characters %-encoded), so a URL the schema
allowed was refused when its normal form no longer fitted the column. The columns grow; no value
changes.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010d'
down_revision: str | None = '0010c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ('organisations', 'website', 500, 2000, True),
    ('badges', 'image_url', 2000, 8000, True),
    ('milestone_evidence', 'url', 2000, 8000, True),
    ('webhook_subscriptions', 'url', 2000, 8000, False),
)


def upgrade() -> None:
    for table, column, old, new, nullable in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(old),
                type_=sa.String(new),
                existing_nullable=nullable,
            )


def downgrade() -> None:
    for table, column, old, new, nullable in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(new),
                type_=sa.String(old),
                existing_nullable=nullable,
            )
