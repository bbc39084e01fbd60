"""GET /api/v1/reports/callbacks: callback coverage of resolved installs and repairs, measured."""
from datetime import timedelta

import pytest

from app.closed_loop.answers import record_survey_answer
from tests.factories import make_outlet, make_technician
from tests.surveys.support import at, move, open_ticket, resolved_job, survey_of


@pytest.fixture
def period(session):
    """Four jobs resolved on 2026-07-07 at outlets A and B, and one resolved outside the period.

    A: repair verified by text in 2 h (score 5); install verified by staff in 6 h (score 2).
    B: repair verified by voice in 4 h (score 4, water heater); repair still unverified.
    """
    a, b = make_outlet(session, name="南宁网点A"), make_outlet(session, name="柳州网点B")
    tech_a, tech_b = make_technician(session, a), make_technician(session, b)
    texted = resolved_job(session, at(7, 9), phone="+8613800000001", technician=tech_a)
    record_survey_answer(session, survey_id=survey_of(session, texted).id, answer="5", channel="sms", now=at(7, 11))
    install = resolved_job(session, at(7, 9), kind="install", phone="+8613800000002", technician=tech_a)
    move(session, install, "record_callback", at(7, 15), score=2, note="电话回访")
    heater = open_ticket(session, at(7, 6), phone="+8613800000003", product_line="water_heater")
    move(session, heater, "dispatch", at(7, 7), technician_id=tech_b.id)
    move(session, heater, "arrive", at(7, 8))
    move(session, heater, "resolve", at(7, 10))
    record_survey_answer(session, survey_id=survey_of(session, heater).id, answer="4", channel="voice", now=at(7, 14))
    resolved_job(session, at(7, 18), phone="+8613800000004", technician=tech_b)
    resolved_job(session, at(1, 9), phone="+8613800000005", technician=tech_a)  # July 1st: outside
    complaint = open_ticket(session, at(7, 9), kind="complaint", phone="+8613800000006")
    move(session, complaint, "resolve", at(7, 10))  # complaints are not in this report
    session.commit()
    return a, b


def report(client, agent, **query):
    return client.get("/api/v1/reports/callbacks", query_string=query, headers=agent)


def test_the_total_counts_resolved_verified_satisfied_and_the_median_time(client, agent, period):
    body = report(client, agent, **{"from": "2026-07-05", "to": "2026-07-07"}).json
    assert (body["from"], body["to"]) == ("2026-07-05", "2026-07-07")
    assert body["total"] == {"resolved": 4, "verified": 3, "awaiting_verification": 1, "coverage_pct": 75.0,
                             "satisfied": 2, "satisfied_pct": 66.7, "median_hours_to_verification": 4.0,
                             "verified_by": {"sms": 1, "voice": 1, "staff": 1}}


def test_figures_per_product_line(client, agent, period):
    lines = {row["product_line"]: row for row in report(client, agent, **{"from": "2026-07-07", "to": "2026-07-07"}).json["by_product_line"]}
    assert (lines["home_ac"]["resolved"], lines["home_ac"]["verified"], lines["home_ac"]["coverage_pct"]) == (3, 2, 66.7)
    assert (lines["water_heater"]["resolved"], lines["water_heater"]["coverage_pct"]) == (1, 100.0)


def test_figures_per_outlet(client, agent, period):
    a, b = period
    outlets = {row["outlet"]: row for row in report(client, agent, **{"from": "2026-07-07", "to": "2026-07-07"}).json["by_outlet"]}
    assert outlets["南宁网点A"]["outlet_id"] == a.id
    assert (outlets["南宁网点A"]["coverage_pct"], outlets["南宁网点A"]["satisfied_pct"]) == (100.0, 50.0)
    assert (outlets["柳州网点B"]["resolved"], outlets["柳州网点B"]["verified"]) == (2, 1)


def test_the_default_period_is_the_last_30_days(client, agent, clock, period):
    clock.set(at(30, 12))
    body = report(client, agent).json
    assert (body["from"], body["to"], body["total"]["resolved"]) == ("2026-07-01", "2026-07-30", 5)


def test_an_empty_period_has_full_coverage_and_no_median(client, agent, period):
    total = report(client, agent, **{"from": "2026-06-01", "to": "2026-06-02"}).json["total"]
    assert (total["resolved"], total["coverage_pct"], total["median_hours_to_verification"]) == (0, 100.0, None)


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-07-31", "to": "2026-07-01"}, "from"),
    ({"from": "07/01/2026"}, "from"),
    ({"to": "2026-13-01"}, "to"),
    ({"from": "2024-01-01", "to": "2026-07-01"}, "to"),
])
def test_a_bad_period_is_a_400_naming_the_field(client, agent, query, field):
    response = report(client, agent, **query)
    assert response.status_code == 400 and field in response.json["fields"]


def test_the_report_needs_a_token(client):
    assert client.get("/api/v1/reports/callbacks").status_code == 401


def test_a_job_verified_after_the_period_still_counts_for_the_day_it_was_resolved(client, agent, session, period):
    late = resolved_job(session, at(7, 20), phone="+8613800000007")
    move(session, late, "record_callback", at(7, 20) + timedelta(days=3), score=5, note="回访")
    session.commit()
    total = report(client, agent, **{"from": "2026-07-07", "to": "2026-07-07"}).json["total"]
    assert (total["resolved"], total["verified"]) == (5, 4)
