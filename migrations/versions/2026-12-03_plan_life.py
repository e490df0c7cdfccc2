"""plan life: check-ins, closing (final snapshot), copies (copied_from_id links)

Revision ID: 0010b
Revises: 0010a
Create Date: 2026-12-03 10:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010b'
down_revision: str | None = '0010a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
LINKED = ('objectives', 'actions', 'measures', 'milestones')


def upgrade() -> None:
    op.create_table('check_ins',
    sa.Column('id', ID, nullable=False),
    sa.Column('plan_id', ID, nullable=False),
    sa.Column('objective_id', ID, nullable=True),
    sa.Column('measure_id', ID, nullable=True),
    sa.Column('rating', sa.String(length=5), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_kind', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index('ix_check_ins_plan_recorded_on', ['plan_id', 'recorded_on'], unique=False)
        batch_op.create_index('ix_check_ins_objective_recorded_on', ['objective_id', 'recorded_on'], unique=False)
        batch_op.create_index('ix_check_ins_measure_recorded_on', ['measure_id', 'recorded_on'], unique=False)

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('copied_from_id', ID, nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('final_progress', sa.JSON(), nullable=True))
    for table in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('copied_from_id', ID, nullable=True))


def downgrade() -> None:
    for table in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('copied_from_id')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('final_progress')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('copied_from_id')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_check_ins_measure_recorded_on')
        batch_op.drop_index('ix_check_ins_objective_recorded_on')
        batch_op.drop_index('ix_check_ins_plan_recorded_on')
    op.drop_table('check_ins')
