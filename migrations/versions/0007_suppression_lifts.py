"""suppression_lifts: who lifted a suppression, when and how (P-PRIV-2)

Revision ID: 0007
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suppression_lifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('suppressed_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('lifted_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('lifted_by', sa.String(length=80), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppression_lifts'))
    )
    with op.batch_alter_table('suppression_lifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppression_lifts_phone'), ['phone'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('suppression_lifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppression_lifts_phone'))
    op.drop_table('suppression_lifts')
