"""Settling texts whose outcome was lost: a row left `sending` after its lease ran out.

That happens when a dispatcher died between Twilio's answer and writing it down, or when Twilio
answered 5xx / not at all (creating a message is not idempotent: it may exist). Twilio has no
idempotency key, so the row is looked up at Twilio:

1. Wait until the lease ended more than the grace period ago. A dispatcher never starts a
   request unless it can finish (its timeout) before its lease ends, so after the grace period
   nothing of the dead claim is still in flight and Twilio's list is complete.
2. List Twilio's messages to the number created since the claim (less the clock skew), newest
   first, filtering on To only (see twilio_gateway.messages_created_since), and keep those with
   exactly this body whose sid no row of ours holds.
3. Found: the row is `sent` with that sid (the oldest match), `reconciliation = found`.
   Not found: Twilio's own record shows it was never created, so it is queued again,
   `reconciliation = resent`: at once after a dead dispatcher, with backoff after a 5xx or
   no answer (`reconciliation = pending`). The one case a row is sent after a lost outcome.
4. Twilio cannot be asked (errors, too many messages to scan): tried again after the next
   grace period; after `reconcile_give_up` (24 h) the row becomes `needs_reconciliation` for
   staff. Nothing is resent on a guess.

With the `log` backend nothing ever left the machine, so a stale row is simply queued again.

Alibaba's texts are found the same way, by QuerySendDetails for the number on the claim's
day(s) (aliyun_backend.find_sent), with the row's OutId (written before the request was sent)
instead of the body: found, it is `sent` under its "<OutId>/<number>" key; Alibaba's list
without it proves it was never sent; Alibaba unreachable, tried again, then staff.
"""
from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.database import begin_write
from app.customers.phone_numbers import mask_phone
from app.database import Database
from app.integrations.aliyun_gateway import AliyunError
from app.integrations.twilio_gateway import TwilioSendError
from app.messaging.aliyun_backend import aliyun_sid, detail_sent_at
from app.messaging.claims import ClaimedText, claim_stale, give_back_stale
from app.messaging.delivery import apply_early_statuses, outbox_status
from app.messaging.models import Message
from app.messaging.policy import DispatchPolicy

log = logging.getLogger(__name__)
_messages = Message.__table__


def reconcile_stale(database: Database, backend, *, clock: Callable[[], datetime], policy: DispatchPolicy,
                    rng: random.Random, limit: int = 100, deadline: datetime | None = None) -> Counter:
    """Take over up to `limit` stale `sending` rows and settle each; counts by outcome.

    `clock` is the real clock: leases, the grace period and Twilio's creation times all are.
    A row whose lookup could not finish by `deadline` is handed back, stale, for the next pass.
    """
    token = uuid.uuid4().hex
    with database.session() as session:
        begin_write(session)
        stale = claim_stale(session, now=clock(), grace=policy.reconcile_grace, token=token,
                            lease=policy.lease, limit=limit)
        session.commit()
    counts: Counter = Counter()
    for index, text in enumerate(stale):
        now = clock()
        if deadline is not None and now + timedelta(seconds=policy.request_timeout) >= deadline:
            with database.session() as session:
                give_back_stale(session, token, [t.id for t in stale[index:]],
                                stale_since=now - policy.reconcile_grace - timedelta(seconds=1))
                session.commit()
            break
        with database.session() as session:
            counts[settle(session, backend, text, token, now=now, policy=policy, rng=rng)] += 1
            session.commit()
    return counts


