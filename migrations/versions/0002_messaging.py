"""messaging: dispatcher leases, Twilio status, pacing, number blocks, early status callbacks

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', app.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('twilio_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('segments', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('reconciliation', sa.String(length=16), nullable=True))
        # room for "needs_reconciliation"
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=24),
                              existing_nullable=False)

    op.create_table('sms_blocks',
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('created_at', app.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_sms_blocks'))
    )
    op.create_table('sms_sender_pace',
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('next_slot_at', app.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sender', name=op.f('pk_sms_sender_pace'))
    )
    op.create_table('sms_early_statuses',
    sa.Column('sid', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('received_at', app.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sid', name=op.f('pk_sms_early_statuses'))
    )


def downgrade() -> None:
    op.drop_table('sms_early_statuses')
    op.drop_table('sms_sender_pace')
    op.drop_table('sms_blocks')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=24), type_=sa.String(length=16),
                              existing_nullable=False)
        batch_op.drop_column('reconciliation')
        batch_op.drop_column('segments')
        batch_op.drop_column('twilio_status')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('lease_token')
