"""The automated voice survey: who is called, how the call is placed, and what its end means."""
import pytest
from sqlalchemy.exc import IntegrityError

from app.messaging.suppressions import suppress
from app.config import Settings
from app.surveys.calls import claim_call
from app.surveys.models import Survey
from app.surveys.policy import SurveyPolicy
from app.closed_loop.answers import record_survey_answer
from app.surveys.services import voice_call_ended
from scheduler.jobs import JOBS, JobContext
from tests.surveys.support import (PUBLIC_BASE_URL, SURVEY_LINE, at, open_escalations, resolved_job, survey_of,
                                   texts_to)

LANDLINE = "+867712345678"  # a Nanning landline
RESOLVED = at(7, 10)


@pytest.fixture
def landline_job(session):
    ticket = resolved_job(session, RESOLVED, phone=LANDLINE, phone_kind="fixed_line")
    session.commit()
    return ticket


def placed_call(session, standin, run_job, ticket, when=at(7, 10, 5)):
    run_job("survey_send", when)
    run_job("survey_followup", when)
    [call] = standin.calls
    return survey_of(session, ticket), call


def test_a_landline_gets_no_text_and_one_call_from_the_hotlines_twilio_number(session, standin, run_job, landline_job):
    survey, call = placed_call(session, standin, run_job, landline_job)
    assert texts_to(session, LANDLINE, "survey_request") == []
    assert (survey.status, survey.route, survey.call_sid) == ("calling", "voice", call["sid"])
    assert call["to"] == LANDLINE and call["from"] == SURVEY_LINE
    assert call["url"] == f"{PUBLIC_BASE_URL}/twilio/voice/survey?survey_id={survey.id}"
    assert call["status_callback"] == f"{PUBLIC_BASE_URL}/twilio/voice/status"


def test_a_number_that_opted_out_is_called_instead_of_texted(session, standin, run_job):
    ticket = resolved_job(session, RESOLVED, phone="+8613800138000")
    suppress(session, "+8613800138000", source="sms", reason="退订", now=RESOLVED)
    session.commit()
    survey, call = placed_call(session, standin, run_job, ticket)
    assert texts_to(session, "+8613800138000", "survey_request") == [] and call["to"] == "+8613800138000"


def test_rerunning_the_followup_places_no_second_call(session, standin, run_job, landline_job):
    placed_call(session, standin, run_job, landline_job)
    run_job("survey_followup", at(7, 10, 10))
    assert len(standin.calls) == 1


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_a_call_nobody_answered_becomes_a_staff_callback_task(session, standin, run_job, landline_job, status):
    survey, call = placed_call(session, standin, run_job, landline_job)
    assert voice_call_ended(session, call_sid=call["sid"], call_status=status, now=at(7, 10, 7)) is True
    session.commit()
    [task] = open_escalations(session, "survey_callback")
    assert (task.queue, task.ticket_id) == ("agent", landline_job.id)
    assert survey_of(session, landline_job).status == "staff"


def test_a_call_answered_and_hung_up_without_a_rating_becomes_a_staff_task(session, standin, run_job, landline_job):
    _survey, call = placed_call(session, standin, run_job, landline_job)
    voice_call_ended(session, call_sid=call["sid"], call_status="completed", now=at(7, 10, 7))
    session.commit()
    assert len(open_escalations(session, "survey_callback")) == 1


def test_a_call_rated_by_key_verifies_the_ticket_and_its_end_changes_nothing(session, standin, run_job, landline_job):
    survey, call = placed_call(session, standin, run_job, landline_job)
    record_survey_answer(session, survey_id=survey.id, answer="5", channel="voice", now=at(7, 10, 6))
    voice_call_ended(session, call_sid=call["sid"], call_status="completed", now=at(7, 10, 7))
    session.commit()
    assert survey_of(session, landline_job).ticket.status == "verified"
    assert open_escalations(session, "survey_callback") == []


def test_a_repeated_status_callback_raises_one_task(session, standin, run_job, landline_job):
    _survey, call = placed_call(session, standin, run_job, landline_job)
    for _ in range(2):
        voice_call_ended(session, call_sid=call["sid"], call_status="busy", now=at(7, 10, 7))
        session.commit()
    assert len(open_escalations(session, "survey_callback")) == 1


