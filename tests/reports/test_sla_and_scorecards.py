"""SLA compliance (P-SLA-1..4), outlet timeliness (P-REP-5) and installer quality (P-INS-4), measured."""
from __future__ import annotations

import pytest

from tests.factories import make_outlet, make_technician, make_unit
from tests.surveys.support import at, move, open_ticket


@pytest.fixture
def july(session):
    """At outlet A on 2026-07-07 (the test clock reads 10:00 that day):
    an on-time repair (answered 08:30, on site 09:30, fixed 09:50 after reception at 08:00);
    a repair received at 01:00, answered late (03:00) and not on site by 10:00: arrive breached;
    a repair received at 09:30, nothing done yet: every clock pending. And a cancelled one."""
    outlet = make_outlet(session, name="南宁网点A")
    tech = make_technician(session, outlet)
    good = open_ticket(session, at(7, 8), phone="+8613800000001")
    move(session, good, "acknowledge", at(7, 8, 30))
    move(session, good, "dispatch", at(7, 8, 40), technician_id=tech.id)
    move(session, good, "arrive", at(7, 9, 30))
    move(session, good, "resolve", at(7, 9, 50))
    late = open_ticket(session, at(7, 1), phone="+8613800000002")
    move(session, late, "dispatch", at(7, 3), technician_id=tech.id)
    open_ticket(session, at(7, 9, 30), phone="+8613800000003", product_line="water_heater")
    cancelled = open_ticket(session, at(7, 9), phone="+8613800000004")
    move(session, cancelled, "cancel", at(7, 9, 5), note="客户取消")
    session.commit()
    return outlet


def report(client, staff, path: str, **query):
    response = client.get(f"/api/v1/reports/{path}", query_string={"from": "2026-07-01", "to": "2026-07-31", **query},
                          headers=staff("supervisor"))
    assert response.status_code == 200, response.json
    return response.json


def test_each_clock_counts_met_met_late_breached_and_pending(client, staff, july):
    total = report(client, staff, "sla")["total"]
    assert total["tickets"] == 3  # the cancelled ticket is left out
    assert {k: total["milestones"]["respond"][k] for k in ("met", "met_late", "breached", "pending")} == \
        {"met": 1, "met_late": 1, "breached": 0, "pending": 1}
    arrive = total["milestones"]["arrive"]
    assert (arrive["met"], arrive["breached"], arrive["pending"]) == (1, 1, 1)


def test_compliance_is_on_time_among_the_decided(client, staff, july):
    respond = report(client, staff, "sla")["total"]["milestones"]["respond"]
    assert respond["compliance_pct"] == 50.0 and respond["rule"] == "P-SLA-1"


def test_the_loaner_clock_is_kept_for_main_equipment_repairs(client, staff, july):
    loaner = report(client, staff, "sla")["total"]["milestones"]["loaner"]
    assert loaner["met"] == 1 and loaner["breached"] == 0 and loaner["pending"] == 2


def test_compliance_per_product_line_and_outlet(client, staff, july):
    body = report(client, staff, "sla")
    assert [(g["product_line"], g["tickets"]) for g in body["by_product_line"]] == [("home_ac", 2), ("water_heater", 1)]
    assert [(g["outlet"], g["tickets"]) for g in body["by_outlet"]] == [("南宁网点A", 2), ("unassigned", 1)]


def test_a_period_with_no_tickets_has_no_compliance_figure(client, staff, july):
    total = report(client, staff, "sla", **{"from": "2026-06-01", "to": "2026-06-30"})["total"]
    assert total["tickets"] == 0 and total["milestones"]["respond"]["compliance_pct"] is None


def test_an_outlet_scorecard_gives_median_hours_and_breaches_per_month(client, staff, july):
    [row] = report(client, staff, "outlets")["items"]
    assert row["outlet"] == "南宁网点A" and row["month"] == "2026-07" and row["jobs"] == 2
    assert row["breaches"] == {"respond": 1, "arrive": 1, "resolve": 0}
    assert row["median_hours"]["respond"] == 1.25  # 0.5 h and 2 h


def test_an_installer_is_scored_on_callbacks_and_repeat_repairs_within_90_days(client, staff, session):
    outlet = make_outlet(session, name="柳州网点B")
    installer = make_technician(session, outlet)
    units = [make_unit(session, serial=f"HA0000010{i}") for i in range(2)]
    for i, unit in enumerate(units):
        job = open_ticket(session, at(2, 9), kind="install", phone=f"+861380000001{i}", serial=unit.serial)
        move(session, job, "dispatch", at(2, 9, 10), technician_id=installer.id)
        move(session, job, "arrive", at(2, 9, 20))
        move(session, job, "resolve", at(2, 11))
        move(session, job, "record_callback", at(3, 10), score=5 - 3 * i, note="回访")
    open_ticket(session, at(6, 9), phone="+8613800000010", serial=units[0].serial)  # a repair 4 days later
    session.commit()
    [row] = report(client, staff, "installers")["items"]
    assert (row["technician_id"], row["outlet"], row["installs"]) == (installer.id, "柳州网点B", 2)
    assert (row["verified"], row["satisfied"], row["satisfied_pct"]) == (2, 1, 50.0)
    assert (row["repeat_repairs"], row["repeat_repair_pct"]) == (1, 50.0)


def test_agents_may_read_the_reports_but_marketing_may_not(client, staff, july):
    assert client.get("/api/v1/reports/sla", headers=staff("agent")).status_code == 200
    assert client.get("/api/v1/reports/sla", headers=staff("marketing")).status_code == 403
