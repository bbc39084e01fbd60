"""closed loop: surveys, parts requests, sweep marks, the scheduler's job store and run ledger,
and the partial indexes that keep the SLA sweep's cost to what is due

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import app.database


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None

# Each sweep query reads one of these ranges; rows already met, cancelled or escalated are not in
# the index at all, so a sweep with nothing due reads nothing. The query's WHERE repeats the
# predicate (PostgreSQL proves the implication; SQLite needs the same terms).
_DUE = {
    'ix_tickets_respond_due': ('respond_by', ['responded_at IS NULL', 'cancelled_at IS NULL'], 'respond_breached'),
    'ix_tickets_arrive_due': ('arrive_by', ['arrived_at IS NULL', 'resolved_at IS NULL', 'cancelled_at IS NULL'],
                              'arrive_breached'),
    'ix_tickets_resolve_due': ('resolve_by', ['resolved_at IS NULL', 'cancelled_at IS NULL'], 'resolve_breached'),
}


def _predicate(terms, flag, false_literal):
    return sa.text(' AND '.join(terms + [f'{flag} = {false_literal}']))


def upgrade() -> None:
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('route', sa.String(length=8), nullable=True),
    sa.Column('created_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('next_action_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('texted_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('request_message_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('bad_replies', sa.Integer(), nullable=False),
    sa.Column('call_requested_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('call_sid', sa.String(length=40), nullable=True),
    sa.Column('call_status', sa.String(length=16), nullable=True),
    sa.Column('call_ended_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('staff_task_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('staff_task_reason', sa.String(length=40), nullable=True),
    sa.Column('answered_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('answer_channel', sa.String(length=8), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_surveys_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('ticket_id', name='uq_surveys_ticket_id'),
    sa.UniqueConstraint('call_sid', name='uq_surveys_call_sid'),
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index('ix_surveys_due', ['status', 'next_action_at'], unique=False)
        batch_op.create_index('ix_surveys_phone_status', ['phone', 'status'], unique=False)

    op.create_table('parts_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('part_code', sa.String(length=40), nullable=False),
    sa.Column('part_name', sa.String(length=120), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('requested_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('ship_by', app.database.UTCDateTime(), nullable=False),
    sa.Column('shipped_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('overdue_escalated_at', app.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_parts_requests_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parts_requests')),
    )
    waiting = sa.text('shipped_at IS NULL AND cancelled_at IS NULL AND overdue_escalated_at IS NULL')
    with op.batch_alter_table('parts_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parts_requests_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_parts_requests_waiting', ['ship_by'], unique=False,
                              postgresql_where=waiting, sqlite_where=waiting)

    op.create_table('sweep_marks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('swept_until', app.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sweep_marks')),
    )

    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs')),
    )
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apscheduler_jobs_next_run_time'), ['next_run_time'], unique=False)

    op.create_table('scheduler_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('slot', app.database.UTCDateTime(), nullable=False),
    sa.Column('runner', sa.String(length=80), nullable=False),
    sa.Column('started_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('finished_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_runs')),
    sa.UniqueConstraint('job', 'slot', name='uq_scheduler_runs_job_slot'),
    )

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name, (column, terms, flag) in _DUE.items():
            batch_op.create_index(name, [column], unique=False,
                                  postgresql_where=_predicate(terms, flag, 'false'),
                                  sqlite_where=_predicate(terms, flag, '0'))
        loaner = sa.text('loaner_due_at IS NOT NULL')
        batch_op.create_index('ix_tickets_loaner_due', ['loaner_due_at'], unique=False,
                              postgresql_where=loaner, sqlite_where=loaner)
        resolved = sa.text('resolved_at IS NOT NULL')
        batch_op.create_index('ix_tickets_resolved_at', ['resolved_at'], unique=False,
                              postgresql_where=resolved, sqlite_where=resolved)


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in ['ix_tickets_resolved_at', 'ix_tickets_loaner_due', *_DUE]:
            batch_op.drop_index(name)
    op.drop_table('scheduler_runs')
    with op.batch_alter_table('apscheduler_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apscheduler_jobs_next_run_time'))
    op.drop_table('apscheduler_jobs')
    op.drop_table('sweep_marks')
    with op.batch_alter_table('parts_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_parts_requests_waiting')
        batch_op.drop_index(batch_op.f('ix_parts_requests_ticket_id'))
    op.drop_table('parts_requests')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_phone_status')
        batch_op.drop_index('ix_surveys_due')
    op.drop_table('surveys')
