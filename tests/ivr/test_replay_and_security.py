"""Twilio may send a step twice: nothing is done twice. A request that is not Twilio's changes nothing."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.ivr.calls import Runtime, take_step
from app.ivr.flows import load_flows
from app.ivr.models import IvrCall
from app.ivr.routing import CallParams
from app.messaging.models import Message
from app.tickets.models import Ticket
from tests.ivr.conftest import BASE, STRANGER, call_row, count, tickets


def _at_the_fault_menu(phone):
    call = phone()
    call.dial()
    call.press("1")
    call.press("1")
    return call


def test_a_replayed_ticket_step_answers_the_same_and_creates_nothing_twice(phone, session, known_customer):
    call = _at_the_fault_menu(phone)
    action = call._target(call.last.gather.get("action"))
    first = call.post(action, {"Digits": "1"})
    again = call.post(action, {"Digits": "1"})
    assert again.body == first.body
    assert count(session, Ticket) == 1 and count(session, Message) == 1


def test_a_replayed_first_answer_answers_the_same(phone, session):
    call = phone(from_=STRANGER)
    call.dial()
    action = call._target(call.last.gather.get("action"))
    first = call.post(action, {"Digits": "5"})
    assert call.post(action, {"Digits": "5"}).body == first.body
    assert count(session, IvrCall) == 1


def test_a_replayed_welcome_answers_the_same_and_writes_nothing(phone, session):
    call = phone(from_=STRANGER)
    assert call.dial().body == call.dial().body
    assert count(session, IvrCall) == 0


def test_an_old_step_arriving_late_gets_the_current_answer_and_moves_nothing(phone, session, known_customer):
    call = phone()
    call.dial()
    old_action = call._target(call.last.gather.get("action"))
    call.press("1")
    current = call.press("1")
    late = call.post(old_action, {"Digits": "3"})
    assert late.body == current.body and call_row(session, call.sid).node == "repair_fault"


def test_a_step_never_answered_for_an_unknown_call_gets_the_apology_path(phone, session):
    call = phone(from_=STRANGER)
    reply = call.post("/twilio/voice/step?n=7&ev=input", {"Digits": "1"})
    assert "系统暂时出现问题" in reply.text and reply.verb("Dial") is not None


def test_an_unsigned_request_is_refused_and_changes_nothing(client, phone, session, known_customer):
    call = _at_the_fault_menu(phone)
    action = call._target(call.last.gather.get("action"))
    response = client.post(action, data={**call.params, "Digits": "1"})
    assert response.status_code == 403
    assert count(session, Ticket) == 0 and call_row(session, call.sid).node == "repair_fault"


def test_a_tampered_parameter_is_refused_and_changes_nothing(phone, session, known_customer):
    call = _at_the_fault_menu(phone)
    action = call._target(call.last.gather.get("action"))
    reply = call.post(action, {"Digits": "1"}, tamper={"Digits": "4"})
    assert reply.status == 403 and count(session, Ticket) == 0


def test_a_signature_over_another_url_is_refused(phone, session, known_customer):
    call = _at_the_fault_menu(phone)
    action = call._target(call.last.gather.get("action"))
    reply = call.post(action, {"Digits": "1"}, sign_url="https://evil.example.com" + action)
    assert reply.status == 403 and count(session, Ticket) == 0


def test_a_step_number_changed_in_the_url_breaks_the_signature(phone, session, known_customer):
    call = _at_the_fault_menu(phone)
    action = call._target(call.last.gather.get("action"))
    reply = call.post(action.replace("n=3", "n=4"), {"Digits": "1"}, sign_url=BASE + action)
    assert reply.status == 403 and count(session, Ticket) == 0


def test_an_unsigned_status_callback_leaves_no_callback_ticket(client, phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    response = client.post("/twilio/voice/status", data={**call.params, "CallStatus": "completed"},
                           headers={"X-Twilio-Signature": "AAAA"})
    assert response.status_code == 403 and tickets(session) == [] and call_row(session, call.sid).ended_at is None


def test_behind_a_proxy_the_signature_is_checked_over_public_base_url(phone, settings, session):
    settings.public_base_url = "https://cc.example.com"
    call = phone(from_=STRANGER)
    assert call.post("/twilio/voice", sign_url="https://cc.example.com/twilio/voice").status == 200
    assert call.post("/twilio/voice").status == 403  # signed over the internal URL the proxy hides


def test_a_step_another_request_took_meanwhile_is_undone_and_then_answered_as_stored(
        app, settings, clock, phone, session, known_customer):
    # Twilio's retry and the original run at once: the late one read the call while it still
    # waited for this step; the other then took the step (one ticket, one text) and committed.
    call = _at_the_fault_menu(phone)
    action = call._target(call.last.gather.get("action"))
    query = {key: values[0] for key, values in parse_qs(urlsplit(action).query).items()}
    late = app.extensions["database"].session()
    stale = late.scalar(select(IvrCall).where(IvrCall.call_sid == call.sid))
    first = call.post(action, {"Digits": "1"})
    assert count(session, Ticket) == 1 and stale.step == int(query["n"])

    rt = Runtime(flows=load_flows(settings.ivr_flows_dir), settings=settings, now=clock.now(),
                 tz=ZoneInfo(settings.tz_name))
    params = CallParams.from_form({**call.params, "Digits": "1"})
    with pytest.raises(StaleDataError):  # its UPDATE ... WHERE step = n finds the call moved on
        take_step(late, rt, params, n=int(query["n"]), event=query["ev"], query=query)
    late.rollback()
    late.close()
    session.expire_all()
    assert count(session, Ticket) == 1 and count(session, Message) == 1
    # The webhook runs a clashing step again: it now finds the step answered and repeats the answer.
    assert call.post(action, {"Digits": "1"}).body == first.body
    assert count(session, Ticket) == 1 and count(session, Message) == 1
