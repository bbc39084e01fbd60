"""record_survey_answer: the one way a rating reaches a ticket, by text, by voice or by a person."""
import pytest
from sqlalchemy import select

from app.errors import NotFound, ValidationFailed
from app.closed_loop.answers import record_survey_answer
from app.tickets.models import TicketEvent
from tests.surveys.support import at, open_escalations, resolved_job, survey_of

RESOLVED = at(7, 10)


@pytest.fixture
def survey(session):
    ticket = resolved_job(session, RESOLVED)
    session.commit()
    return survey_of(session, ticket)


def answer(session, survey, text, channel="voice", when=at(7, 11)):
    outcome = record_survey_answer(session, survey_id=survey.id, answer=text, channel=channel, now=when)
    session.commit()
    return outcome


def test_resolving_a_repair_opens_its_survey_in_the_same_transaction(session, survey):
    assert survey.status == "pending" and survey.round == 1 and survey.ticket.status == "resolved"


def test_a_readable_answer_verifies_the_ticket_with_a_record_callback_event_by_survey(session, survey):
    outcome = answer(session, survey, "５分")
    assert (outcome.understood, outcome.recorded, outcome.score) == (True, True, 5)
    ticket = survey_of(session, survey.ticket).ticket
    assert (ticket.status, ticket.callback_score) == ("verified", 5)
    event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id.desc()))
    assert (event.type, event.actor) == ("record_callback", "survey")


def test_the_outcome_names_the_ticket_it_counted_for(session, survey):
    assert answer(session, survey, "满意").ticket_number == survey.ticket.number


def test_an_unreadable_answer_changes_nothing(session, survey):
    outcome = answer(session, survey, "空调还是不制冷")
    assert (outcome.understood, outcome.recorded, outcome.score) == (False, False, None)
    again = survey_of(session, survey.ticket)
    assert again.status == "pending" and again.ticket.status == "resolved"


def test_a_second_answer_leaves_the_first_standing(session, survey):
    answer(session, survey, "4")
    outcome = answer(session, survey, "1", when=at(7, 12))
    assert (outcome.understood, outcome.recorded, outcome.score) == (True, False, 4)
    assert survey_of(session, survey.ticket).ticket.callback_score == 4
    assert open_escalations(session, "unhappy_customer") == []


@pytest.mark.parametrize("text", ["2", "1分", "不满意", "不太满意"])
def test_a_score_of_two_or_less_goes_to_a_supervisor_at_once(session, survey, text):
    outcome = answer(session, survey, text)
    assert outcome.escalated
    [escalation] = open_escalations(session, "unhappy_customer")
    assert (escalation.queue, escalation.ticket_id) == ("supervisor", survey.ticket_id)


def test_a_score_of_three_is_not_escalated(session, survey):
    assert not answer(session, survey, "3").escalated
    assert open_escalations(session, "unhappy_customer") == []


def test_an_unknown_survey_is_not_found(session, survey):
    with pytest.raises(NotFound):
        record_survey_answer(session, survey_id=survey.id + 999, answer="5", channel="voice", now=RESOLVED)


def test_an_unknown_channel_is_refused(session, survey):
    with pytest.raises(ValidationFailed):
        record_survey_answer(session, survey_id=survey.id, answer="5", channel="fax", now=RESOLVED)


def test_an_answer_to_a_withdrawn_survey_does_not_verify_the_reopened_ticket(session, survey):
    from tests.surveys.support import move

    move(session, survey.ticket, "reopen", at(7, 10, 30), note="故障复发")
    session.commit()
    outcome = answer(session, survey, "5")
    assert (outcome.understood, outcome.recorded) == (True, False)
    assert survey_of(session, survey.ticket).ticket.status == "acknowledged"


def test_a_job_resolved_again_after_a_reopen_is_surveyed_again_as_a_new_round(session, survey):
    from tests.surveys.support import move

    answer(session, survey, "1")
    ticket = survey_of(session, survey.ticket).ticket
    move(session, ticket, "reopen", at(7, 12), note="故障复发")
    move(session, ticket, "dispatch", at(7, 12, 10), technician_id=ticket.technician_id)
    move(session, ticket, "arrive", at(7, 13))
    move(session, ticket, "resolve", at(7, 14))
    session.commit()
    again = survey_of(session, ticket)
    assert (again.status, again.round, again.score) == ("pending", 2, None)


def test_an_install_is_surveyed_and_an_enquiry_is_not(session):
    from tests.surveys.support import open_ticket

    install = resolved_job(session, RESOLVED, kind="install", phone="+8613900139000")
    enquiry = open_ticket(session, RESOLVED, kind="inquiry", phone="+8613700137000")
    from tests.surveys.support import move

    move(session, enquiry, "resolve", at(7, 10, 5))
    session.commit()
    assert survey_of(session, install) is not None and survey_of(session, enquiry) is None


def test_the_supervisor_reads_the_customers_words_beside_the_score(session, survey):
    answer(session, survey, "1分 太慢了", channel="sms")
    [escalation] = open_escalations(session, "unhappy_customer")
    assert escalation.detail == "callback score 1: 太慢了 (survey by sms)"


def test_a_bare_unhappy_score_escalates_once_saying_how_it_came(session, survey):
    answer(session, survey, "1", channel="voice")
    [escalation] = open_escalations(session, "unhappy_customer")
    assert escalation.detail == "callback score 1: survey by voice"
