"""console indexes: the callback worklist reads resolved tickets oldest resolution first; a
campaign's preview finds a city's addresses

Revision ID: 0016
Revises: 0015
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # CONCURRENTLY on PostgreSQL keeps the table writable while a large one is indexed.
    if op.get_context().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index('ix_tickets_status_resolved', 'tickets', ['status', 'resolved_at'],
                            postgresql_concurrently=True, if_not_exists=True)
            op.create_index('ix_addresses_city', 'addresses', ['city'], postgresql_concurrently=True,
                            if_not_exists=True)
        return
    op.create_index('ix_tickets_status_resolved', 'tickets', ['status', 'resolved_at'])
    op.create_index('ix_addresses_city', 'addresses', ['city'])


def downgrade() -> None:
    op.drop_index('ix_addresses_city', 'addresses')
    op.drop_index('ix_tickets_status_resolved', 'tickets')
