"""content in several languages: a network's languages, translations beside each record's text

Revision ID: 0012i
Revises: 0011a
Create Date: 2026-12-03 17:20:00

Existing networks hold their content in English (``["en"]``, default ``en``). The records whose
text a network may translate (plans, objectives, actions, measures, milestones, communities,
badges, programmes) get a ``translations`` column, NULL until a translation is written: their
own columns keep holding the default language's text (app/core/i18n.py).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012i'
down_revision: str | None = '0012a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRANSLATED = (
    'plans',
    'objectives',
    'actions',
    'measures',
    'milestones',
    'communities',
    'badges',
    'programmes',
)


def upgrade() -> None:
    with op.batch_alter_table('networks') as batch:
        batch.add_column(sa.Column('languages', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('default_language', sa.String(length=35), nullable=True))
    op.execute("UPDATE networks SET languages = '[\"en\"]', default_language = 'en'")
    with op.batch_alter_table('networks') as batch:
        batch.alter_column('languages', existing_type=sa.JSON(), nullable=False)
        batch.alter_column('default_language', existing_type=sa.String(length=35), nullable=False)
    for table in TRANSLATED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('translations', sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in TRANSLATED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('translations')
    with op.batch_alter_table('networks') as batch:
        batch.drop_column('default_language')
        batch.drop_column('languages')
