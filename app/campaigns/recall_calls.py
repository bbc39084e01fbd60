"""A recall's automated voice calls (P-CARE-3): every `needs_call` recipient (no mobile, or the
number refused texts) is called once through Twilio, at the campaign's rate, inside its window,
never in quiet hours.

Twilio's `calls.create` is not idempotent, so a call is a claim committed before the create and
a result committed after it (two short transactions per call, as the survey calls do): of two
dispatchers only one wins a claim (a conditional UPDATE), and a process killed between the two
leaves a claim with no CallSid that is never placed again (Twilio may have placed it); after
`call_lease` it is marked `unknown`, so every recipient is called once or marked with why not.
What the call says and does is `app.campaigns.recalls` and `/twilio/voice/recall*`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignRecipient
from app.campaigns.policy import CampaignPolicy
from app.customers.phone_numbers import mask_phone
from app.database import Database
from app.integrations.twilio_gateway import PlacedCall, TwilioSendError
from app.surveys.calls import TwilioDialer
from app.units.models import Unit

log = logging.getLogger(__name__)
FINAL_STATUSES = ("completed", "no-answer", "busy", "failed", "canceled")


@dataclass(frozen=True)
class RecallCall:
    """One recall call to place (the fields `TwilioDialer.place` reads)."""

    recipient_id: int
    to: str
    from_: str
    url: str
    status_callback: str


@dataclass
class CallPass:
    """What one pass did."""

    placed: int = 0
    refused: int = 0
    unknown: int = 0
    no_line: int = 0


def _recalls_calling(session: Session, now: datetime, policy: CampaignPolicy) -> list[Campaign]:
    """Running recalls inside their window, outside quiet hours."""
    if policy.quiet_hours is not None and policy.quiet_hours.is_quiet(now):
        return []
    return [c for c in session.scalars(select(Campaign).where(Campaign.kind == "recall", Campaign.status == "running")
                                       .order_by(Campaign.id))
            if c.ends_by is None or now < c.ends_by]


def _to_call(campaign: Campaign):
    return select(CampaignRecipient.id).where(
        CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.status == "excluded",
        CampaignRecipient.reason == "needs_call", CampaignRecipient.call_status.is_(None)).order_by(CampaignRecipient.id)


def calls_left(session: Session, campaign: Campaign) -> bool:
    """Whether the recall still has a call to place (it is not done until it has none)."""
    return session.scalar(_to_call(campaign).limit(1)) is not None


def _start_slot(campaign: Campaign, now: datetime, policy: CampaignPolicy) -> datetime:
    """The first call's slot: the next free one, or now; a recall that fell behind (quiet hours, a
    stopped scheduler) catches up at most `lookahead` (the job runs once a minute), never bursts."""
    return max(campaign.next_call_at or now, now - policy.lookahead)


def _due(campaign: Campaign, now: datetime, policy: CampaignPolicy, limit: int) -> int:
    """How many calls are due now at the campaign's rate, at most `limit`."""
    step = timedelta(seconds=60 / campaign.rate_per_minute)
    slot = _start_slot(campaign, now, policy)
    due = 0
    while slot <= now and due < limit:
        due, slot = due + 1, slot + step
    return due


def mark_stale_claims(session: Session, *, now: datetime, policy: CampaignPolicy) -> int:
    """Claims older than the lease with no CallSid: the process died mid-create. Never called
    again (Twilio may have placed the call): marked `unknown`."""
    return session.execute(update(CampaignRecipient).where(
        CampaignRecipient.call_status == "calling", CampaignRecipient.call_sid.is_(None),
        CampaignRecipient.called_at < now - policy.call_lease).values(call_status="unknown")
        .execution_options(synchronize_session=False)).rowcount


