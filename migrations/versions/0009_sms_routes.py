"""messages: the route a text takes and what Alibaba Cloud SMS needs to send and find it

Revision ID: 0009
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('template_lang', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('template_params', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('out_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('provider_ref')
        batch_op.drop_column('out_id')
        batch_op.drop_column('template_params')
        batch_op.drop_column('template_lang')
        batch_op.drop_column('provider')
