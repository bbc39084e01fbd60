"""Answers to a survey, by text, by voice or by a person, and the end of a survey call.

`take_answer` stores a rating on its survey; bringing it to the ticket (the `record_callback`
move, an unhappy score to a supervisor) is `app.closed_loop.answers.record_survey_answer`'s.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, ValidationFailed
from app.escalations.models import Escalation
from app.escalations.services import raise_escalation
from app.surveys.answers import read_score
from app.surveys.models import OPEN_STATUSES, Survey

CHANNELS = ("sms", "voice", "staff")
# Twilio's final call statuses; anything else (queued, ringing, in-progress) is news, not an end.
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
MAX_ANSWER_CHARS = 500


@dataclass(frozen=True)
class SurveyOutcome:
    """What became of one answer.

    `understood`: a score could be read. `recorded`: this answer is the survey's result (False
    when an earlier answer already stands, or when it was not understood). `score` is the score
    that stands, if any. `escalated`: the score was 1-2 and a supervisor has it.
    """

    survey_id: int
    ticket_number: str
    understood: bool
    recorded: bool
    score: int | None
    escalated: bool = False


def take_answer(session: Session, *, survey_id: int, answer: str, channel: str, now: datetime) -> SurveyOutcome:
    """Read `answer` forgivingly and, when it gives a score, make it the survey's result.

    Idempotent: a second understood answer (a Twilio retry, a customer answering twice) leaves
    the first result standing. An answer that is not understood changes nothing: re-asking is the
    caller's decision (the IVR asks again in the call, the text channel re-asks once).
    Raises NotFound for an unknown survey, ValidationFailed for an unknown channel.
    """
    if channel not in CHANNELS:
        raise ValidationFailed(f"unknown survey channel {channel!r}", {"channel": f"one of {', '.join(CHANNELS)}"})
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"no survey {survey_id}")
    ticket = survey.ticket
    if survey.status not in OPEN_STATUSES:
        return SurveyOutcome(survey.id, ticket.number, read_score(answer) is not None, False, survey.score)
    score = read_score(answer)
    if score is None:
        return SurveyOutcome(survey.id, ticket.number, False, False, None)
    survey.status, survey.score, survey.answered_at = "answered", score, now
    survey.answer_channel, survey.answer_text = channel, (answer or "")[:MAX_ANSWER_CHARS]
    survey.next_action_at = None
    close_staff_tasks(session, survey, now=now, note=f"the customer answered by {channel}: score {score}")
    session.flush()
    return SurveyOutcome(survey.id, ticket.number, True, True, score)


def voice_call_ended(session: Session, *, call_sid: str, call_status: str, now: datetime) -> bool:
    """Take a call status for a survey call; True when `call_sid` was one of ours.

    A survey call that ends without a rating (no answer, busy, failed, cancelled, or answered and
    hung up) hands the survey to a person: a staff callback task in the escalation queue.
    """
    survey = session.scalar(select(Survey).where(Survey.call_sid == call_sid)) if call_sid else None
    if survey is None:
        return False
    survey.call_status = (call_status or "")[:16]
    if call_status in FINAL_CALL_STATUSES:
        survey.call_ended_at = survey.call_ended_at or now
        if survey.status == "calling":
            reason = "voice survey ended without a rating" if call_status == "completed" else f"voice survey {call_status}"
            hand_to_staff(session, survey, reason=reason, now=now)
    session.flush()
    return True


def hand_to_staff(session: Session, survey: Survey, *, reason: str, now: datetime,
                  queue: str = "agent", task: str = "survey_callback", detail: str = "",
                  message_id: int | None = None) -> Escalation:
    """Stop the automated ladder and put the survey in a person's queue (one task per round);
    `message_id`: the customer's text a person must read (the staff inbox shows it)."""
    survey.status, survey.next_action_at = "staff", None
    survey.staff_task_at, survey.staff_task_reason = now, reason[:40]
    escalation = raise_escalation(
        session, reason=task, queue=queue, now=now, ticket_id=survey.ticket_id,
        dedupe_key=f"{survey.key}:{task}", detail=detail or f"call the customer for the satisfaction survey: {reason}",
        phone=survey.phone if message_id is not None else None, message_id=message_id,
    )
    session.flush()
    return escalation


def close_staff_tasks(session: Session, survey: Survey, *, now: datetime, note: str) -> None:
    """Resolve this round's open staff tasks: the answer they were waiting for has arrived."""
    prefix = f"{survey.key}:"
    for escalation in session.scalars(
        select(Escalation).where(Escalation.ticket_id == survey.ticket_id, Escalation.status == "open",
                                 Escalation.dedupe_key.startswith(prefix, autoescape=True))
    ):
        escalation.status, escalation.resolved_at = "resolved", now
        escalation.resolved_by, escalation.resolution_note = "survey", note[:500]


def survey_for_ticket(session: Session, ticket_id: int) -> Survey | None:
    """The survey of a ticket, if its job was resolved (there is at most one)."""
    return session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