def claim_call(session: Session, recipient_id: int, *, now: datetime, policy: CampaignPolicy) -> RecallCall | None:
    """Claim one call (call_status None -> calling) and say what to dial; None when another
    process claimed it, or no voice line is configured (then it is marked `no_line`)."""
    recipient = session.get(CampaignRecipient, recipient_id)
    if recipient is None or recipient.call_status is not None:
        return None
    caller_id = policy.caller_id_for(session.get(Unit, recipient.unit_id).product_line)
    if caller_id is None or not policy.public_base_url:
        recipient.call_status = "no_line"
        return None
    claimed = session.execute(update(CampaignRecipient).where(
        CampaignRecipient.id == recipient_id, CampaignRecipient.call_status.is_(None))
        .values(call_status="calling", called_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None
    base = policy.public_base_url.rstrip("/")
    return RecallCall(recipient_id=recipient_id, to=recipient.phone, from_=caller_id,
                      url=f"{base}/twilio/voice/recall?r={recipient_id}",
                      status_callback=f"{base}/twilio/voice/recall/status?r={recipient_id}")


def record_placed(session: Session, recipient_id: int, call: PlacedCall) -> None:
    """Keep the CallSid: the call's webhooks find the row by it."""
    session.execute(update(CampaignRecipient).where(CampaignRecipient.id == recipient_id)
                    .values(call_sid=call.sid, call_status="placed").execution_options(synchronize_session=False))


def record_refused(session: Session, recipient_id: int, error: TwilioSendError) -> None:
    """Twilio said no: `refused`; an outcome we cannot know is `unknown` (never placed again)."""
    status = "unknown" if error.ambiguous else "refused"
    session.execute(update(CampaignRecipient).where(CampaignRecipient.id == recipient_id)
                    .values(call_status=status).execution_options(synchronize_session=False))


def record_call_status(session: Session, recipient: CampaignRecipient, *, call_sid: str, status: str,
                       now: datetime) -> bool:
    """Twilio's status callback for a recall call; False when the CallSid is not this row's. A
    completed call was answered: the owner was reached."""
    if recipient.call_sid not in (None, call_sid) or status not in (*FINAL_STATUSES, "in-progress", "ringing"):
        return False
    recipient.call_sid = recipient.call_sid or call_sid
    if status in FINAL_STATUSES:
        recipient.call_status = status
    if status in ("completed", "in-progress"):
        recipient.reached_at = recipient.reached_at or now
    session.flush()
    return True


def place_recall_calls(database: Database, dialer: TwilioDialer | None, *, now: datetime,
                       policy: CampaignPolicy, observer=None) -> CallPass:
    """Place the recall calls due now; each is claimed and recorded in its own short transaction.

    Without a dialer (VOICE_BACKEND off) nothing is placed: the rows wait, counted as `needs_call`
    in the stats, for a person or a configured line. `observer(order)` is called after each claim
    is committed, before the create (the kill test stops a run there)."""
    result = CallPass()
    with database.session() as session:
        result.unknown = mark_stale_claims(session, now=now, policy=policy)
        session.commit()
        if dialer is None:
            return result
        work = []
        for campaign in _recalls_calling(session, now, policy):
            due = _due(campaign, now, policy, policy.calls_per_pass - len(work))
            ids = list(session.scalars(_to_call(campaign).limit(due))) if due else []
            if ids:
                step = timedelta(seconds=60 / campaign.rate_per_minute)
                campaign.next_call_at = _start_slot(campaign, now, policy) + step * len(ids)
                work.extend(ids)
        session.commit()
    for recipient_id in work:
        with database.session() as session:
            order = claim_call(session, recipient_id, now=now, policy=policy)
            result.no_line += int(order is None and session.get(CampaignRecipient, recipient_id).call_status == "no_line")
            session.commit()
        if order is None:
            continue
        if observer is not None:
            observer(order)
        try:
            call = dialer.place(order)
        except TwilioSendError as error:
            log.warning("recall call to %s refused: %s", mask_phone(order.to), error)
            with database.session() as session:
                record_refused(session, recipient_id, error)
                session.commit()
            result.refused += 1
            continue
        with database.session() as session:
            record_placed(session, recipient_id, call)
            session.commit()
        result.placed += 1
    return result
