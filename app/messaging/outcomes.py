"""Writing down what became of each text a dispatcher sent (see backends.SendOutcome kinds).

Outcomes are written in batches (every `flush_every` texts or `flush_interval`), each guarded by
the claim's lease token. A dispatcher killed before it writes a batch leaves those rows
`sending`; reconcile.py settles them by asking Twilio.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from app.messaging.backends import SendOutcome
from app.messaging.claims import ClaimedText
from app.messaging.delivery import apply_early_statuses, outbox_status
from app.messaging.models import Message
from app.messaging.policy import DispatchPolicy
from app.messaging.suppressions import record_provider_refusal, record_refusal

_messages = Message.__table__

_RECORD_SENT = (
    update(_messages)
    .where(_messages.c.id == bindparam("b_id"), _messages.c.lease_token == bindparam("b_token"))
    .values(status=bindparam("b_status"), sid=bindparam("b_sid"), twilio_status=bindparam("b_twilio_status"),
            error_code=bindparam("b_code"), sent_at=bindparam("b_at"), status_updated_at=bindparam("b_at"),
            provider_ref=bindparam("b_ref"), lease_token=None)
)


def _row(token: str, text: ClaimedText):
    return update(_messages).where(_messages.c.id == text.id, _messages.c.lease_token == token)


def record_outcomes(session: Session, token: str, results: list[tuple[ClaimedText, SendOutcome]], *,
                    now: datetime, policy: DispatchPolicy, rng: random.Random) -> Counter:
    """Write each text's outcome; the caller commits. Returns how many of each kind."""
    counts: Counter = Counter(outcome.kind for _text, outcome in results)
    sent = [(t, o) for t, o in results if o.kind == "sent"]
    if sent:
        session.execute(_RECORD_SENT, [
            {"b_id": t.id, "b_token": token, "b_status": outbox_status(o.twilio_status or "sent"), "b_sid": o.sid,
             "b_twilio_status": o.twilio_status, "b_code": o.error_code, "b_at": now, "b_ref": o.provider_ref}
            for t, o in sent
        ])
    for text, outcome in results:
        if outcome.kind != "sent":
            _record_other(session, token, text, outcome, now=now, policy=policy, rng=rng, counts=counts)
    apply_early_statuses(session, [o.sid for _t, o in sent if o.sid], now=now, policy=policy, rng=rng)
    return counts


def _record_other(session: Session, token: str, text: ClaimedText, outcome: SendOutcome, *, now: datetime,
                  policy: DispatchPolicy, rng: random.Random, counts: Counter) -> None:
    error = {"error_code": outcome.error_code, "error_message": outcome.error_message, "status_updated_at": now}
    if outcome.kind == "retry" and text.attempts >= policy.max_attempts:
        counts["retry"] -= 1
        counts["failed"] += 1
        note = f"gave up after {text.attempts} attempts: {outcome.error_message}"[:300]
        session.execute(_row(token, text).values(status="failed", lease_token=None, **{**error, "error_message": note}))
    elif outcome.kind == "retry":
        when = policy.retry_at(now, text.attempts, text.category, rng)
        session.execute(_row(token, text).values(status="queued", lease_token=None, claimed_until=None,
                                                 send_after=when, **error))
    elif outcome.kind == "failed":
        session.execute(_row(token, text).values(status="failed", lease_token=None, **error))
        if outcome.refusal is not None:
            record_provider_refusal(session, text.phone, outcome.refusal, outcome.error_message or "", now)
        else:
            record_refusal(session, text.phone, outcome.error_code, now)
    elif outcome.kind == "unknown":
        # Twilio may have it: the lease ends now and reconciliation looks after the grace period.
        note = f"no certain answer from the provider ({outcome.error_message}); to be reconciled"[:300]
        session.execute(_row(token, text).values(claimed_until=now, reconciliation="pending",
                                                 **{**error, "error_message": note}))
    elif outcome.kind == "halt":
        session.execute(_row(token, text).values(status="queued", lease_token=None, claimed_until=None,
                                                 attempts=_messages.c.attempts - 1))
    else:
        raise ValueError(f"unknown outcome kind {outcome.kind!r}")
