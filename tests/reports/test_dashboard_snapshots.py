"""The dashboard's snapshots (`dashboard_refresh`): exactly what app.reports computes as of the run's time."""
from __future__ import annotations

import json

from app.reports.dashboard import WINDOWS, dashboard_figures, snapshot_for, window_days
from app.reports.models import DashboardSnapshot
from tests.factories import make_outlet, make_technician
from tests.surveys.support import SHANGHAI, at, move, open_ticket


def _some_work(session):
    """A fixed job and a late one on the 7th, an open one on the 1st, a month-old one in June."""
    tech = make_technician(session, make_outlet(session, name="南宁网点A"))
    good = open_ticket(session, at(7, 8), phone="+8613800000001")
    move(session, good, "acknowledge", at(7, 8, 30))
    move(session, good, "dispatch", at(7, 8, 40), technician_id=tech.id)
    move(session, good, "arrive", at(7, 9, 30))
    move(session, good, "resolve", at(7, 9, 50))
    late = open_ticket(session, at(7, 1), phone="+8613800000002", kind="install")
    move(session, late, "dispatch", at(7, 3), technician_id=tech.id)
    open_ticket(session, at(1, 9), phone="+8613800000003", product_line="water_heater")
    old = open_ticket(session, at(7, 9).replace(month=6), phone="+8613800000004")
    move(session, old, "acknowledge", at(7, 10).replace(month=6))
    session.commit()


def test_each_window_holds_exactly_what_the_reports_compute_at_its_time(session, run_job):
    _some_work(session)
    when = at(7, 10, 17)
    summary = run_job("dashboard_refresh", when)
    assert set(summary.replace(",", "").split()[::3]) == set(WINDOWS)
    session.expire_all()
    for name, days in WINDOWS.items():
        first, last = window_days(when.astimezone(SHANGHAI).date(), days)
        row = snapshot_for(session, first, last)
        assert row.window == name and row.computed_at == when and row.seconds >= 0
        live = dashboard_figures(session, first=first, last=last, now=when, tz=SHANGHAI)
        assert row.figures == json.loads(json.dumps(live))
    today = session.get(DashboardSnapshot, "today").figures
    month = session.get(DashboardSnapshot, "30d").figures
    assert (today["sla"]["total"]["tickets"], month["sla"]["total"]["tickets"]) == (2, 3)
    assert month["coverage"]["total"]["resolved"] == 1


def test_a_later_run_replaces_the_snapshot_and_a_moved_day_is_no_longer_found(session, run_job):
    _some_work(session)
    run_job("dashboard_refresh", at(7, 10))
    run_job("dashboard_refresh", at(8, 10))
    session.expire_all()
    assert session.query(DashboardSnapshot).count() == len(WINDOWS)
    assert snapshot_for(session, *window_days(at(7, 10).date(), 7)) is None
    assert snapshot_for(session, *window_days(at(8, 10).date(), 7)).computed_at == at(8, 10)
