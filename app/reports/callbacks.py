"""Callback coverage, measured (P-REC-3, P-INS-3, P-REP-2): of the installs and repairs resolved in
a period, how many were verified by a callback, how many customers were satisfied, and how long
verification took, overall, per product line and per outlet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.network.models import Outlet
from app.surveys.models import Survey
from app.surveys.opening import SURVEYED_KINDS
from app.tickets.models import Ticket

SATISFIED_FROM = 4  # 4 (满意) and 5 (非常满意) count as satisfied
UNASSIGNED = "unassigned"


@dataclass
class Coverage:
    """The figures of one group of resolved jobs."""

    resolved: int = 0
    verified: int = 0
    satisfied: int = 0
    verified_by: dict[str, int] = field(default_factory=lambda: {"sms": 0, "voice": 0, "staff": 0})
    _hours: list[float] = field(default_factory=list)

    def add(self, *, verified_at: datetime | None, resolved_at: datetime, score: int | None, channel: str | None) -> None:
        self.resolved += 1
        if verified_at is None:
            return
        self.verified += 1
        self.satisfied += int(score is not None and score >= SATISFIED_FROM)
        self.verified_by[channel if channel in self.verified_by else "staff"] += 1
        self._hours.append(max(0.0, (verified_at - resolved_at).total_seconds() / 3600))

    def as_json(self) -> dict:
        """Percentages to one decimal; coverage of nothing is 100% (no job was left unverified)."""
        return {
            "resolved": self.resolved,
            "verified": self.verified,
            "awaiting_verification": self.resolved - self.verified,
            "coverage_pct": round(100 * self.verified / self.resolved, 1) if self.resolved else 100.0,
            "satisfied": self.satisfied,
            "satisfied_pct": round(100 * self.satisfied / self.verified, 1) if self.verified else None,
            "median_hours_to_verification": round(median(self._hours), 2) if self._hours else None,
            "verified_by": dict(self.verified_by),
        }


def callback_coverage(session: Session, *, start: datetime, end: datetime) -> dict:
    """Coverage of the installs and repairs resolved in [start, end), in total and by line and outlet."""
    rows = session.execute(
        select(Ticket.product_line, Ticket.outlet_id, Outlet.name, Ticket.resolved_at, Ticket.verified_at,
               Ticket.callback_score, Survey.answer_channel)
        .outerjoin(Outlet, Outlet.id == Ticket.outlet_id)
        .outerjoin(Survey, Survey.ticket_id == Ticket.id)
        .where(Ticket.kind.in_(SURVEYED_KINDS), Ticket.resolved_at.is_not(None),
               Ticket.resolved_at >= start, Ticket.resolved_at < end)
    ).all()
    total = Coverage()
    by_line: dict[str, Coverage] = {}
    by_outlet: dict[int | None, tuple[str, Coverage]] = {}
    for line, outlet_id, outlet_name, resolved_at, verified_at, score, channel in rows:
        # Staff recording the callback through the API verifies without a survey channel.
        facts = {"verified_at": verified_at, "resolved_at": resolved_at, "score": score, "channel": channel}
        total.add(**facts)
        by_line.setdefault(line, Coverage()).add(**facts)
        by_outlet.setdefault(outlet_id, (outlet_name or UNASSIGNED, Coverage()))[1].add(**facts)
    return {
        "total": total.as_json(),
        "by_product_line": [{"product_line": line, **c.as_json()} for line, c in sorted(by_line.items())],
        "by_outlet": [{"outlet_id": oid, "outlet": name, **c.as_json()}
                      for oid, (name, c) in sorted(by_outlet.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))],
    }
