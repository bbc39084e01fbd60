"""The ladder on a clock: the first question, the reminder, and the hand-over to a call or a person.

`send_due_surveys` (job survey_send) asks each new survey: by text to a mobile, or, for a landline,
a number that opted out of texts or a route that sends surveys by voice (SMS_SURVEY_BY_VOICE),
straight by automated call. `advance_surveys` (job
survey_followup) climbs: 24 h without an answer, one reminder; 48 h, the voice survey; a call
whose outcome never came back, a person. Each reads only surveys due now (status, next_action_at).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.models import CustomerPhone
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.messaging.models import Message
from app.messaging.outbox import queue_text
from app.messaging.suppressions import is_suppressed, text_block
from app.surveys.models import Survey
from app.surveys.policy import SurveyPolicy
from app.surveys.services import hand_to_staff

# Outbox statuses that mean the question never reached the phone: go to voice without waiting.
UNDELIVERED = frozenset({"failed", "undelivered", "refused", "suppressed"})


@dataclass(frozen=True)
class SendResult:
    texted: int = 0
    to_voice: int = 0
    held_for_quiet_hours: bool = False


@dataclass(frozen=True)
class FollowupResult:
    reminded: int = 0
    calls_due: int = 0
    to_staff: int = 0


def _due(session: Session, status: str, now: datetime, limit: int) -> list[Survey]:
    query = (select(Survey).where(Survey.status == status, Survey.next_action_at <= now)
             .order_by(Survey.next_action_at, Survey.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # a second scheduler never takes the same rows
    return list(session.scalars(query))


def textable(session: Session, phone: str) -> bool:
    """A mobile that has not opted out: it gets the question by text, anything else by voice."""
    kind = session.scalar(select(CustomerPhone.kind).where(CustomerPhone.e164 == phone))
    if kind is None:
        try:
            kind = normalise_phone(phone).kind
        except InvalidPhoneNumber:
            return False
    # Opted out, or Twilio told the outbox no text reaches it (a landline, an invalid number).
    return kind == "mobile" and not is_suppressed(session, phone) and text_block(session, phone) is None


def _call_now(survey: Survey, now: datetime) -> None:
    survey.status, survey.next_action_at = "call_due", now


def send_due_surveys(session: Session, *, now: datetime, policy: SurveyPolicy, limit: int = 500) -> SendResult:
    """Ask every survey that is due: text a mobile, queue a call for anyone else. Nothing in quiet hours."""
    if policy.is_quiet(now):
        return SendResult(held_for_quiet_hours=True)
    texted = to_voice = 0
    for survey in _due(session, "pending", now, limit):
        # A route whose provider may not carry a survey text (SMS_SURVEY_BY_VOICE) goes straight to the call.
        if textable(session, survey.phone) and not policy.sending.routes.survey_by_voice_for(survey.phone):
            message = queue_text(session, phone=survey.phone, template="survey_request", now=now, category="survey",
                                 context={"ticket_number": survey.ticket.number}, ticket_id=survey.ticket_id,
                                 dedupe_key=f"{survey.key}:request", policy=policy.sending)
            survey.status, survey.route, survey.texted_at = "texted", "sms", now
            survey.request_message_id, survey.next_action_at = message.id, now + policy.reminder_after
            texted += 1
        else:
            survey.route = "voice"
            _call_now(survey, now)
            to_voice += 1
    session.flush()
    return SendResult(texted=texted, to_voice=to_voice)


def advance_surveys(session: Session, *, now: datetime, policy: SurveyPolicy, limit: int = 500) -> FollowupResult:
    """Climb one rung for every survey whose time has come (reminders wait out quiet hours)."""
    reminded = calls_due = to_staff = 0
    if not policy.is_quiet(now):
        for survey in _due(session, "texted", now, limit):
            question = session.get(Message, survey.request_message_id) if survey.request_message_id else None
            if question is not None and question.status in UNDELIVERED:
                _call_now(survey, now)  # the text never arrived: a reminder would not either
                calls_due += 1
                continue
            queue_text(session, phone=survey.phone, template="survey_reminder", now=now, category="survey",
                       context={"ticket_number": survey.ticket.number}, ticket_id=survey.ticket_id,
                       dedupe_key=f"{survey.key}:reminder", policy=policy.sending)
            survey.status, survey.reminded_at = "reminded", now
            survey.next_action_at = survey.texted_at + policy.call_after
            reminded += 1
    for survey in _due(session, "reminded", now, limit):
        _call_now(survey, now)
        calls_due += 1
    for survey in _due(session, "calling", now, limit):
        reason = "voice survey outcome unknown" if survey.call_sid is None else "voice survey status never came"
        hand_to_staff(session, survey, reason=reason, now=now)
        to_staff += 1
    session.flush()
    return FollowupResult(reminded=reminded, calls_due=calls_due, to_staff=to_staff)
