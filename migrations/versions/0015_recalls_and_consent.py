"""recalls and consent: a recall's calls and answers on its recipient rows; a campaign's call slot

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_call_at', app.database.UTCDateTime(), nullable=True))
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('call_sid', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('called_at', app.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reached_at', app.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', app.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_campaign_recipients_ticket', 'tickets', ['ticket_id'], ['id'])
        batch_op.create_unique_constraint('uq_campaign_recipients_call_sid', ['call_sid'])
        batch_op.create_index('ix_campaign_recipients_calls', ['campaign_id', 'reason', 'call_status'], unique=False)
        batch_op.create_index('ix_campaign_recipients_phone', ['phone'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_recipients_phone')
        batch_op.drop_index('ix_campaign_recipients_calls')
        batch_op.drop_constraint('uq_campaign_recipients_call_sid', type_='unique')
        batch_op.drop_constraint('fk_campaign_recipients_ticket', type_='foreignkey')
        for column in ('ticket_id', 'answered_at', 'reached_at', 'called_at', 'call_sid', 'call_status'):
            batch_op.drop_column(column)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('next_call_at')
