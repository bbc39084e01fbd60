"""ivr: the state of hotline calls by CallSid (app/ivr)

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ivr_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=12), nullable=False),
    sa.Column('flow', sa.String(length=40), nullable=False),
    sa.Column('product_line', sa.String(length=20), nullable=True),
    sa.Column('caller', sa.String(length=20), nullable=True),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('node', sa.String(length=64), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=True),
    sa.Column('service_done', sa.Boolean(), nullable=False),
    sa.Column('finished', sa.Boolean(), nullable=False),
    sa.Column('last_response', sa.Text(), nullable=False),
    sa.Column('started_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('ended_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('end_status', sa.String(length=16), nullable=True),
    sa.Column('abandoned', sa.Boolean(), nullable=False),
    sa.Column('callback_ticket_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['callback_ticket_id'], ['tickets.id'], name=op.f('fk_ivr_calls_callback_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ivr_calls')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_ivr_calls_call_sid'))
    )
    op.create_index('ix_ivr_calls_started', 'ivr_calls', ['started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ivr_calls_started', table_name='ivr_calls')
    op.drop_table('ivr_calls')
