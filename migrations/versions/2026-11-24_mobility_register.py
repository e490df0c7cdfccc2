"""create mobility register

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 05:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mobility_count_batches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_by_kind', sa.String(length=20), nullable=False),
    sa.Column('posted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mobility_count_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobility_count_batches_network_id'), ['network_id'], unique=False)

    op.create_table('mobility_counts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('sending_org_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('receiving_org_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('participant', sa.String(length=10), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('eqf_level', sa.SmallInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('source_ref', sa.String(length=200), nullable=True),
    sa.Column('batch_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('count >= 0', name='ck_mobility_counts_count'),
    sa.CheckConstraint('eqf_level BETWEEN 0 AND 8', name='ck_mobility_counts_eqf'),
    sa.ForeignKeyConstraint(['batch_id'], ['mobility_count_batches.id'], ),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['receiving_org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['sending_org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('network_id', 'period', 'sending_org_id', 'receiving_org_id', 'participant', 'mode', 'eqf_level', name='uq_mobility_counts_key')
    )
    with op.batch_alter_table('mobility_counts', schema=None) as batch_op:
        batch_op.create_index('ix_mobility_counts_receiving_org', ['receiving_org_id'], unique=False)
        batch_op.create_index('ix_mobility_counts_sending_org', ['sending_org_id'], unique=False)

    op.create_table('mobility_opportunities',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('network_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('eqf_level', sa.SmallInteger(), nullable=False),
    sa.Column('participant', sa.String(length=10), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('field_of_study', sa.String(length=200), nullable=True),
    sa.Column('places', sa.Integer(), nullable=True),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.CheckConstraint('eqf_level BETWEEN 1 AND 8', name='ck_mobility_opportunities_eqf'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mobility_opportunities', schema=None) as batch_op:
        batch_op.create_index('ix_mobility_opportunities_network_eqf', ['network_id', 'eqf_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_opportunities_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mobility_opportunities_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mobility_opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobility_opportunities_updated_at'))
        batch_op.drop_index(batch_op.f('ix_mobility_opportunities_organisation_id'))
        batch_op.drop_index('ix_mobility_opportunities_network_eqf')

    op.drop_table('mobility_opportunities')
    with op.batch_alter_table('mobility_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_mobility_counts_sending_org')
        batch_op.drop_index('ix_mobility_counts_receiving_org')

    op.drop_table('mobility_counts')
    with op.batch_alter_table('mobility_count_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobility_count_batches_network_id'))

    op.drop_table('mobility_count_batches')
