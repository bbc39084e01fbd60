"""An internal error during a call: an apology and the hand-off path in valid TwiML, never a 500."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import SHANGHAI, postgresql_only
from tests.ivr.conftest import STAFF, call_row, tickets

BROKEN_FLOW = """
[flow]
kind = "hotline"
product_line = "home_ac"
languages = ["zh"]
start = "menu"

[words.apology]
zh = "抱歉，系统出现问题，正在为您转接。"
[words.apology_closed]
zh = "抱歉，系统出现问题，我们会给您回电。"
[words.callback_summary]
zh = "{service}中出错，请回电"
[words.service_rescue]
zh = "系统故障"

[nodes.menu]
kind = "menu"
prompt = { zh = "报修请按1。" }
options = { "1" = "repair" }
on_timeout = { goto = "menu" }
on_invalid = { goto = "menu" }
fallback = "bye"

[nodes.repair]
kind = "branch"
service = "repair"
test = "a_test_nobody_wrote"
then = "bye"
else = "bye"

[nodes.bye]
kind = "hangup"
"""


@pytest.fixture
def broken(settings, tmp_path):
    (tmp_path / "home_ac.toml").write_text(BROKEN_FLOW, encoding="utf-8")
    settings.ivr_flows_dir = tmp_path


def test_a_failing_step_apologises_and_rings_the_staff(broken, phone):
    call = phone()
    call.dial()
    reply = call.press("1")
    dial = reply.verb("Dial")
    assert "系统出现问题" in reply.text and [n.text for n in dial.iter("Number")] == [STAFF]
    assert dial.get("action") == "/twilio/voice/rescue"


def test_after_the_apology_no_answer_from_staff_ends_with_a_callback_ticket(broken, phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    reply = call.staff_answer("no-answer")
    assert reply.hung_up and "我们会给您回电" in reply.text
    call.hang_up()
    [ticket] = tickets(session)
    assert ticket.kind == "callback" and ticket.summary == "系统故障中出错，请回电"


def test_after_the_apology_a_person_who_answers_settles_the_call(broken, phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    assert call.staff_answer("completed").hung_up
    call.hang_up()
    assert tickets(session) == [] and call_row(session, call.sid).service_done


def test_outside_staffed_hours_the_apology_promises_a_callback(broken, phone, clock, session, known_customer):
    clock.set(datetime(2026, 7, 7, 23, 0, tzinfo=SHANGHAI))
    call = phone()
    call.dial()
    reply = call.press("1")
    assert reply.hung_up and "我们会给您回电" in reply.text
    call.hang_up()
    assert [t.kind for t in tickets(session)] == ["callback"]


def test_a_flow_that_cannot_start_still_answers_twiml(settings, tmp_path, phone):
    (tmp_path / "home_ac.toml").write_text(BROKEN_FLOW.replace('start = "menu"', 'start = "nowhere"'), encoding="utf-8")
    settings.ivr_flows_dir = tmp_path
    reply = phone().dial()
    assert "系统出现问题" in reply.text and reply.verb("Dial") is not None


def test_no_flows_at_all_still_answers_twiml(settings, tmp_path, phone):
    settings.ivr_flows_dir = tmp_path / "missing"
    reply = phone().dial()
    assert reply.verb("Dial") is not None


def test_a_request_without_a_call_sid_still_answers_twiml(client, phone):
    call = phone()
    del call.params["CallSid"]
    assert call.post("/twilio/voice").root is not None


def test_a_body_too_large_to_verify_is_refused_and_changes_nothing(app, phone, session):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    call = phone()
    call.dial()
    call.press("1")
    reply = call.post(call._target(call.last.gather.get("action")), {"Digits": "1" * 5000})
    assert reply.status == 403 and call_row(session, call.sid).node == "serial_known"


@postgresql_only
def test_a_welcome_after_the_database_dropped_its_connection_still_knows_the_caller(app, phone, session,
                                                                                   known_customer):
    from sqlalchemy import text

    database = app.extensions["database"]
    pid = database.read(text("SELECT pg_backend_pid()"))[0][0]
    session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    session.commit()
    assert "欢迎再次致电" in phone().dial().text
