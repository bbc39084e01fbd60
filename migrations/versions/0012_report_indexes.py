"""indexes the reports read by: an outlet's month, and tickets by reception time

Revision ID: 0012
Revises: 0011
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # CONCURRENTLY on PostgreSQL keeps the table writable while a large one is indexed.
    if op.get_context().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index('ix_tickets_outlet_resolved', 'tickets', ['outlet_id', 'resolved_at'],
                            postgresql_concurrently=True, if_not_exists=True)
            op.create_index('ix_tickets_created', 'tickets', ['created_at'], postgresql_concurrently=True,
                            if_not_exists=True)
        return
    op.create_index('ix_tickets_outlet_resolved', 'tickets', ['outlet_id', 'resolved_at'])
    op.create_index('ix_tickets_created', 'tickets', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_tickets_created', 'tickets')
    op.drop_index('ix_tickets_outlet_resolved', 'tickets')
