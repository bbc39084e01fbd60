"""claims, the inbox and parts: an escalation's claim (a lease), the text behind a staff-inbox item,
a parts request's depot and who shipped it

Revision ID: 0010
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', app.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_escalations_message_id_messages'), 'messages', ['message_id'], ['id'])

    with op.batch_alter_table('parts_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('depot', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('shipped_by', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('parts_requests', schema=None) as batch_op:
        batch_op.drop_column('shipped_by')
        batch_op.drop_column('depot')

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_escalations_message_id_messages'), type_='foreignkey')
        batch_op.drop_column('message_id')
        batch_op.drop_column('phone')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
