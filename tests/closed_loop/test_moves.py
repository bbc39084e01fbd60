"""What follows a ticket move (app.closed_loop.moves): one place, one unhappy rule with the customer's words."""
from app.closed_loop.moves import move_ticket
from app.tickets.services import apply_event
from tests.surveys.support import SHANGHAI, at, open_escalations, resolved_job, survey_of

RESOLVED = at(7, 10)


def test_an_unhappy_callback_staff_record_reaches_a_supervisor_with_their_note(session):
    ticket = resolved_job(session, RESOLVED)
    move_ticket(session, ticket, "record_callback", {"score": 2, "note": "师傅迟到两小时"}, actor="agent",
                now=at(7, 12), tz=SHANGHAI)
    [escalation] = open_escalations(session, "unhappy_customer")
    assert (escalation.queue, escalation.detail) == ("supervisor", "callback score 2: 师傅迟到两小时")


def test_a_callback_staff_record_settles_the_open_survey(session):
    ticket = resolved_job(session, RESOLVED)
    move_ticket(session, ticket, "record_callback", {"score": 5, "note": "电话回访"}, actor="agent",
                now=at(7, 12), tz=SHANGHAI)
    assert (survey_of(session, ticket).status, open_escalations(session, "unhappy_customer")) == ("settled", [])


def test_the_tickets_own_move_records_the_event_and_nothing_more(session):
    ticket = resolved_job(session, RESOLVED)
    event = apply_event(session, ticket, "record_callback", {"score": 1, "note": "太慢了"}, actor="agent",
                        now=at(7, 12), tz=SHANGHAI)
    assert (event.type, ticket.status) == ("record_callback", "verified")
    assert (survey_of(session, ticket).status, open_escalations(session, "unhappy_customer")) == ("pending", [])
