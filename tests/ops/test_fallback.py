"""The voice fallback (P-REC-1): it answers without the database, and its spool becomes callback tickets once."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator

from app.database import Database
from app.escalations.models import Escalation
from app.ivr.models import IvrCall
from app.tickets.models import Ticket
from scheduler.jobs import JOBS, JobContext
from tests.conftest import TWILIO_TEST_TOKEN
from tests.ops.conftest import UNREACHABLE
from tests.factories import make_customer, make_unit
from tests.ivr.conftest import Phone

CALLER = "+8613800138000"
TWILIO_NUMBER = "+17005550001"
HOME_AC_400 = "+864006757888"
WATER_HEATER = "+864000757112"
# Nothing listens on the discard port: every connection is refused at once.
REPLAYED_AT = datetime(2026, 7, 7, 2, 5, tzinfo=timezone.utc)
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=5"


def sid(n: int) -> str:
    return f"CA{n:032x}"


def signed_post(client, params: dict, *, path: str = "/twilio/voice/fallback", token: str = TWILIO_TEST_TOKEN):
    signature = RequestValidator(token).compute_signature("http://localhost" + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def call(n: int, *, from_: str = CALLER, to: str = WATER_HEATER, **extra) -> dict:
    return {"CallSid": sid(n), "From": from_, "To": to, "ErrorCode": "11200", **extra}


@pytest.fixture
def spool(tmp_path):
    return tmp_path / "spool" / "fallback-spool.jsonl"


@pytest.fixture
def spooling_settings(settings, spool):
    return replace(settings, fallback_spool=spool)


@pytest.fixture
def fallback_client(make_app, spool):
    return make_app(fallback_spool=spool).test_client()


def replay(settings, database_url=None) -> str:
    database = Database(database_url or settings.database_url)
    try:
        return JOBS["fallback_replay"](JobContext(database, settings), REPLAYED_AT)
    finally:
        database.dispose()


def callback_tickets(database_url) -> list[Ticket]:
    database = Database(database_url)
    with database.session() as session:
        tickets = list(session.scalars(select(Ticket).where(Ticket.kind == "callback").order_by(Ticket.id)))
    database.dispose()
    return tickets


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_fallback_answers_the_apology_and_spools_the_caller_with_the_database_unreachable(make_app, spool):
    app = make_app(database_url=UNREACHABLE, fallback_spool=spool)
    reply = signed_post(app.test_client(), call(1))
    assert reply.status_code == 200 and reply.mimetype == "text/xml"
    body = reply.get_data(as_text=True)
    assert "抱歉" in body and "回电" in body and "<Hangup />" in body
    [line] = spool.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) | {"key": "k", "at": "t"} == {"key": "k", "at": "t", "call_sid": sid(1), "from": CALLER,
                                                          "to": WATER_HEATER, "forwarded_from": ""}


def test_a_fallback_request_with_a_bad_signature_is_refused_and_spools_nothing(fallback_client, spool):
    reply = signed_post(fallback_client, call(1), token="not-the-token")
    assert reply.status_code == 403 and not spool.exists()


def test_the_fallback_logs_the_caller_masked(fallback_client, log_lines):
    signed_post(fallback_client, call(1))
    spooled = [line for line in log_lines if "spooled" in line]
    assert spooled and all(CALLER not in line and "+86138****8000" in line for line in spooled)


def test_the_spooled_callers_become_callback_tickets_on_their_hotline(fallback_client, spooling_settings,
                                                                       database_url, spool):
    signed_post(fallback_client, call(1))
    signed_post(fallback_client, call(2, from_="+8613911112222", to=TWILIO_NUMBER, ForwardedFrom=HOME_AC_400))
    summary = replay(spooling_settings)
    tickets = callback_tickets(database_url)
    assert [(t.phone, t.product_line, t.source) for t in tickets] == [
        (CALLER, "water_heater", "ivr"), ("+8613911112222", "home_ac", "ivr")]
    assert "new callback tickets 2" in summary and not spool.exists()


def test_the_spool_waits_while_the_database_does_not_answer_and_is_replayed_when_it_does(
        fallback_client, spooling_settings, database_url, spool):
    signed_post(fallback_client, call(1))
    with pytest.raises(OperationalError):
        replay(spooling_settings, UNREACHABLE)
    assert callback_tickets(database_url) == []
    replay(spooling_settings)
    assert [t.phone for t in callback_tickets(database_url)] == [CALLER]


def test_a_batch_replayed_again_after_a_crash_makes_no_second_ticket(fallback_client, spooling_settings,
                                                                      database_url, spool, tmp_path):
    signed_post(fallback_client, call(1))
    signed_post(fallback_client, call(2, from_="+8613911112222"))
    kept = tmp_path / "kept.jsonl"
    shutil.copy(spool, kept)
    replay(spooling_settings)
    # A drain killed after its commits but before it deleted its batch leaves the batch behind.
    shutil.copy(kept, spool.with_name(spool.name + ".replaying"))
    signed_post(fallback_client, call(3, from_="+8613700000001"))
    summary = replay(spooling_settings)
    assert sorted(t.phone for t in callback_tickets(database_url)) == sorted(
        [CALLER, "+8613911112222", "+8613700000001"])
    assert "already ticketed 2" in summary and "new callback tickets 1" in summary


def test_one_call_that_reached_the_fallback_twice_gets_one_callback_ticket(fallback_client, spooling_settings,
                                                                           database_url):
    signed_post(fallback_client, call(1))
    signed_post(fallback_client, call(1))
    replay(spooling_settings)
    assert [t.idempotency_key for t in callback_tickets(database_url)] == [f"call:{sid(1)}:callback"]


def test_a_withheld_caller_becomes_a_task_for_staff(fallback_client, spooling_settings, database_url, session):
    signed_post(fallback_client, call(1, from_="anonymous"))
    summary = replay(spooling_settings)
    assert callback_tickets(database_url) == [] and "to staff 1" in summary
    [task] = session.scalars(select(Escalation)).all()
    assert (task.reason, task.queue) == ("ivr_no_callback_number", "staff_inbox")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/step?n=1&ev=input"])
def test_a_step_that_fails_for_want_of_the_database_apologises_and_spools_the_caller(make_app, spool, path):
    app = make_app(database_url=UNREACHABLE, fallback_spool=spool)
    reply = signed_post(app.test_client(), {**call(1), "Digits": "1"}, path=path)
    assert reply.status_code == 200 and "抱歉" in reply.get_data(as_text=True)
    assert [json.loads(line)["call_sid"] for line in spool.read_text(encoding="utf-8").splitlines()] == [sid(1)]


@pytest.fixture
def unreachable_client(make_app, spool):
    """The same node's app, its database gone: the same spool, no database."""
    return make_app(database_url=UNREACHABLE, fallback_spool=spool).test_client()


