"""customer records: consent history, audits, erasure; network dates and technicians' product lines

Revision ID: 0011
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marketing_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('erased_at', app.database.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_customers_name'), ['name'], unique=False)
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('marketing', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', app.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_consent_records_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_records_customer_id'), ['customer_id'], unique=False)
    op.create_table('customer_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('at', app.database.UTCDateTime(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_audits_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_audits'))
    )
    with op.batch_alter_table('customer_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_audits_customer_id'), ['customer_id'], unique=False)
    op.create_table('erased_suppressions',
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('phone_hash', name=op.f('pk_erased_suppressions'))
    )
    with op.batch_alter_table('outlets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('contract_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('product_lines', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.drop_column('product_lines')
        batch_op.drop_column('certificate_issued_on')
    with op.batch_alter_table('outlets', schema=None) as batch_op:
        batch_op.drop_column('reviewed_on')
        batch_op.drop_column('contract_ends_on')
        batch_op.drop_column('contract_signed_on')
    op.drop_table('erased_suppressions')
    with op.batch_alter_table('customer_audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_audits_customer_id'))
    op.drop_table('customer_audits')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_records_customer_id'))
    op.drop_table('consent_records')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_name'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('marketing_consent')
