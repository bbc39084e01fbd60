"""Callback coverage, measured (P-REC-3, P-INS-3, P-REP-2): of the installs and repairs resolved in
a period, how many were verified by a callback, how many customers were satisfied, and how long
verification took, overall, per product line and per outlet.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.network.models import Outlet
from app.reports.aggregates import group_medians, hours_between
from app.surveys.models import Survey
from app.surveys.opening import SURVEYED_KINDS
from app.tickets.models import Ticket

SATISFIED_FROM = 4  # 4 (满意) and 5 (非常满意) count as satisfied
UNASSIGNED = "unassigned"


def _coverage(resolved, verified, satisfied, by_sms, by_voice, median_hours) -> dict:
    """Percentages to one decimal; coverage of nothing is 100% (no job was left unverified)."""
    resolved, verified, satisfied = int(resolved or 0), int(verified or 0), int(satisfied or 0)
    by_sms, by_voice = int(by_sms or 0), int(by_voice or 0)
    return {
        "resolved": resolved,
        "verified": verified,
        "awaiting_verification": resolved - verified,
        "coverage_pct": round(100 * verified / resolved, 1) if resolved else 100.0,
        "satisfied": satisfied,
        "satisfied_pct": round(100 * satisfied / verified, 1) if verified else None,
        "median_hours_to_verification": round(median_hours, 2) if median_hours is not None else None,
        # Staff recording the callback through the API verifies without a survey channel.
        "verified_by": {"sms": by_sms, "voice": by_voice, "staff": verified - by_sms - by_voice},
    }


def callback_coverage(session: Session, *, start: datetime, end: datetime) -> dict:
    """Coverage of the installs and repairs resolved in [start, end), in total and by line and outlet,
    counted in the database (a month of jobs is never loaded row by row)."""
    window = [Ticket.kind.in_(SURVEYED_KINDS), Ticket.resolved_at.is_not(None),
              Ticket.resolved_at >= start, Ticket.resolved_at < end]
    verified = Ticket.verified_at.is_not(None)
    counts = [func.count(), func.count(Ticket.verified_at),
              func.sum(case((verified & (Ticket.callback_score >= SATISFIED_FROM), 1), else_=0)),
              func.sum(case((verified & (Survey.answer_channel == "sms"), 1), else_=0)),
              func.sum(case((verified & (Survey.answer_channel == "voice"), 1), else_=0))]
    hours = hours_between(session, Ticket.verified_at, Ticket.resolved_at)

    def grouped(keys: list) -> dict[tuple, dict]:
        rows = session.execute(select(*keys, *counts).select_from(Ticket)
                               .outerjoin(Survey, Survey.ticket_id == Ticket.id).where(*window).group_by(*keys)).all()
        medians = group_medians(session, keys, hours, window)
        return {tuple(row[:len(keys)]): _coverage(*row[len(keys):], medians.get(tuple(row[:len(keys)])))
                for row in rows}

    total = grouped([]).get((), _coverage(0, 0, 0, 0, 0, None))
    by_line = grouped([Ticket.product_line])
    by_outlet = grouped([Ticket.outlet_id])
    names = dict(session.execute(select(Outlet.id, Outlet.name)).all()) if by_outlet else {}
    return {
        "total": total,
        "by_product_line": [{"product_line": line, **c} for (line,), c in sorted(by_line.items())],
        "by_outlet": [{"outlet_id": oid, "outlet": names.get(oid) or UNASSIGNED, **c}
                      for (oid,), c in sorted(by_outlet.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or 0))],
    }