def test_a_ringing_status_is_recorded_but_ends_nothing(session, standin, run_job, landline_job):
    _survey, call = placed_call(session, standin, run_job, landline_job)
    voice_call_ended(session, call_sid=call["sid"], call_status="ringing", now=at(7, 10, 6))
    session.commit()
    survey = survey_of(session, landline_job)
    assert (survey.status, survey.call_status) == ("calling", "ringing")


def test_a_call_sid_that_is_not_a_survey_call_is_not_ours(session, landline_job):
    assert voice_call_ended(session, call_sid="CA" + "f" * 32, call_status="completed", now=RESOLVED) is False


def test_a_call_twilio_refuses_goes_to_staff_and_is_not_retried(session, standin, run_job, landline_job):
    standin.fail_next(1, http_status=400, code=21211, resource="Calls")
    run_job("survey_send", at(7, 10, 5))
    run_job("survey_followup", at(7, 10, 5))
    run_job("survey_followup", at(7, 10, 10))
    assert standin.calls == []
    assert survey_of(session, landline_job).status == "staff"
    assert len(open_escalations(session, "survey_callback")) == 1


def test_a_call_claimed_by_a_process_that_died_is_never_placed_and_goes_to_staff(app, session, standin, run_job,
                                                                                 landline_job):
    run_job("survey_send", at(7, 10, 5))
    survey = survey_of(session, landline_job)
    # The process claims the call, commits the claim, and dies before Twilio answers.
    assert claim_call(session, survey.id, now=at(7, 10, 6), policy=SurveyPolicy(public_base_url=PUBLIC_BASE_URL,
                                                                                default_caller_id=SURVEY_LINE))
    session.commit()
    run_job("survey_followup", at(7, 10, 12))
    assert standin.calls == [] and survey_of(session, landline_job).status == "calling"
    run_job("survey_followup", at(7, 10, 17))
    assert standin.calls == [] and survey_of(session, landline_job).status == "staff"


def test_a_placed_call_whose_status_never_comes_back_goes_to_staff_after_two_hours(session, standin, run_job,
                                                                                   landline_job):
    placed_call(session, standin, run_job, landline_job)
    run_job("survey_followup", at(7, 12, 0))
    assert survey_of(session, landline_job).status == "calling"
    run_job("survey_followup", at(7, 12, 10))
    assert survey_of(session, landline_job).status == "staff" and len(standin.calls) == 1


def test_no_automated_call_in_quiet_hours_it_waits_for_the_morning(session, standin, run_job):
    ticket = resolved_job(session, at(7, 19, 50), phone=LANDLINE, phone_kind="fixed_line")
    session.commit()
    run_job("survey_send", at(7, 19, 55))
    run_job("survey_followup", at(7, 20, 5))
    assert standin.calls == []
    run_job("survey_followup", at(8, 8, 0))
    assert len(standin.calls) == 1 and survey_of(session, ticket).status == "calling"


def test_a_survey_resolved_at_night_is_not_asked_until_the_morning(session, run_job):
    ticket = resolved_job(session, at(7, 22))
    session.commit()
    run_job("survey_send", at(7, 22, 5))
    assert texts_to(session, "+8613800138000", "survey_request") == []
    run_job("survey_send", at(8, 8, 0))
    assert len(texts_to(session, "+8613800138000", "survey_request")) == 1 and survey_of(session, ticket).status == "texted"


def test_without_a_voice_line_the_survey_goes_straight_to_a_person(app, session, landline_job):
    off = Settings(database_url=app.extensions["database"].url, voice_backend="off")
    context = JobContext(app.extensions["database"], off)
    JOBS["survey_send"](context, at(7, 10, 5))
    JOBS["survey_followup"](context, at(7, 10, 5))
    assert survey_of(session, landline_job).status == "staff"
    [task] = open_escalations(session, "survey_callback")
    assert task.queue == "agent"


def test_the_database_refuses_a_second_survey_for_one_ticket(session, landline_job):
    session.add(Survey(ticket_id=landline_job.id, round=1, phone=LANDLINE, status="pending", created_at=RESOLVED,
                       bad_replies=0, answer_text=""))
    with pytest.raises(IntegrityError):
        session.flush()