def settle(session: Session, backend, text: ClaimedText, token: str, *, now: datetime, policy: DispatchPolicy,
           rng: random.Random) -> str:
    """Settle one stale row: "found", "resent", "failed", "lookup_failed" or "staff"; the caller commits."""
    row = update(_messages).where(_messages.c.id == text.id, _messages.c.lease_token == token)
    backend = backend.for_text(text)
    if not backend.can_look_up:
        return _resend(session, row, text, policy, now, "nothing left the machine (log backend)", rng)
    if backend.name == "aliyun":
        return _settle_aliyun(session, backend, row, text, now=now, policy=policy, rng=rng)
    try:
        listed = backend.created_since(text.phone, text.claimed_at - policy.clock_skew)
    except TwilioSendError as exc:
        return _lookup_failed(session, row, text, exc, now=now, policy=policy, where="Twilio")
    candidates = [m for m in listed if m.body == text.body]
    held = set(session.scalars(select(Message.sid).where(Message.sid.in_([m.sid for m in candidates]))))
    unheld = [m for m in candidates if m.sid not in held]
    if not unheld:
        return _resend(session, row, text, policy, now, "Twilio has no such message since the claim", rng)
    found = min(unheld, key=lambda m: (m.date_created, m.sid))
    session.execute(row.values(status=outbox_status(found.status), sid=found.sid, twilio_status=found.status,
                               sent_at=found.date_created, status_updated_at=now, lease_token=None,
                               reconciliation="found"))
    apply_early_statuses(session, [found.sid], now=now, policy=policy, rng=rng)
    log.info("text %s to %s was sent before its claimant stopped: %s", text.id, mask_phone(text.phone), found.sid)
    return "found"


def _settle_aliyun(session: Session, backend, row, text: ClaimedText, *, now: datetime, policy: DispatchPolicy,
                   rng: random.Random) -> str:
    """Look the row up at Alibaba by its OutId: found, never sent, or not yet known."""
    try:
        found = backend.find_sent(text, slack=policy.clock_skew)
    except AliyunError as exc:
        return _lookup_failed(session, row, text, exc, now=now, policy=policy, where="Alibaba")
    if found is None:
        return _resend(session, row, text, policy, now, "Alibaba has no text under its OutId", rng)
    sid = aliyun_sid(text.out_id or "", text.phone)
    status = {3: "delivered", 2: "undelivered"}.get(found.send_status, "sent")
    session.execute(row.values(status=outbox_status(status), sid=sid, twilio_status=status,
                               sent_at=detail_sent_at(found) or text.claimed_at, status_updated_at=now,
                               lease_token=None, reconciliation="found"))
    apply_early_statuses(session, [sid], now=now, policy=policy, rng=rng)
    log.info("text %s to %s was sent through Alibaba before its claimant stopped", text.id, mask_phone(text.phone))
    return "found"


def _lookup_failed(session: Session, row, text: ClaimedText, exc: Exception, *, now: datetime,
                   policy: DispatchPolicy, where: str) -> str:
    """The provider could not be asked: try again at the next pass, or hand to staff once it is too long."""
    if now - text.claimed_at > policy.reconcile_give_up:
        note = f"could not ask {where} whether it was sent ({exc}); check it in {where}'s console"[:300]
        session.execute(row.values(status="needs_reconciliation", reconciliation="staff", lease_token=None,
                                   error_message=note, status_updated_at=now))
        log.error("text %s to %s needs reconciliation by staff: %s", text.id, mask_phone(text.phone), exc)
        return "staff"
    session.execute(row.values(claimed_until=now, error_message=f"reconciliation lookup failed: {exc}"[:300]))
    return "lookup_failed"


def _resend(session: Session, row, text: ClaimedText, policy: DispatchPolicy, now: datetime, why: str,
            rng: random.Random) -> str:
    if text.attempts >= policy.max_attempts:
        session.execute(row.values(status="failed", lease_token=None, reconciliation="resent", status_updated_at=now,
                                   error_message=f"not sent ({why}) and out of attempts"[:300]))
        return "failed"
    # After a 5xx or no answer ("pending") Twilio may be struggling: back off as for any retry.
    # After a dispatcher died the text has waited long enough: it goes at once.
    when = policy.retry_at(now, text.attempts, text.category, rng) if text.reconciliation == "pending" else now
    session.execute(row.values(status="queued", lease_token=None, claimed_until=None, send_after=when,
                               reconciliation="resent", error_message=f"queued again: {why}"[:300]))
    return "resent"
