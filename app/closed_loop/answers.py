"""A customer's rating reaches the ticket: `record_survey_answer`, for text, voice and staff alike.

The answer is stored on the survey; when the ticket is waiting for its callback, the same
`record_callback` move staff make is applied with actor "survey", so the ticket becomes verified
(P-REC-3) and what follows a callback follows it. A score of 1 or 2 reaches a supervisor with the
customer's words however the ticket stands (P-REC-4).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from datetime import tzinfo as TzInfo
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.closed_loop.moves import UNHAPPY_AT_MOST, escalate_if_unhappy, move_ticket
from app.surveys.answers import remark
from app.surveys.models import Survey
from app.surveys.services import SurveyOutcome, take_answer

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def callback_note(answer: str, channel: str) -> str:
    """The ticket's note of a survey answer: the customer's words, then how they came."""
    words = remark(answer)[:200]
    return f"{words} (survey by {channel})" if words else f"survey by {channel}"


def record_survey_answer(
    session: Session,
    *,
    survey_id: int,
    answer: str,
    channel: str,
    now: datetime,
    tz: TzInfo | None = None,
    signature: str = "【志高】",
) -> SurveyOutcome:
    """Take `answer` for the survey (see `take_answer`) and, when it is the result, bring it to the ticket."""
    outcome = take_answer(session, survey_id=survey_id, answer=answer, channel=channel, now=now)
    if not outcome.recorded:
        return outcome
    ticket = session.get(Survey, outcome.survey_id).ticket
    note = callback_note(answer, channel)
    if ticket.status == "resolved":
        move_ticket(session, ticket, "record_callback", {"score": outcome.score, "note": note},
                    actor="survey", now=now, tz=tz or BUSINESS_TZ, signature=signature)
    else:
        escalate_if_unhappy(session, ticket, score=outcome.score, words=note, now=now)
    session.flush()
    return replace(outcome, escalated=outcome.score <= UNHAPPY_AT_MOST)
