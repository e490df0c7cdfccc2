"""users.language: the language a person reads a network's content in (e-mails, reminders)

Revision ID: 0013a
Revises: 0012i
Create Date: 2026-12-03 18:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013a'
down_revision: str | None = '0012i'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for everyone: each network's default language, as before.
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
