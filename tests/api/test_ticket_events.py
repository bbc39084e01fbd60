"""Every change of a ticket is an event: who, when, what, before and after (P-REC-2)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.api.readers import event_types
from tests.factories import make_outlet, make_technician

PARTS = [{"code": "3001", "name": "压缩机电容", "quantity": 1}]
FEES = [{"item": "上门费", "amount": 30}, {"item": "电容", "amount": "45.5"}]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def closed_loop(desk, clock):
    """A repair walked create → acknowledge → dispatch → arrive → resolve → callback 4 → close, 10 minutes apart."""
    number = desk.open(summary="空调不制冷")["number"]
    steps = [("acknowledge", {}), ("dispatch", {}), ("arrive", {}), ("resolve", {"parts": PARTS, "fees": FEES}),
             ("record_callback", {"score": 4, "note": "师傅准时"}), ("close", {})]
    for type_, payload in steps:
        clock.advance(minutes=10)
        response = desk.event(number, type_, **payload)
        assert response.status_code == 201, response.json
    return desk.get(f"/tickets/{number}").json


def test_the_closed_loop_leaves_one_event_per_step_in_order(closed_loop):
    assert event_types(closed_loop) == ["create", "acknowledge", "dispatch", "arrive", "resolve", "record_callback",
                                        "close"]
    assert closed_loop["status"] == "closed"


def test_each_event_records_the_status_before_and_after(closed_loop):
    assert [(e["status_before"], e["status_after"]) for e in closed_loop["events"]] == [
        (None, "received"), ("received", "acknowledged"), ("acknowledged", "dispatched"), ("dispatched", "on_site"),
        ("on_site", "resolved"), ("resolved", "verified"), ("verified", "closed")]


def test_each_event_records_who_and_when(closed_loop):
    assert {e["actor"] for e in closed_loop["events"]} == {"agent-user"}
    assert [e["at"] for e in closed_loop["events"]] == [
        "2026-07-07T10:00:00+08:00", "2026-07-07T10:10:00+08:00", "2026-07-07T10:20:00+08:00",
        "2026-07-07T10:30:00+08:00", "2026-07-07T10:40:00+08:00", "2026-07-07T10:50:00+08:00",
        "2026-07-07T11:00:00+08:00"]


def test_dispatch_records_the_technician_and_outlet(closed_loop, desk):
    dispatch = closed_loop["events"][2]
    assert dispatch["changes"]["technician_id"] == [None, desk.technician_id]
    assert dispatch["changes"]["outlet_id"][0] is None and dispatch["changes"]["outlet_id"][1] == closed_loop["outlet_id"]


def test_resolve_records_the_parts_and_fee_lines(closed_loop):
    resolve = closed_loop["events"][4]
    before, after = resolve["changes"]["work_lines"]
    assert before == {}
    assert after == {"parts": PARTS, "fees": [{"item": "上门费", "amount": "30.00"}, {"item": "电容", "amount": "45.50"}],
                     "fee_total": "75.50"}
    assert closed_loop["work_lines"] == after


def test_the_callback_records_its_score_and_note(closed_loop):
    callback = closed_loop["events"][5]
    assert (callback["changes"]["callback_score"], callback["note"]) == ([None, 4], "师傅准时")
    assert closed_loop["callback_score"] == 4


def test_every_milestone_met_on_time_records_its_moment(closed_loop):
    arrive = closed_loop["events"][3]
    assert _instant(arrive["changes"]["arrived_at"][1]) == _instant("2026-07-07T10:30:00+08:00")
    assert [m["state"] for m in closed_loop["milestones"]] == ["met", "met", "met"]


def test_the_create_event_records_the_summary(closed_loop):
    create = closed_loop["events"][0]
    assert (create["changes"], create["note"], create["actor"]) == ({"status": [None, "received"]}, "空调不制冷", "agent-user")


def test_the_event_names_the_user_who_made_it(desk, staff):
    number = desk.open()["number"]
    ticket = desk.event(number, "acknowledge", headers=staff("supervisor")).json
    assert ticket["events"][-1]["actor"] == "supervisor-user"


def test_a_closed_ticket_allows_only_reopen(closed_loop):
    assert closed_loop["allowed_events"] == ["reopen"]


# --- cancel ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("walk", [[], ["acknowledge"], ["dispatch"], ["dispatch", "arrive"]],
                         ids=["received", "acknowledged", "dispatched", "on_site"])
def test_an_open_ticket_can_be_cancelled_with_a_note(desk, walk):
    number = desk.open()["number"]
    desk.walk(number, *walk)
    ticket = desk.event(number, "cancel", note="客户已自行修好").json
    cancel = ticket["events"][-1]
    assert (ticket["status"], cancel["type"], cancel["note"]) == ("cancelled", "cancel", "客户已自行修好")
    assert _instant(cancel["changes"]["cancelled_at"][1]) == _instant("2026-07-07T10:00:00+08:00")


def test_a_cancelled_ticket_allows_nothing_more(desk):
    number = desk.open()["number"]
    assert desk.walk(number, "cancel")["allowed_events"] == []


# --- reopen ---------------------------------------------------------------------------------------

REOPENABLE = {
    "resolved": ["dispatch", "arrive", "resolve"],
    "verified": ["dispatch", "arrive", "resolve", "record_callback"],
    "closed": ["dispatch", "arrive", "resolve", "record_callback", "close"],
}


@pytest.mark.parametrize("status", REOPENABLE)
def test_reopening_goes_back_to_acknowledged_and_counts(desk, status):
    number = desk.open()["number"]
    desk.walk(number, *REOPENABLE[status])
    ticket = desk.event(number, "reopen", note="又不制冷了").json
    reopen = ticket["events"][-1]
    assert (ticket["status"], ticket["reopen_count"]) == ("acknowledged", 1)
    assert (reopen["status_before"], reopen["status_after"], reopen["note"]) == (status, "acknowledged", "又不制冷了")
    assert reopen["changes"]["reopen_count"] == [0, 1]


def test_reopening_clears_the_result_so_the_loop_runs_again(desk):
    number = desk.open()["number"]
    desk.walk(number, *REOPENABLE["closed"])
    ticket = desk.event(number, "reopen").json
    assert ticket["callback_score"] is None
    assert set(ticket["events"][-1]["changes"]) >= {"resolved_at", "verified_at", "closed_at", "callback_score"}
    assert ticket["allowed_events"] == ["dispatch", "cancel"]


def test_a_reopened_ticket_runs_the_loop_again_and_counts_each_reopen(desk):
    number = desk.open()["number"]
    desk.walk(number, *REOPENABLE["resolved"], "reopen", "dispatch", "arrive", "resolve")
    ticket = desk.walk(number, "reopen")
    assert (ticket["status"], ticket["reopen_count"]) == ("acknowledged", 2)


# --- dispatch only to certified technicians of contracted outlets (P-NET-1/2) ---------------------

def _technician(session, *, outlet_status=("signed", "passed"), **certificate) -> int:
    outlet = make_outlet(session, contract_status=outlet_status[0], review_status=outlet_status[1])
    technician = make_technician(session, outlet, **certificate)
    session.commit()
    return technician.id


REFUSED_DISPATCHES = [
    ("a certificate that expired yesterday", {"expires_on": date(2026, 7, 6)}, "P-NET-2"),
    ("no certificate", {"certificate_number": None, "expires_on": None}, "P-NET-2"),
    ("a certificate with no expiry date on record", {"expires_on": None}, "P-NET-2"),
    ("an outlet whose contract is pending", {"outlet_status": ("pending", "passed")}, "P-NET-1"),
    ("an outlet whose contract was terminated", {"outlet_status": ("terminated", "passed")}, "P-NET-1"),
    ("an outlet that failed review", {"outlet_status": ("signed", "failed")}, "P-NET-1"),
    ("an outlet not yet reviewed", {"outlet_status": ("signed", "pending")}, "P-NET-1"),
]


@pytest.mark.parametrize("setup, rule", [r[1:] for r in REFUSED_DISPATCHES], ids=[r[0] for r in REFUSED_DISPATCHES])
def test_dispatch_is_refused_409_and_writes_nothing(desk, session, written, setup, rule):
    technician_id = _technician(session, **setup)
    number = desk.open()["number"]
    before = written()
    response = desk.event(number, "dispatch", technician_id=technician_id)
    assert (response.status_code, response.json["error"]) == (409, "conflict")
    assert response.json["message"].startswith("cannot dispatch") and rule in response.json["message"]
    assert "None" not in response.json["message"]
    assert written() == before
    ticket = desk.get(f"/tickets/{number}").json
    assert (ticket["status"], ticket["technician_id"], ticket["outlet_id"]) == ("received", None, None)


def test_a_certificate_expiring_today_still_allows_dispatch(desk, session):
    technician_id = _technician(session, expires_on=date(2026, 7, 7))
    number = desk.open()["number"]
    response = desk.event(number, "dispatch", technician_id=technician_id)
    assert response.status_code == 201 and response.json["technician_id"] == technician_id


def test_redispatching_records_the_change_of_technician(desk, session):
    first, second = _technician(session), _technician(session)
    number = desk.open()["number"]
    desk.event(number, "dispatch", technician_id=first)
    ticket = desk.event(number, "dispatch", technician_id=second).json
    assert ticket["events"][-1]["changes"]["technician_id"] == [first, second]
