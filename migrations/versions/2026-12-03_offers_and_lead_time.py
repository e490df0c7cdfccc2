"""Invitations offer more than roles (offer, offer_title, terms; role optional); a network's
reminder lead time (reminder_days_ahead)

Revision ID: 0012n
Revises: 0011a
Create Date: 2026-12-03 17:30:00
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012n'
down_revision: str | None = '0011a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE_NAMES = {
    "chair": "chair",
    "executive": "an executive member",
    "facilitator": "a facilitator",
    "member": "a member",
}


def upgrade() -> None:
    with op.batch_alter_table('invitations') as batch:
        batch.add_column(sa.Column('offer', sa.String(length=30), nullable=False, server_default='role'))
        batch.add_column(sa.Column('offer_title', sa.String(length=300), nullable=False, server_default=''))
        batch.add_column(sa.Column('terms', sa.JSON(), nullable=True))
        batch.alter_column('role', existing_type=sa.String(length=20), nullable=True)
    # Existing invitations are role offers: their terms are their role and functions.
    invitations = sa.table(
        'invitations',
        sa.column('id', sa.BigInteger()),
        sa.column('role', sa.String()),
        sa.column('functions', sa.JSON()),
        sa.column('offer_title', sa.String()),
        sa.column('terms', sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(invitations.c.id, invitations.c.role, invitations.c.functions)).all()
    for id_, role, functions in rows:
        if isinstance(functions, str):
            functions = json.loads(functions)
        connection.execute(
            invitations.update()
            .where(invitations.c.id == id_)
            .values(
                offer_title=ROLE_NAMES.get(role, role or ''),
                terms={'role': role, 'functions': list(functions or [])},
            )
        )
    connection.execute(invitations.update().where(invitations.c.terms.is_(None)).values(terms={}))
    with op.batch_alter_table('invitations') as batch:
        batch.alter_column('terms', existing_type=sa.JSON(), nullable=False)
        batch.alter_column('offer', existing_type=sa.String(length=30), server_default=None)
        batch.alter_column('offer_title', existing_type=sa.String(length=300), server_default=None)
    with op.batch_alter_table('networks') as batch:
        batch.add_column(sa.Column('reminder_days_ahead', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('networks') as batch:
        batch.drop_column('reminder_days_ahead')
    op.execute("DELETE FROM invitations WHERE role IS NULL")
    with op.batch_alter_table('invitations') as batch:
        batch.alter_column('role', existing_type=sa.String(length=20), nullable=False)
        batch.drop_column('terms')
        batch.drop_column('offer_title')
        batch.drop_column('offer')
