"""console speed: the dashboard's snapshots; a campaign's stored preview; covering indexes for its audience

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# (name, table, columns): read by the audience query without visiting the tables' rows.
INDEXES = (
    ('ix_addresses_city_id', 'addresses', ['city', 'id']),
    ('ix_customer_phones_reach', 'customer_phones', ['customer_id', 'kind', 'e164']),
    ('ix_customers_reach', 'customers', ['id', 'erased_at', 'marketing_consent']),
)


def upgrade() -> None:
    op.create_table('dashboard_snapshots',
    sa.Column('window', sa.String(length=8), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('computed_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('window', name=op.f('pk_dashboard_snapshots'))
    )
    op.add_column('campaigns', sa.Column('preview', sa.JSON(), nullable=True))
    op.add_column('campaigns', sa.Column('preview_at', app.database.UTCDateTime(), nullable=True))
    # CONCURRENTLY on PostgreSQL keeps the tables writable while large ones are indexed.
    if op.get_context().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, postgresql_concurrently=True, if_not_exists=True)
            # (city, id) serves every lookup by city the older index did.
            op.drop_index('ix_addresses_city', 'addresses', postgresql_concurrently=True, if_exists=True)
        return
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.drop_index('ix_addresses_city', 'addresses')


def downgrade() -> None:
    op.create_index('ix_addresses_city', 'addresses', ['city'])
    for name, table, _columns in INDEXES:
        op.drop_index(name, table)
    op.drop_column('campaigns', 'preview_at')
    op.drop_column('campaigns', 'preview')
    op.drop_table('dashboard_snapshots')
