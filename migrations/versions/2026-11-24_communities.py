"""create communities

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cohorts',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('launch_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('target_size_min', sa.Integer(), nullable=True),
    sa.Column('target_size_max', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohorts_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohorts_updated_at'), ['updated_at'], unique=False)

    op.create_table('cohort_enrolments',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cohort_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('enquiry', sa.Text(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cohort_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_cohort_enrolments_cohort_withdrawn', ['cohort_id', 'withdrawn_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_enrolments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_enrolments_updated_at'), ['updated_at'], unique=False)

    op.create_table('communities',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('focus_area', sa.String(length=300), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('meeting_frequency', sa.String(length=200), nullable=True),
    sa.Column('meeting_duration_minutes', sa.Integer(), nullable=True),
    sa.Column('meeting_format', sa.String(length=10), nullable=True),
    sa.Column('development_plan', sa.Text(), nullable=True),
    sa.Column('cohort_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communities_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_communities_network_kind_status', ['network_id', 'kind', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_communities_updated_at'), ['updated_at'], unique=False)

    op.create_table('matching_proposals',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cohort_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('max_size', sa.Integer(), nullable=False),
    sa.Column('organisation_ids', sa.JSON(), nullable=False),
    sa.Column('teams', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('community_ids', sa.JSON(), nullable=False),
    sa.Column('created_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('matching_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_proposals_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_proposals_updated_at'), ['updated_at'], unique=False)

    op.create_table('community_meetings',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('attendee_user_ids', sa.JSON(), nullable=False),
    sa.Column('attendee_names', sa.JSON(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('evaluative_statements', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_community_meetings_community_held', ['community_id', 'held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_meetings_updated_at'), ['updated_at'], unique=False)

    op.create_table('community_members',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (organisation_id IS NULL)', name='ck_community_members_one'),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_members', schema=None) as batch_op:
        batch_op.create_index('ix_community_members_community_left', ['community_id', 'left_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_members_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_members_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_members_user_id'), ['user_id'], unique=False)

    op.create_table('community_networks',
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('community_id', 'network_id')
    )
    with op.batch_alter_table('community_networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_networks_network_id'), ['network_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('community_networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_networks_network_id'))

    op.drop_table('community_networks')

    with op.batch_alter_table('community_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_community_members_updated_at'))
        batch_op.drop_index(batch_op.f('ix_community_members_organisation_id'))
        batch_op.drop_index('ix_community_members_community_left')

    op.drop_table('community_members')

    with op.batch_alter_table('community_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_meetings_updated_at'))
        batch_op.drop_index('ix_community_meetings_community_held')

    op.drop_table('community_meetings')

    with op.batch_alter_table('matching_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_proposals_updated_at'))
        batch_op.drop_index(batch_op.f('ix_matching_proposals_cohort_id'))

    op.drop_table('matching_proposals')

    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communities_updated_at'))
        batch_op.drop_index('ix_communities_network_kind_status')
        batch_op.drop_index(batch_op.f('ix_communities_cohort_id'))

    op.drop_table('communities')

    with op.batch_alter_table('cohort_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_enrolments_updated_at'))
        batch_op.drop_index(batch_op.f('ix_cohort_enrolments_organisation_id'))
        batch_op.drop_index('ix_cohort_enrolments_cohort_withdrawn')

    op.drop_table('cohort_enrolments')

    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohorts_updated_at'))
        batch_op.drop_index(batch_op.f('ix_cohorts_network_id'))

    op.drop_table('cohorts')
