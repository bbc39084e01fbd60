"""A survey follows its ticket: opened when the job is resolved, settled or withdrawn after."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.surveys.models import OPEN_STATUSES, Survey
from app.surveys.services import close_staff_tasks, survey_for_ticket
from app.tickets.models import Ticket

# P-INS-3 and P-REP-2: 100% of installs and repairs get a satisfaction callback.
SURVEYED_KINDS = frozenset({"install", "repair"})


def open_survey(session: Session, ticket: Ticket, *, now: datetime) -> Survey | None:
    """Open the survey of a resolved install or repair, in the resolving transaction.

    The database holds one survey per ticket: a ticket resolved again after a reopen restarts
    its survey as a new round (new dedupe keys, so it is asked afresh, once).
    """
    if ticket.kind not in SURVEYED_KINDS:
        return None
    survey = survey_for_ticket(session, ticket.id)
    if survey is None:
        survey = Survey(ticket_id=ticket.id, round=1, phone=ticket.phone, created_at=now, bad_replies=0,
                        answer_text="")
        session.add(survey)
    else:
        survey.round += 1
        for field in ("route", "texted_at", "request_message_id", "reminded_at", "call_requested_at", "call_sid",
                      "call_status", "call_ended_at", "staff_task_at", "staff_task_reason", "answered_at",
                      "score", "answer_channel"):
            setattr(survey, field, None)
        survey.phone, survey.created_at, survey.bad_replies, survey.answer_text = ticket.phone, now, 0, ""
    survey.status, survey.next_action_at = "pending", now
    session.flush()
    return survey


def settle_survey(session: Session, ticket: Ticket, *, now: datetime) -> None:
    """A callback result was recorded on the ticket: the survey has its answer, however it came."""
    survey = survey_for_ticket(session, ticket.id)
    if survey is None or survey.status not in OPEN_STATUSES:
        return
    survey.status, survey.next_action_at, survey.answered_at = "settled", None, now
    survey.score, survey.answer_channel = ticket.callback_score, "staff"
    close_staff_tasks(session, survey, now=now, note="the callback result was recorded on the ticket")


def withdraw_survey(session: Session, ticket: Ticket, *, now: datetime) -> None:
    """The ticket was reopened before an answer: stop asking about work that is not finished."""
    survey = survey_for_ticket(session, ticket.id)
    if survey is None or survey.status not in OPEN_STATUSES:
        return
    survey.status, survey.next_action_at = "withdrawn", None
    close_staff_tasks(session, survey, now=now, note="the ticket was reopened")
