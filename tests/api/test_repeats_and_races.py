"""A repeated request creates nothing twice; two people racing on one ticket cannot both win."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.staff.models import User
from app.tickets.models import Ticket
from app.tickets.services import NewTicket, apply_event, create_ticket
from tests.api.readers import event_types

SH = ZoneInfo("Asia/Shanghai")


def test_the_same_idempotency_key_twice_gives_one_ticket(desk, agent, written):
    headers = {**agent, "Idempotency-Key": "form-7f3a"}
    first = desk.create(headers=headers)
    second = desk.create(headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["number"] == first.json["number"]
    assert written() == {"tickets": 1, "ticket_events": 1, "messages": 1, "escalations": 0}


def test_the_same_key_and_request_in_other_words_gives_the_first_ticket(desk, agent):
    headers = {**agent, "Idempotency-Key": "form-7f3b"}
    first = desk.create(headers=headers, phone="13800138000", summary="不制冷")
    second = desk.create(headers=headers, phone="+86 138 0013 8000", summary=" 不制冷 ", main_equipment=True)
    assert (second.status_code, second.json["number"]) == (200, first.json["number"])


@pytest.mark.parametrize("change", [{"kind": "install"}, {"phone": "13900139000"}, {"summary": "漏水"},
                                    {"product_line": "water_heater"}, {"main_equipment": False}])
def test_the_same_idempotency_key_with_a_different_request_is_a_422_naming_the_key(desk, agent, written, change):
    headers = {**agent, "Idempotency-Key": "form-7f3c"}
    first = desk.create(headers=headers, summary="不制冷")
    before = written()
    second = desk.create(headers=headers, **{"summary": "不制冷", **change})
    assert (first.status_code, second.status_code) == (201, 422)
    assert second.json["error"] == "idempotency_key_reused" and "Idempotency-Key" in second.json["fields"]
    assert "'form-7f3c'" in second.json["message"] and first.json["number"] in second.json["message"]
    assert written() == before


def test_different_idempotency_keys_give_different_tickets(desk, agent):
    first = desk.create(headers={**agent, "Idempotency-Key": "a"})
    second = desk.create(headers={**agent, "Idempotency-Key": "b"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["number"] != second.json["number"]


def test_an_idempotency_key_belongs_to_the_user_who_sent_it(desk, agent, staff):
    mine = desk.create(headers={**agent, "Idempotency-Key": "same"})
    theirs = desk.create(headers={**staff("supervisor"), "Idempotency-Key": "same"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["number"] != theirs.json["number"]


def test_without_a_key_each_submit_is_a_new_ticket(desk):
    assert desk.open()["number"] != desk.open()["number"]


@pytest.mark.parametrize("key", ["", "k" * 65])
def test_an_idempotency_key_of_the_wrong_length_is_400(desk, agent, written, key):
    before = written()
    response = desk.create(headers={**agent, "Idempotency-Key": key})
    assert response.status_code == 400 and "Idempotency-Key" in response.json["fields"]
    assert written() == before


def test_a_double_clicked_acknowledge_is_201_then_409_with_the_reason(desk, written):
    number = desk.open()["number"]
    first = desk.event(number, "acknowledge")
    before = written()
    second = desk.event(number, "acknowledge")
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json["message"] == "the ticket was already acknowledged (status is acknowledged)"
    assert written() == before
    assert event_types(desk.get(f"/tickets/{number}").json) == ["create", "acknowledge"]


# --- optimistic locking ---------------------------------------------------------------------------

def _load(session: Session, number: str) -> Ticket:
    return session.scalar(select(Ticket).where(Ticket.number == number))


def test_two_sessions_applying_events_to_one_ticket_the_second_fails_stale(app, desk, clock):
    number = desk.open()["number"]
    database = app.extensions["database"]
    with database.session() as first, database.session() as second:
        mine, theirs = _load(first, number), _load(second, number)
        apply_event(first, mine, "acknowledge", {}, actor="agent-a", now=clock.now(), tz=SH)
        first.commit()
        with pytest.raises(StaleDataError):
            apply_event(second, theirs, "cancel", {"note": "重复工单"}, actor="agent-b", now=clock.now(), tz=SH)
            second.commit()
    ticket = desk.get(f"/tickets/{number}").json
    assert (ticket["status"], event_types(ticket)) == ("acknowledged", ["create", "acknowledge"])


def test_each_applied_event_moves_the_version_on(app, desk, clock):
    number = desk.open()["number"]
    with app.extensions["database"].session() as session:
        ticket = _load(session, number)
        version = ticket.version
        apply_event(session, ticket, "acknowledge", {}, actor="agent-a", now=clock.now(), tz=SH)
        session.commit()
        assert ticket.version == version + 1


def test_an_event_that_loses_a_race_through_the_api_is_a_409_and_writes_nothing(app, desk, clock):
    number = desk.open()["number"]
    database = app.extensions["database"]
    raced = []

    def someone_else_cancels_first(request_session, _flush_context, _instances):
        # Runs inside the request, after it loaded the ticket and before it writes: the other desk wins.
        if raced:
            return
        raced.append(True)
        with Session(database.engine) as other:
            apply_event(other, _load(other, number), "cancel", {"note": "客户来电取消"}, actor="other-desk",
                        now=clock.now(), tz=SH)
            other.commit()

    event.listen(database.sessions, "before_flush", someone_else_cancels_first)
    try:
        response = desk.event(number, "acknowledge")
    finally:
        event.remove(database.sessions, "before_flush", someone_else_cancels_first)
    assert raced and response.status_code == 409
    assert "changed by someone else" in response.json["message"]
    ticket = desk.get(f"/tickets/{number}").json
    assert (ticket["status"], event_types(ticket)) == ("cancelled", ["create", "cancel"])


def test_the_same_idempotency_key_racing_in_two_requests_gives_one_ticket(app, desk, agent, clock, written):
    database = app.extensions["database"]
    raced = []

    def the_other_submit_lands_first(request_session, _flush_context, _instances):
        if raced:
            return
        raced.append(True)
        with Session(database.engine) as other:
            user = other.scalar(select(User).where(User.name == "agent-user"))
            create_ticket(other, NewTicket(kind="repair", product_line="home_ac", phone="13800138000",
                                           idempotency_key=f"api:{user.id}:dbl"), actor="agent-user", now=clock.now())
            other.commit()

    event.listen(database.sessions, "before_flush", the_other_submit_lands_first)
    try:
        response = desk.create(headers={**agent, "Idempotency-Key": "dbl"})
    finally:
        event.remove(database.sessions, "before_flush", the_other_submit_lands_first)
    assert raced and response.status_code == 200
    assert written()["tickets"] == 1
    assert desk.get("/tickets").json["items"][0]["number"] == response.json["number"]
