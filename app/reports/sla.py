"""SLA compliance, measured (P-SLA-1..4): of the tickets received in a period, how each clock
went (met on time, met late, breached and still open, pending), in total, per product line and
per outlet. Counted in the database: a year of tickets is never loaded row by row.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.network.models import Outlet
from app.tickets.models import Ticket

# (milestone, rule id, deadline column, the column that meets it): the loaner is owed when the
# main equipment is not fixed by its deadline, so fixing it is what meets that clock.
MILESTONES = (
    ("respond", "P-SLA-1", Ticket.respond_by, Ticket.responded_at),
    ("arrive", "P-SLA-2", Ticket.arrive_by, Ticket.arrived_at),
    ("resolve", "P-SLA-3", Ticket.resolve_by, Ticket.resolved_at),
    ("loaner", "P-SLA-4", Ticket.loaner_due_at, Ticket.resolved_at),
)
STATES = ("met", "met_late", "breached", "pending")


def _state_counts(due, met_at, now: datetime) -> list:
    """One SUM per state, as milestone_state decides it (meeting a deadline exactly is on time)."""
    applies = due.is_not(None)
    return [
        func.sum(case((applies & met_at.is_not(None) & (met_at <= due), 1), else_=0)),
        func.sum(case((applies & met_at.is_not(None) & (met_at > due), 1), else_=0)),
        func.sum(case((applies & met_at.is_(None) & (due < now), 1), else_=0)),
        func.sum(case((applies & met_at.is_(None) & (due >= now), 1), else_=0)),
    ]


def _figures(values) -> dict:
    """The counts of one milestone and its compliance: met on time among those decided."""
    counts = dict(zip(STATES, (int(v or 0) for v in values)))
    decided = counts["met"] + counts["met_late"] + counts["breached"]
    return {**counts, "compliance_pct": round(100 * counts["met"] / decided, 1) if decided else None}


def _rows(session: Session, group, start: datetime, end: datetime, now: datetime) -> list[tuple]:
    """(group value, count, the 16 state counts) per group; one row with the group None when `group` is None."""
    columns = [func.count()] + [c for _n, _r, due, met in MILESTONES for c in _state_counts(due, met, now)]
    window = (Ticket.created_at >= start, Ticket.created_at < end, Ticket.cancelled_at.is_(None))
    if group is None:
        return [(None, *session.execute(select(*columns).where(*window)).one())]
    return [tuple(row) for row in session.execute(select(group, *columns).where(*window).group_by(group)).all()]


def _group_json(row) -> dict:
    tickets, *values = row
    per = {name: {"rule": rule, **_figures(values[i * 4:(i + 1) * 4])} for i, (name, rule, _d, _m) in enumerate(MILESTONES)}
    return {"tickets": int(tickets), "milestones": per}


def sla_compliance(session: Session, *, start: datetime, end: datetime, now: datetime) -> dict:
    """The clocks of the tickets received in [start, end) (cancelled ones left out), as of `now`."""
    [total] = _rows(session, None, start, end, now)
    by_line = _rows(session, Ticket.product_line, start, end, now)
    by_outlet = _rows(session, Ticket.outlet_id, start, end, now)
    names = dict(session.execute(select(Outlet.id, Outlet.name)).all()) if by_outlet else {}
    return {
        "total": _group_json(total[1:]),
        "by_product_line": [{"product_line": row[0], **_group_json(row[1:])} for row in sorted(by_line)],
        "by_outlet": [{"outlet_id": row[0], "outlet": names.get(row[0], "unassigned"), **_group_json(row[1:])}
                      for row in sorted(by_outlet, key=lambda r: (r[0] is None, r[0] or 0))],
    }
