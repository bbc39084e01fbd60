"""The dashboard's figures, and their snapshots.

A wallboard over a million tickets cannot count a month on every page view, so a scheduled job
(`dashboard_refresh`) computes the figures of the standard windows (today, the last 7 and the
last 30 days, in business time) with the very functions the JSON reports answer with, and stores
them with the time they were computed. The console shows a snapshot with that time; any other
window (and a window with no snapshot of today's dates) is computed live.
"""
from __future__ import annotations

import time as timer
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.reports.callbacks import callback_coverage
from app.reports.models import DashboardSnapshot
from app.reports.scorecards import installer_quality, outlet_timeliness
from app.reports.sla import sla_compliance

# window name: days ending today (business time)
WINDOWS = {"today": 1, "7d": 7, "30d": 30}


def window_days(today: date, days: int) -> tuple[date, date]:
    """The first and last day of the `days` ending `today`."""
    return today - timedelta(days=days - 1), today


def dashboard_figures(session: Session, *, first: date, last: date, now: datetime, tz: tzinfo) -> dict:
    """SLA compliance, callback coverage, outlet timeliness and installer quality of the days
    [first, last] in business time, as of `now`: what the dashboard shows, JSON-ready."""
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return {"sla": sla_compliance(session, start=start, end=end, now=now),
            "coverage": callback_coverage(session, start=start, end=end),
            "outlets": outlet_timeliness(session, start=start, end=end, now=now, tz=tz),
            "installers": installer_quality(session, start=start, end=end)}


def refresh_dashboard(session: Session, *, now: datetime, tz: tzinfo) -> dict[str, float]:
    """Recompute every standard window's snapshot as of `now`; returns the seconds each took.
    The caller commits."""
    today = now.astimezone(tz).date()
    took = {}
    for name, days in WINDOWS.items():
        first, last = window_days(today, days)
        started = timer.perf_counter()
        figures = dashboard_figures(session, first=first, last=last, now=now, tz=tz)
        took[name] = timer.perf_counter() - started
        row = session.get(DashboardSnapshot, name) or DashboardSnapshot(window=name)
        row.first_day, row.last_day, row.figures, row.computed_at = first, last, figures, now
        row.seconds = took[name]
        session.add(row)
    session.flush()
    return took


def snapshot_for(session: Session, first: date, last: date) -> DashboardSnapshot | None:
    """The stored snapshot of exactly the days [first, last], if the job has computed one."""
    return session.scalar(select(DashboardSnapshot).where(DashboardSnapshot.first_day == first,
                                                          DashboardSnapshot.last_day == last))
