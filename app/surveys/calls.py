"""Placing the automated voice survey call, at most once per survey round.

Twilio's `calls.create` is not idempotent, so a call is a claim committed before the create and
a result committed after it (two short transactions per call, by design): a process killed
between the two leaves a claim with no CallSid, which is never retried (Twilio may have placed
it) and goes to a person when its lease ends. The IVR owns what the call says
(`POST /twilio/voice/survey?survey_id=<id>`); its end comes back through `voice_call_ended`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.customers.phone_numbers import mask_phone
from app.database import Database
from app.config import Settings
from app.integrations.twilio_gateway import PlacedCall, TwilioSendError, make_twilio_client, place_call
from app.surveys.models import Survey
from app.surveys.policy import SurveyPolicy
from app.surveys.services import hand_to_staff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallOrder:
    """One survey call to place."""

    survey_id: int
    to: str
    from_: str
    url: str
    status_callback: str


@dataclass(frozen=True)
class CallResult:
    placed: int = 0
    refused: int = 0
    to_staff: int = 0
    held_for_quiet_hours: int = 0


class TwilioDialer:
    """Places calls through the real SDK (`app.integrations.twilio_gateway`)."""

    def __init__(self, client) -> None:
        self.client = client

    def place(self, order: CallOrder) -> PlacedCall:
        return place_call(self.client, to=order.to, from_=order.from_, url=order.url,
                          status_callback=order.status_callback)


def dialer_for(settings: Settings) -> TwilioDialer | None:
    """The dialer when VOICE_BACKEND=twilio and credentials are set; None means a person calls instead."""
    if settings.voice_backend != "twilio" or not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    return TwilioDialer(make_twilio_client(settings.twilio_account_sid, settings.twilio_auth_token,
                                           api_url=settings.twilio_api_url))


def _due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(
        select(Survey.id).where(Survey.status == "call_due", Survey.next_action_at <= now)
        .order_by(Survey.next_action_at, Survey.id).limit(limit)
    ))


def claim_call(session: Session, survey_id: int, *, now: datetime, policy: SurveyPolicy) -> CallOrder | None:
    """Claim a due call (status call_due -> calling) and say what to dial; None when it is not ours to place.

    The claim is one conditional UPDATE, so of two processes only one wins, on SQLite as on
    PostgreSQL. A survey that cannot be called (no voice line configured) goes to a person.
    """
    survey = session.get(Survey, survey_id)
    if survey is None or survey.status != "call_due":
        return None
    caller_id = policy.caller_id_for(survey.ticket.product_line)
    if caller_id is None or not policy.public_base_url:
        hand_to_staff(session, survey, reason="no voice line configured", now=now)
        return None
    claimed = session.execute(
        update(Survey).where(Survey.id == survey_id, Survey.status == "call_due")
        .values(status="calling", call_requested_at=now, next_action_at=now + policy.claim_lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    base = policy.public_base_url.rstrip("/")
    return CallOrder(survey_id=survey_id, to=survey.phone, from_=caller_id,
                     url=f"{base}/twilio/voice/survey?survey_id={survey_id}",
                     status_callback=f"{base}/twilio/voice/status")


def record_call_placed(session: Session, survey_id: int, call: PlacedCall, *, now: datetime,
                       policy: SurveyPolicy) -> None:
    """Keep the CallSid (the status callback finds the survey by it) and wait for the call's end."""
    survey = session.get(Survey, survey_id)
    survey.call_sid, survey.call_status = call.sid, (call.status or "queued")[:16]
    if survey.status == "calling":
        survey.next_action_at = now + policy.answer_lease
    session.flush()


def record_call_refused(session: Session, survey_id: int, error: TwilioSendError, *, now: datetime) -> None:
    """Twilio said no (or we cannot know): a person calls instead; an unknown outcome waits for its lease."""
    survey = session.get(Survey, survey_id)
    if error.ambiguous or survey.status != "calling":
        return  # the call may exist: the lease hands it to staff without a second call
    hand_to_staff(session, survey, reason=f"voice survey refused ({error.code or error.status})", now=now)


def place_due_calls(database: Database, dialer: TwilioDialer | None, *, now: datetime, policy: SurveyPolicy,
                    limit: int = 50) -> CallResult:
    """Place every due survey call; each is claimed and recorded in its own short transaction."""
    with database.session() as session:
        ids = _due_ids(session, now, limit)
        if ids and (dialer is None or policy.is_quiet(now)):
            return _without_calls(session, ids, dialer, now=now, policy=policy)
    placed = refused = to_staff = 0
    for survey_id in ids:
        with database.session() as session:
            order = claim_call(session, survey_id, now=now, policy=policy)
            # No order: another process claimed it, or it could not be called and went to a person.
            to_staff += int(order is None and session.get(Survey, survey_id).status == "staff")
            session.commit()
        if order is None:
            continue
        try:
            call = dialer.place(order)
        except TwilioSendError as error:
            log.warning("survey call to %s refused: %s", mask_phone(order.to), error)
            with database.session() as session:
                record_call_refused(session, survey_id, error, now=now)
                session.commit()
            refused += 1
            continue
        with database.session() as session:
            record_call_placed(session, survey_id, call, now=now, policy=policy)
            session.commit()
        placed += 1
    return CallResult(placed=placed, refused=refused, to_staff=to_staff)


def _without_calls(session: Session, ids: list[int], dialer, *, now: datetime, policy: SurveyPolicy) -> CallResult:
    """No dialer: a person calls. Quiet hours: the calls wait for the morning."""
    surveys = list(session.scalars(select(Survey).where(Survey.id.in_(ids))))
    if dialer is None:
        for survey in surveys:
            hand_to_staff(session, survey, reason="no voice line configured", now=now)
        session.commit()
        return CallResult(to_staff=len(surveys))
    morning = policy.sending.quiet_hours.morning_after(now)
    for survey in surveys:
        survey.next_action_at = morning
    session.commit()
    return CallResult(held_for_quiet_hours=len(surveys))
