"""The outbound voice survey (P-CARE-2): a key 1-5 goes to the surveys; a silent call goes to staff."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from app.surveys.models import Survey
from app.tickets.services import NewTicket, create_ticket
from tests.ivr.conftest import KNOWN, call_row, escalations


def _calling(session, clock, sid: str) -> Survey:
    ticket = create_ticket(session, NewTicket(kind="repair", product_line="home_ac", phone=KNOWN), actor="test",
                           now=clock.now()).ticket
    survey = Survey(ticket_id=ticket.id, round=1, phone=KNOWN, status="calling", created_at=clock.now(),
                    bad_replies=0, answer_text="", call_sid=sid, route="voice",
                    call_requested_at=datetime(2026, 7, 7, 1, 0, tzinfo=timezone.utc))
    session.add(survey)
    session.commit()
    return survey


def _survey_phone(phone, session, clock):
    call = phone(to=KNOWN, from_="+864006757888")
    call.params["Direction"] = "outbound-api"
    survey = _calling(session, clock, call.sid)
    return call, survey


def _answered(call, survey_id: int):
    return call.post(f"/twilio/voice/survey?survey_id={survey_id}")


def test_the_survey_call_asks_for_a_rating_from_1_to_5(phone, session, clock):
    call, survey = _survey_phone(phone, session, clock)
    reply = _answered(call, survey.id)
    assert "请为本次服务打分" in reply.text and reply.gather is not None and reply.verb("Redirect") is not None


def test_a_key_records_the_rating_and_thanks_the_customer(phone, session, clock):
    call, survey = _survey_phone(phone, session, clock)
    _answered(call, survey.id)
    reply = call.press("5")
    assert reply.hung_up and "感谢您的评价" in reply.text
    session.expire_all()
    stored = session.get(Survey, survey.id)
    assert (stored.status, stored.score, stored.answer_channel) == ("answered", 5, "voice")


def test_a_low_rating_reaches_a_person(phone, session, clock):
    call, survey = _survey_phone(phone, session, clock)
    _answered(call, survey.id)
    call.press("1")
    assert any(e.queue == "supervisor" for e in escalations(session))


def test_a_wrong_key_is_asked_again(phone, session, clock):
    call, survey = _survey_phone(phone, session, clock)
    _answered(call, survey.id)
    assert "请按1到5之间的数字" in call.press("8").text


def test_silence_three_times_ends_the_call_and_the_survey_goes_to_staff(phone, session, clock):
    call, survey = _survey_phone(phone, session, clock)
    _answered(call, survey.id)
    call.silence()
    call.silence()
    assert call.silence().hung_up
    call.hang_up()
    session.expire_all()
    assert session.get(Survey, survey.id).status == "staff"
    assert call_row(session, call.sid).direction == "survey"


def test_an_unanswered_survey_call_is_told_to_the_surveys(phone, session, clock):
    call, survey = _survey_phone(phone, session, clock)
    call.hang_up(status="no-answer")
    session.expire_all()
    stored = session.scalar(select(Survey).where(Survey.id == survey.id))
    assert stored.call_status == "no-answer" and stored.status == "staff"


def test_a_survey_that_does_not_exist_is_ended_politely(phone, session, clock):
    call, _ = _survey_phone(phone, session, clock)
    _answered(call, 999)
    reply = call.press("4")
    assert reply.hung_up and "评分未能记录" in reply.text


def test_a_survey_url_without_an_id_still_answers_twiml(phone, session, clock):
    call, _ = _survey_phone(phone, session, clock)
    assert call.post("/twilio/voice/survey").root is not None
