"""Counting hotline calls for staff: how many, how many abandoned, how many left a callback ticket."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.ivr.models import IvrCall


@dataclass
class LineCounts:
    calls: int = 0
    abandoned: int = 0
    callback_tickets: int = 0


@dataclass
class CallCounts:
    """Inbound hotline calls that started in [since, until), in total and per product line."""

    since: datetime
    until: datetime
    total: LineCounts = field(default_factory=LineCounts)
    by_line: dict[str, LineCounts] = field(default_factory=dict)


def call_counts(session: Session, *, since: datetime, until: datetime) -> CallCounts:
    """Counts of inbound calls by hotline; an abandoned call hung up before its flow's end."""
    rows = session.execute(
        select(IvrCall.product_line, func.count(IvrCall.id),
               func.sum(case((IvrCall.abandoned, 1), else_=0)),
               func.count(IvrCall.callback_ticket_id))
        .where(IvrCall.direction == "inbound", IvrCall.started_at >= since, IvrCall.started_at < until)
        .group_by(IvrCall.product_line))
    counts = CallCounts(since, until)
    for line, calls, abandoned, callbacks in rows:
        per = LineCounts(int(calls), int(abandoned or 0), int(callbacks))
        counts.by_line[line or "unknown"] = per
        counts.total.calls += per.calls
        counts.total.abandoned += per.abandoned
        counts.total.callback_tickets += per.callback_tickets
    return counts

