"""create plans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:37:34.256299
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plans',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('aim', sa.Text(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plans_updated_at'), ['updated_at'], unique=False)

    op.create_table('objectives',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('workstreams', sa.JSON(), nullable=False),
    sa.Column('responsible_group', sa.String(length=300), nullable=True),
    sa.Column('responsible_community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('role_of_partners', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objectives_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_objectives_plan_code', ['plan_id', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_objectives_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objectives_updated_at'), ['updated_at'], unique=False)

    op.create_table('actions',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('objective_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('owner_community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('owner_text', sa.String(length=300), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index('ix_actions_plan_status', ['plan_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_updated_at'), ['updated_at'], unique=False)

    op.create_table('measures',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('objective_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_comparator', sa.String(length=10), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_unit', sa.String(length=100), nullable=True),
    sa.Column('target_period', sa.String(length=10), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_params', sa.JSON(), nullable=False),
    sa.Column('update_frequency', sa.String(length=10), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measures_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measures_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measures_updated_at'), ['updated_at'], unique=False)

    op.create_table('action_status_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_kind', sa.String(length=20), nullable=False),
    sa.Column('changed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_status_changes_action_id'), ['action_id'], unique=False)

    op.create_table('measure_readings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('measure_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_kind', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('measure_readings', schema=None) as batch_op:
        batch_op.create_index('ix_measure_readings_measure_observed', ['measure_id', 'observed_on'], unique=False)

    op.create_table('milestones',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('objective_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_precision', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index('ix_milestones_plan_status_due', ['plan_id', 'status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_updated_at'), ['updated_at'], unique=False)

    op.create_table('milestone_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('milestone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_kind', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('milestone_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_evidence_milestone_id'), ['milestone_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('milestone_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_evidence_milestone_id'))

    op.drop_table('milestone_evidence')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_updated_at'))
        batch_op.drop_index('ix_milestones_plan_status_due')
        batch_op.drop_index(batch_op.f('ix_milestones_objective_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_action_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('measure_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_readings_measure_observed')

    op.drop_table('measure_readings')
    with op.batch_alter_table('action_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_status_changes_action_id'))

    op.drop_table('action_status_changes')
    with op.batch_alter_table('measures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measures_updated_at'))
        batch_op.drop_index(batch_op.f('ix_measures_plan_id'))
        batch_op.drop_index(batch_op.f('ix_measures_objective_id'))

    op.drop_table('measures')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_updated_at'))
        batch_op.drop_index('ix_actions_plan_status')
        batch_op.drop_index(batch_op.f('ix_actions_objective_id'))

    op.drop_table('actions')
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objectives_updated_at'))
        batch_op.drop_index(batch_op.f('ix_objectives_plan_id'))
        batch_op.drop_index('ix_objectives_plan_code')
        batch_op.drop_index(batch_op.f('ix_objectives_parent_id'))

    op.drop_table('objectives')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_updated_at'))
        batch_op.drop_index(batch_op.f('ix_plans_network_id'))

    op.drop_table('plans')
