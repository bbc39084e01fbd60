"""Delivery status from Twilio's status callbacks: idempotent and safe out of order.

Twilio sends no callback for a text's first status (we keep what `messages.create` answered),
may repeat a callback, and does not promise their order. So statuses are ranked and a row only
moves up: `delivered` never goes back to `sent`, a repeat changes nothing, and of two final
statuses the first one stands.

A callback whose MessageSid is not (yet) on a row is kept in `sms_early_statuses`: the
dispatcher may not have committed the sid Twilio just gave it. It is applied when the sid is
recorded and purged after a week.
"""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.customers.phone_numbers import mask_phone
from app.messaging.models import EarlyStatus, Message
from app.messaging.policy import DispatchPolicy
from app.messaging.suppressions import PERMANENT_CODES, record_refusal

log = logging.getLogger(__name__)

RANK = {"accepted": 1, "scheduled": 1, "queued": 1, "sending": 2, "sent": 3,
        "delivered": 4, "undelivered": 4, "failed": 4, "canceled": 4, "read": 5}
FINAL_RANK = 4
_OUTBOX_STATUS = {"delivered": "delivered", "read": "delivered", "undelivered": "undelivered",
                  "failed": "failed", "canceled": "failed"}
# Statuses of ours that Twilio's word may change (not `needs_reconciliation`, not a requeued row).
_FOLLOWS_TWILIO = frozenset({"sent", "delivered", "undelivered", "failed"})
UNREACHABLE = 30003  # handset off or out of coverage: often transient, so tried again later
EARLY_STATUS_KEPT = timedelta(days=7)


def outbox_status(twilio_status: str) -> str:
    """Our status for a text Twilio has: sent until Twilio says how it ended."""
    return _OUTBOX_STATUS.get(twilio_status, "sent")


def apply_status(session: Session, message: Message, twilio_status: str, error_code: int | None, *,
                 now: datetime, policy: DispatchPolicy, rng: random.Random) -> bool:
    """Move `message` to Twilio's `twilio_status` if that is a step forward; True when it changed."""
    new_rank = RANK.get(twilio_status)
    if new_rank is None:
        log.warning("ignored unknown message status %r for %s", twilio_status, message.sid)
        return False
    old_rank = RANK.get(message.twilio_status or "", 0)
    if new_rank < old_rank or twilio_status == message.twilio_status:
        return False  # a step back (callbacks out of order) or a repeat
    if old_rank == new_rank == FINAL_RANK:
        return False  # of two final statuses the first stands
    message.twilio_status = twilio_status
    message.status_updated_at = now
    if error_code is not None:
        message.error_code = error_code
    if message.status in _FOLLOWS_TWILIO:
        message.status = outbox_status(twilio_status)
    if twilio_status in ("undelivered", "failed") and error_code is not None:
        _after_delivery_failure(session, message, error_code, now=now, policy=policy, rng=rng)
    return True


def _after_delivery_failure(session: Session, message: Message, code: int, *, now: datetime,
                            policy: DispatchPolicy, rng: random.Random) -> None:
    if code in PERMANENT_CODES:
        record_refusal(session, message.phone, code, now)
    elif code == UNREACHABLE and message.attempts < policy.max_attempts:
        # Not delivered, so sending it again is the first delivery, not a double. Later than the
        # clock skew, so reconciliation can never mistake the failed copy for the new one.
        message.error_message = f"undelivered as {message.sid} ({code}); trying again"
        message.status, message.sid, message.twilio_status = "queued", None, None
        message.lease_token = None
        message.send_after = policy.retry_at(now, message.attempts, message.category, rng,
                                             minimum=2 * policy.clock_skew)


def status_callback(session: Session, *, sid: str, twilio_status: str, error_code: int | None, now: datetime,
                    policy: DispatchPolicy, rng: random.Random, to: str = "") -> str:
    """Apply one status callback: "applied", "ignored" (a repeat or a step back) or "early"."""
    message = session.scalar(select(Message).where(Message.sid == sid, Message.direction == "out"))
    if message is None:
        log.info("status %s for unknown message %s to %s: kept until its sid is recorded",
                 twilio_status, sid, mask_phone(to))
        early = session.get(EarlyStatus, sid)
        if early is None:
            session.add(EarlyStatus(sid=sid, status=twilio_status, error_code=error_code, received_at=now))
        elif RANK.get(twilio_status, 0) > RANK.get(early.status, 0):
            early.status, early.error_code, early.received_at = twilio_status, error_code, now
        session.flush()
        return "early"
    changed = apply_status(session, message, twilio_status, error_code, now=now, policy=policy, rng=rng)
    session.flush()
    return "applied" if changed else "ignored"


def apply_early_statuses(session: Session, sids: list[str], *, now: datetime, policy: DispatchPolicy,
                         rng: random.Random) -> int:
    """Apply callbacks that arrived before these sids were recorded; returns how many."""
    if not sids:
        return 0
    early = list(session.scalars(select(EarlyStatus).where(EarlyStatus.sid.in_(sids))))
    for status in early:
        message = session.scalar(select(Message).where(Message.sid == status.sid))
        if message is not None:
            apply_status(session, message, status.status, status.error_code, now=now, policy=policy, rng=rng)
        session.delete(status)
    session.flush()
    return len(early)


def purge_early_statuses(session: Session, now: datetime) -> int:
    """Forget callbacks for sids that never turned up (not ours, or from long ago)."""
    result = session.execute(delete(EarlyStatus).where(EarlyStatus.received_at < now - EARLY_STATUS_KEPT))
    return result.rowcount or 0
