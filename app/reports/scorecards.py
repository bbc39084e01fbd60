"""The scorecards the reward schemes are paid on: outlets on timeliness (P-REP-5), installers on
quality (P-INS-4). One row per outlet per month, and per installer."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.network.models import Outlet, Technician
from app.reports.callbacks import SATISFIED_FROM
from app.tickets.models import Ticket

REPEAT_WINDOW = timedelta(days=90)  # a repair of the same unit this soon after the install counts against it
TIMED_KINDS = ("repair", "install", "maintenance", "complaint")


def _hours(later: datetime | None, earlier: datetime | None) -> float | None:
    return None if later is None or earlier is None else max(0.0, (later - earlier).total_seconds() / 3600)


def _median(values: list[float]) -> float | None:
    return round(median(values), 2) if values else None


@dataclass
class _Timeliness:
    jobs: int = 0
    breaches: dict[str, int] = field(default_factory=lambda: {"respond": 0, "arrive": 0, "resolve": 0})
    hours: dict[str, list[float]] = field(default_factory=lambda: {"respond": [], "arrive": [], "resolve": []})

    def add(self, ticket, now: datetime) -> None:
        self.jobs += 1
        start = ticket.appointment_at or ticket.created_at
        for name, due, met in (("respond", ticket.respond_by, ticket.responded_at),
                               ("arrive", ticket.arrive_by, ticket.arrived_at),
                               ("resolve", ticket.resolve_by, ticket.resolved_at)):
            took = _hours(met, ticket.created_at if name == "respond" else start)
            if took is not None:
                self.hours[name].append(took)
            late = due is not None and ((met is not None and met > due) or (met is None and now > due))
            self.breaches[name] += int(late)

    def as_json(self) -> dict:
        return {"jobs": self.jobs, "breaches": dict(self.breaches),
                "median_hours": {name: _median(values) for name, values in self.hours.items()}}


def outlet_timeliness(session: Session, *, start: datetime, end: datetime, now: datetime, tz: tzinfo) -> list[dict]:
    """Per outlet and month (business time) of reception: jobs, median hours to respond, arrive and
    fix, and the breaches of each clock (P-REP-5)."""
    rows = session.execute(select(Ticket.outlet_id, Ticket.created_at, Ticket.appointment_at, Ticket.respond_by,
                                  Ticket.responded_at, Ticket.arrive_by, Ticket.arrived_at, Ticket.resolve_by,
                                  Ticket.resolved_at)
                           .where(Ticket.outlet_id.is_not(None), Ticket.kind.in_(TIMED_KINDS),
                                  Ticket.cancelled_at.is_(None), Ticket.created_at >= start, Ticket.created_at < end))
    cards: dict[tuple[int, str], _Timeliness] = defaultdict(_Timeliness)
    for row in rows:
        cards[(row.outlet_id, row.created_at.astimezone(tz).strftime("%Y-%m"))].add(row, now)
    names = dict(session.execute(select(Outlet.id, Outlet.name)).all()) if cards else {}
    return [{"outlet_id": outlet_id, "outlet": names.get(outlet_id), "month": month, **card.as_json()}
            for (outlet_id, month), card in sorted(cards.items())]


def installer_quality(session: Session, *, start: datetime, end: datetime) -> list[dict]:
    """Per installer (and their outlet) of the installs finished in [start, end): callbacks,
    satisfaction, and repairs of the same unit within 90 days of the install (P-INS-4)."""
    installs = session.execute(select(Ticket.technician_id, Ticket.outlet_id, Ticket.unit_id, Ticket.resolved_at,
                                      Ticket.verified_at, Ticket.callback_score)
                               .where(Ticket.kind == "install", Ticket.technician_id.is_not(None),
                                      Ticket.resolved_at >= start, Ticket.resolved_at < end)).all()
    units = {row.unit_id for row in installs if row.unit_id is not None}
    repairs: dict[int, list[datetime]] = defaultdict(list)
    if units:
        for unit_id, created_at in session.execute(select(Ticket.unit_id, Ticket.created_at).where(
                Ticket.kind == "repair", Ticket.unit_id.in_(units), Ticket.created_at >= start,
                Ticket.created_at < end + REPEAT_WINDOW)):
            repairs[unit_id].append(created_at)
    cards: dict[tuple[int, int | None], dict] = {}
    for row in installs:
        card = cards.setdefault((row.technician_id, row.outlet_id),
                                {"installs": 0, "verified": 0, "satisfied": 0, "repeat_repairs": 0})
        card["installs"] += 1
        card["verified"] += int(row.verified_at is not None)
        card["satisfied"] += int(row.callback_score is not None and row.callback_score >= SATISFIED_FROM)
        card["repeat_repairs"] += sum(1 for at in repairs.get(row.unit_id, ())
                                      if row.resolved_at <= at < row.resolved_at + REPEAT_WINDOW)
    names = dict(session.execute(select(Technician.id, Technician.name)).all()) if cards else {}
    outlets = dict(session.execute(select(Outlet.id, Outlet.name)).all()) if cards else {}
    return [{"technician_id": tech, "technician": names.get(tech), "outlet_id": outlet, "outlet": outlets.get(outlet),
             **card, "satisfied_pct": round(100 * card["satisfied"] / card["verified"], 1) if card["verified"] else None,
             "repeat_repair_pct": round(100 * card["repeat_repairs"] / card["installs"], 1)}
            for (tech, outlet), card in sorted(cards.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]
