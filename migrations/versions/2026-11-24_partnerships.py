"""create partnerships

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 06:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('partnerships',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=320), nullable=True),
    sa.Column('contact_role', sa.String(length=200), nullable=True),
    sa.Column('agreement_reference', sa.String(length=300), nullable=True),
    sa.Column('created_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.create_index('ix_partnerships_network_status', ['network_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_updated_at'), ['updated_at'], unique=False)

    op.create_table('programmes',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('partnership_ids', sa.JSON(), nullable=False),
    sa.Column('cohort_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_updated_at'), ['updated_at'], unique=False)

    op.create_table('evaluations',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('programme_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('phase', sa.String(length=4), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_updated_at'), ['updated_at'], unique=False)

    op.create_table('programme_enrolments',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('programme_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (organisation_id IS NULL)', name='ck_programme_enrolments_one'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_enrolments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_enrolments_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_enrolments_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_enrolments_user_id'), ['user_id'], unique=False)

    op.create_table('programme_sessions',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('programme_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('programme_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_sessions_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_sessions_updated_at'), ['updated_at'], unique=False)

    op.create_table('evaluation_responses',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('evaluation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('respondent_key', sa.String(length=64), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('evaluation_id', 'respondent_key', name='uq_evaluation_responses_respondent')
    )
    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_responses_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_responses_updated_at'), ['updated_at'], unique=False)

    op.create_table('partner_commitments',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('partnership_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('objective_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('action_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('role', sa.Text(), nullable=False),
    sa.CheckConstraint('(objective_id IS NULL) <> (action_id IS NULL)', name='ck_partner_commitments_one'),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], ),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('partner_commitments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_commitments_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_commitments_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_commitments_partnership_id'), ['partnership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_commitments_updated_at'), ['updated_at'], unique=False)

    op.create_table('programme_attendance',
    sa.Column('session_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('enrolment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['programme_enrolments.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['programme_sessions.id'], ),
    sa.PrimaryKeyConstraint('session_id', 'enrolment_id')
    )
    with op.batch_alter_table('programme_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_attendance_enrolment_id'), ['enrolment_id'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table('programme_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_attendance_enrolment_id'))

    op.drop_table('programme_attendance')

    with op.batch_alter_table('partner_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_commitments_updated_at'))
        batch_op.drop_index(batch_op.f('ix_partner_commitments_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_partner_commitments_objective_id'))
        batch_op.drop_index(batch_op.f('ix_partner_commitments_action_id'))

    op.drop_table('partner_commitments')

    with op.batch_alter_table('evaluation_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_responses_updated_at'))
        batch_op.drop_index(batch_op.f('ix_evaluation_responses_evaluation_id'))

    op.drop_table('evaluation_responses')

    with op.batch_alter_table('programme_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_sessions_updated_at'))
        batch_op.drop_index(batch_op.f('ix_programme_sessions_programme_id'))

    op.drop_table('programme_sessions')

    with op.batch_alter_table('programme_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_enrolments_user_id'))
        batch_op.drop_index(batch_op.f('ix_programme_enrolments_updated_at'))
        batch_op.drop_index(batch_op.f('ix_programme_enrolments_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_enrolments_organisation_id'))

    op.drop_table('programme_enrolments')

    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_updated_at'))
        batch_op.drop_index(batch_op.f('ix_evaluations_programme_id'))

    op.drop_table('evaluations')

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_updated_at'))
        batch_op.drop_index(batch_op.f('ix_programmes_network_id'))
        batch_op.drop_index(batch_op.f('ix_programmes_cohort_id'))

    op.drop_table('programmes')

    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnerships_updated_at'))
        batch_op.drop_index(batch_op.f('ix_partnerships_organisation_id'))
        batch_op.drop_index('ix_partnerships_network_status')

    op.drop_table('partnerships')
