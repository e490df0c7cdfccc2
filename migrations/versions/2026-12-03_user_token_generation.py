"""users.token_generation: a password change or deactivation ends every earlier token

Revision ID: 0009b
Revises: 0009d
Create Date: 2026-12-01 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009b'
down_revision: str | None = '0009d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing users are of generation 0, as are tokens issued before (they carry no ``gen``).
    with op.batch_alter_table('users') as batch:
        batch.add_column(
            sa.Column('token_generation', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('token_generation')
