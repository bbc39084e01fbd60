"""A text reply to a survey: which survey it answers, the thank-you, the one re-ask, the staff inbox.

Here, above surveys, because an answer moves its ticket (`app.closed_loop.answers`).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.closed_loop.answers import record_survey_answer
from app.messaging.outbox import queue_text
from app.surveys.models import REPLYABLE_STATUSES, Survey
from app.surveys.policy import SurveyPolicy
from app.surveys.services import hand_to_staff
from app.tickets.models import Ticket

# After this many replies that could not be read, a person reads them (one re-ask in between).
UNREADABLE_LIMIT = 2
_TICKET_NUMBER = re.compile(r"(?<![0-9])[0-9]{8,16}(?![0-9])")


def open_surveys_for(session: Session, phone: str) -> list[Survey]:
    """The surveys texted to `phone` still waiting for an answer, newest question first."""
    return list(session.scalars(
        select(Survey).where(Survey.phone == phone, Survey.status.in_(REPLYABLE_STATUSES), Survey.texted_at.is_not(None))
        .order_by(Survey.texted_at.desc(), Survey.id.desc())
    ))


def _answered_survey(session: Session, surveys: list[Survey], body: str) -> Survey:
    """The survey whose ticket number the reply names, else the newest (what the customer just read)."""
    named = set(_TICKET_NUMBER.findall(unicodedata.normalize("NFKC", body)))
    if named:
        numbers = dict(session.execute(select(Ticket.id, Ticket.number).where(
            Ticket.id.in_([s.ticket_id for s in surveys]))).all())
        for survey in surveys:
            if numbers.get(survey.ticket_id) in named:
                return survey
    return surveys[0]


def take_survey_reply(
    session: Session,
    phone: str,
    body: str,
    now: datetime,
    *,
    policy: SurveyPolicy | None = None,
    message_id: int | None = None,
) -> bool:
    """Treat an inbound text from `phone` as a survey answer; False when no survey awaits one.

    Understood: the result is recorded and a thank-you names the ticket it counted for. Not
    understood: one re-ask; the next unreadable reply goes to the staff inbox with its words.
    """
    policy = policy or SurveyPolicy()
    surveys = open_surveys_for(session, phone)
    if not surveys:
        return False
    survey = _answered_survey(session, surveys, body or "")
    outcome = record_survey_answer(session, survey_id=survey.id, answer=body or "", channel="sms", now=now,
                                   tz=policy.tz, signature=policy.sending.signature)
    context = {"ticket_number": outcome.ticket_number}
    if outcome.understood:
        queue_text(session, phone=phone, template="survey_thanks", context=context, now=now, category="survey",
                   ticket_id=survey.ticket_id, dedupe_key=f"{survey.key}:thanks", policy=policy.sending)
        return True
    survey.bad_replies += 1
    if survey.bad_replies < UNREADABLE_LIMIT:
        queue_text(session, phone=phone, template="survey_reask", context=context, now=now, category="survey",
                   ticket_id=survey.ticket_id, dedupe_key=f"{survey.key}:reask", policy=policy.sending)
    else:
        hand_to_staff(session, survey, reason="survey replies not understood", now=now, queue="staff_inbox",
                      task="survey_unreadable", message_id=message_id,
                      detail=f"survey reply for ticket {outcome.ticket_number} not understood: {(body or '')[:300]}")
    session.flush()
    return True


def survey_reply_handler(policy: SurveyPolicy):
    """The SMS reply handler (app.messaging.inbound) that takes answers to open surveys."""

    def take_survey_answer(session: Session, inbound) -> bool:
        return take_survey_reply(session, inbound.phone, inbound.body, inbound.now, policy=policy,
                                 message_id=inbound.message_id)

    return take_survey_answer