@pytest.fixture
def known_caller(session):
    customer = make_customer(session, phone=CALLER)
    make_unit(session, customer, product_line="home_ac", serial="HA00001111", installed_on=date(2024, 5, 1))
    session.commit()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_hang_up_the_database_missed_leaves_the_callback_ticket_when_replayed(
        fallback_client, unreachable_client, spooling_settings, database_url, known_caller, session, clock):
    call = Phone(fallback_client, from_=CALLER, to=HOME_AC_400)
    call.dial()
    call.press("1")  # repair chosen: the call now owes the caller a ticket
    hung_up_at = clock.now()
    Phone(unreachable_client, from_=CALLER, to=HOME_AC_400, sid=call.sid).hang_up()
    clock.advance(minutes=3)
    assert "hang-ups taken late 1" in replay(spooling_settings)
    [ticket] = callback_tickets(database_url)
    assert ticket.idempotency_key == f"call:{call.sid}:callback"
    ended = session.scalar(select(IvrCall).where(IvrCall.call_sid == call.sid))
    assert ended.ended_at == hung_up_at and ended.abandoned


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_hang_up_the_database_missed_after_the_ticket_leaves_no_callback(
        fallback_client, unreachable_client, spooling_settings, database_url, known_caller):
    call = Phone(fallback_client, from_=CALLER, to=HOME_AC_400)
    call.dial()
    call.press("1")
    call.press("1")
    assert "工单号" in call.press("1").text
    Phone(unreachable_client, from_=CALLER, to=HOME_AC_400, sid=call.sid).hang_up()
    replay(spooling_settings)
    assert callback_tickets(database_url) == []
