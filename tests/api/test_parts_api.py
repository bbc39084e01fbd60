"""Parts on a repair (P-REP-3): requested through the API, owed 2 days later, shipped by a depot, escalated
once by the sweep when not shipped in time; what was fitted and taken back is recorded at resolution."""
from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.jobs import JOBS, JobContext
from tests.api.readers import event_types


@pytest.fixture
def sweep(app, settings):
    """`sweep(when)`: the real sla_sweep job, as the scheduler runs it."""
    context = JobContext(app.extensions["database"], settings)
    return lambda when: JOBS["sla_sweep"](context, when)


@pytest.fixture
def repair(desk) -> str:
    return desk.open()["number"]


def _request(client, headers, number, **body):
    return client.post(f"/api/v1/tickets/{number}/parts", json={"part": "压缩机", **body}, headers=headers)


def _ship(client, headers, number, request_id):
    return client.post(f"/api/v1/tickets/{number}/parts/{request_id}/ship", headers=headers)


def _parts_overdue(desk) -> list[dict]:
    return [e for e in desk.get("/escalations").json["items"] if e["reason"] == "parts_overdue"]


def test_a_parts_request_is_owed_two_days_later(client, agent, repair):
    response = _request(client, agent, repair, quantity=2, code="YSJ-35", depot="南宁配件库")
    assert response.status_code == 201
    assert {k: response.json[k] for k in ("ticket_number", "part", "code", "quantity", "depot", "requested_by",
                                          "requested_at", "ship_by", "shipped_at")} == {
        "ticket_number": repair, "part": "压缩机", "code": "YSJ-35", "quantity": 2, "depot": "南宁配件库",
        "requested_by": "agent-user", "requested_at": "2026-07-07T10:00:00+08:00",
        "ship_by": "2026-07-09T10:00:00+08:00", "shipped_at": None}


def test_a_parts_request_is_in_the_tickets_history(client, agent, desk, repair):
    _request(client, agent, repair, depot="南宁配件库")
    assert event_types(desk.get(f"/tickets/{repair}").json)[-1] == "parts_requested"


@pytest.mark.parametrize("left_out", [{}, {"quantity": None}])
def test_the_quantity_defaults_to_one(client, agent, repair, left_out):
    assert _request(client, agent, repair, **left_out).json["quantity"] == 1


def test_a_request_not_shipped_in_two_days_escalates_once(client, agent, desk, repair, sweep, clock):
    _request(client, agent, repair)
    sweep(clock.now() + timedelta(days=2))
    assert _parts_overdue(desk) == []
    sweep(clock.now() + timedelta(days=2, minutes=1))
    sweep(clock.now() + timedelta(days=2, minutes=2))
    [overdue] = _parts_overdue(desk)
    assert (overdue["queue"], overdue["ticket"]["number"]) == ("supervisor", repair)


def test_a_request_shipped_in_time_does_not_escalate(client, agent, desk, repair, sweep, clock):
    request_id = _request(client, agent, repair).json["id"]
    clock.advance(days=1)
    shipped = _ship(client, agent, repair, request_id)
    assert (shipped.status_code, shipped.json["shipped_at"], shipped.json["shipped_by"]) == (
        200, "2026-07-08T10:00:00+08:00", "agent-user")
    sweep(clock.now() + timedelta(days=3))
    assert _parts_overdue(desk) == []


def test_shipping_twice_is_a_409(client, agent, repair):
    request_id = _request(client, agent, repair).json["id"]
    _ship(client, agent, repair, request_id)
    assert _ship(client, agent, repair, request_id).status_code == 409


def test_shipping_a_request_of_another_ticket_is_a_404(client, agent, desk, repair):
    request_id = _request(client, agent, repair).json["id"]
    other = desk.open(phone="13900139000")["number"]
    assert _ship(client, agent, other, request_id).status_code == 404


def test_resolving_the_repair_cancels_its_unshipped_requests(client, agent, desk, repair, sweep, clock):
    _request(client, agent, repair)
    ticket = desk.walk(repair, "dispatch", "arrive", "resolve")
    assert "parts_cancelled" in event_types(ticket)
    sweep(clock.now() + timedelta(days=3))
    assert _parts_overdue(desk) == []


def test_parts_issued_and_returned_at_resolution_are_recorded(desk, repair):
    desk.walk(repair, "dispatch", "arrive")
    response = desk.event(repair, "resolve", parts=[{"code": "YSJ-35", "name": "压缩机"}],
                          returned=[{"code": "YSJ-35", "name": "旧压缩机"}])
    assert response.json["work_lines"]["parts"] == [{"code": "YSJ-35", "name": "压缩机", "quantity": 1}]
    assert response.json["work_lines"]["returned"] == [{"code": "YSJ-35", "name": "旧压缩机", "quantity": 1}]


@pytest.mark.parametrize("kind", ["install", "complaint"])
def test_parts_are_requested_only_on_a_repair(client, agent, desk, kind):
    number = desk.open(kind=kind)["number"]
    assert _request(client, agent, number).status_code == 409


def test_parts_are_not_requested_on_a_resolved_repair(client, agent, desk, repair):
    desk.walk(repair, "dispatch", "arrive", "resolve")
    assert _request(client, agent, repair).status_code == 409


@pytest.mark.parametrize("body, field", [({"part": " "}, "part"), ({"part": "x" * 121}, "part"),
                                         ({"quantity": 0}, "quantity"), ({"quantity": 101}, "quantity"),
                                         ({"quantity": "2"}, "quantity"), ({"depot": "x" * 81}, "depot"),
                                         ({"code": "x" * 41}, "code"), ({"depot": "库\x00"}, "depot")])
def test_a_bad_parts_request_is_a_400_naming_the_field(client, agent, repair, written, body, field):
    before = written()
    response = _request(client, agent, repair, **body)
    assert response.status_code == 400 and field in response.json["fields"]
    assert written() == before


def test_parts_on_an_unknown_ticket_are_a_404(client, agent):
    assert _request(client, agent, "10000009").status_code == 404


def test_a_marketing_user_may_not_request_parts(client, staff, repair):
    assert _request(client, staff("marketing"), repair).status_code == 403
