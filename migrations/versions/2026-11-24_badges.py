"""create badges

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('badge_issuer_keys',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kid', sa.String(length=100), nullable=False),
    sa.Column('algorithm', sa.String(length=10), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('public_pem', sa.Text(), nullable=False),
    sa.Column('private_encrypted', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kid')
    )
    with op.batch_alter_table('badge_issuer_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_issuer_keys_network_id'), ['network_id'], unique=False)
    op.create_table('badges',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('criteria_narrative', sa.Text(), nullable=False),
    sa.Column('image_url', sa.String(length=2000), nullable=True),
    sa.Column('skill_tags', sa.JSON(), nullable=False),
    sa.Column('alignments', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badges_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badges_updated_at'), ['updated_at'], unique=False)
    op.create_table('badge_awards',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('badge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('recipient_email', sa.String(length=320), nullable=True),
    sa.Column('recipient_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('identity_salt', sa.String(length=64), nullable=False),
    sa.Column('identity_hash', sa.String(length=100), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('awarded_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('credential', sa.JSON(), nullable=False),
    sa.Column('credential_jwt', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=100), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['awarded_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credential_id')
    )
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_awards_badge_id'), ['badge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_awards_identity_hash'), ['identity_hash'], unique=False)
        batch_op.create_index('ix_badge_awards_network_issued', ['network_id', 'issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_awards_updated_at'), ['updated_at'], unique=False)
    op.create_table('badge_proposals',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('proposer_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('parent_network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('drivers', sa.Text(), nullable=True),
    sa.Column('territory', sa.String(length=200), nullable=True),
    sa.Column('business_strategy', sa.Text(), nullable=True),
    sa.Column('policy_strategy', sa.Text(), nullable=True),
    sa.Column('existing_resources', sa.JSON(), nullable=True),
    sa.Column('commitment', sa.JSON(), nullable=True),
    sa.Column('network_composition', sa.Text(), nullable=True),
    sa.Column('communication', sa.JSON(), nullable=True),
    sa.Column('engagement_channels', sa.Text(), nullable=True),
    sa.Column('engagement_plan', sa.Text(), nullable=True),
    sa.Column('structure_theme', sa.Text(), nullable=True),
    sa.Column('sub_groups', sa.JSON(), nullable=False),
    sa.Column('underpinning_principles', sa.Text(), nullable=True),
    sa.Column('duration', sa.String(length=200), nullable=True),
    sa.Column('success_measures', sa.JSON(), nullable=False),
    sa.Column('initial_members', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['parent_network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.ForeignKeyConstraint(['proposer_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('badge_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_proposals_parent_network_id'), ['parent_network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_proposals_proposer_user_id'), ['proposer_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_proposals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_badge_proposals_updated_at'), ['updated_at'], unique=False)
    op.create_table('badge_network_invitations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('proposal_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('group', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['badge_proposals.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('badge_network_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_network_invitations_network_id'), ['network_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('badge_network_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_network_invitations_network_id'))
    op.drop_table('badge_network_invitations')
    with op.batch_alter_table('badge_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_proposals_updated_at'))
        batch_op.drop_index(batch_op.f('ix_badge_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_badge_proposals_proposer_user_id'))
        batch_op.drop_index(batch_op.f('ix_badge_proposals_parent_network_id'))
    op.drop_table('badge_proposals')
    with op.batch_alter_table('badge_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_awards_updated_at'))
        batch_op.drop_index('ix_badge_awards_network_issued')
        batch_op.drop_index(batch_op.f('ix_badge_awards_identity_hash'))
        batch_op.drop_index(batch_op.f('ix_badge_awards_badge_id'))
    op.drop_table('badge_awards')
    with op.batch_alter_table('badges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badges_updated_at'))
        batch_op.drop_index(batch_op.f('ix_badges_network_id'))
    op.drop_table('badges')
    with op.batch_alter_table('badge_issuer_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_issuer_keys_network_id'))
    op.drop_table('badge_issuer_keys')
