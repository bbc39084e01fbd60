"""The scorecards the reward schemes are paid on: outlets on timeliness (P-REP-5), installers on
quality (P-INS-4). One row per outlet per month, and per installer."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from app.network.models import Outlet, Technician
from app.reports.aggregates import group_medians, hours_between
from app.reports.callbacks import SATISFIED_FROM
from app.tickets.models import Ticket

REPEAT_WINDOW = timedelta(days=90)  # a repair of the same unit this soon after the install counts against it
TIMED_KINDS = ("repair", "install", "maintenance", "complaint")


def _months(start: datetime, end: datetime, tz: tzinfo) -> list[tuple[datetime, str]]:
    """The business-time months [start, end) touches: (the instant each ends, its YYYY-MM), in order."""
    months, day = [], start.astimezone(tz).date().replace(day=1)
    while True:
        following = (day + timedelta(days=32)).replace(day=1)
        bound = datetime.combine(following, time.min, tzinfo=tz)
        months.append((bound, day.strftime("%Y-%m")))
        if bound >= end:
            return months
        day = following


def outlet_timeliness(session: Session, *, start: datetime, end: datetime, now: datetime, tz: tzinfo) -> list[dict]:
    """Per outlet and month (business time) of reception: jobs, median hours to respond, arrive and
    fix, and the breaches of each clock (P-REP-5). Counted and the medians picked in the database."""
    months = _months(start, end, tz)
    month = case(*[(Ticket.created_at < bound, label) for bound, label in months[:-1]], else_=months[-1][1]) \
        if len(months) > 1 else literal(months[0][1])
    window = [Ticket.outlet_id.is_not(None), Ticket.kind.in_(TIMED_KINDS), Ticket.cancelled_at.is_(None),
              Ticket.created_at >= start, Ticket.created_at < end]
    begun = func.coalesce(Ticket.appointment_at, Ticket.created_at)
    clocks = (("respond", Ticket.respond_by, Ticket.responded_at, Ticket.created_at),
              ("arrive", Ticket.arrive_by, Ticket.arrived_at, begun),
              ("resolve", Ticket.resolve_by, Ticket.resolved_at, begun))
    late = [func.sum(case((due.is_not(None) & ((met.is_not(None) & (met > due)) | (met.is_(None) & (due < now))), 1),
                          else_=0)) for _name, due, met, _since in clocks]
    keys = [Ticket.outlet_id, month]
    rows = session.execute(select(*keys, func.count(), *late).where(*window).group_by(*keys)).all()
    if not rows:
        return []
    medians = {name: group_medians(session, keys, case((met.is_not(None), hours_between(session, met, since))), window)
               for name, _due, met, since in clocks}
    names = dict(session.execute(select(Outlet.id, Outlet.name)).all())
    cards = []
    for outlet_id, label, jobs, *breaches in sorted(rows, key=lambda r: (r[0], r[1])):
        key = (outlet_id, label)
        cards.append({"outlet_id": outlet_id, "outlet": names.get(outlet_id), "month": label, "jobs": int(jobs),
                      "breaches": {name: int(b or 0) for (name, *_rest), b in zip(clocks, breaches)},
                      "median_hours": {name: round(medians[name][key], 2) if key in medians[name] else None
                                       for name, *_rest in clocks}})
    return cards


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
