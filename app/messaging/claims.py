"""The outbox as a queue several dispatchers share: claims with leases, and their release.

A claim is committed BEFORE any text of it is sent: it marks the rows `sending` with a fresh
lease token, the claim time and `claimed_until`. Every later write about a row (its outcome, a
release) is guarded by that token, so a dispatcher whose lease was taken over cannot overwrite
the new owner's work.

- PostgreSQL: ``SELECT id … ORDER BY … LIMIT n FOR UPDATE SKIP LOCKED``, then ``UPDATE … WHERE
  id IN (those ids) RETURNING …`` in the same transaction: concurrent claimants skip each
  other's rows instead of waiting. (Not one ``UPDATE … WHERE id IN (SELECT … SKIP LOCKED)``:
  PostgreSQL may run that subquery once per row it updates and claim more than n.)
- SQLite: the claim's transaction starts with ``BEGIN IMMEDIATE`` (the database's single write
  lock), so claims run one at a time; the UPDATE re-checks ``status = 'queued'`` all the same.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.messaging.models import Message, SmsBlock, Suppression
from app.messaging.quiet_hours import QUIET_CATEGORIES, QuietHours
from app.messaging.suppressions import SUPPRESSIBLE

_messages = Message.__table__


@dataclass(frozen=True)
class ClaimedText:
    """A row this dispatcher holds the lease of."""

    id: int
    phone: str
    body: str
    category: str
    segments: int
    attempts: int
    claimed_at: datetime
    reconciliation: str | None = None
    # The route and what Alibaba needs (app.messaging.routes, aliyun_templates): None for Twilio's texts.
    provider: str | None = None
    template: str | None = None
    template_lang: str | None = None
    template_params: str | None = None
    out_id: str | None = None


_EXTRA = (_messages.c.provider, _messages.c.template, _messages.c.template_lang, _messages.c.template_params,
          _messages.c.out_id)


def _extra(r) -> dict:
    return {"provider": r.provider, "template": r.template, "template_lang": r.template_lang,
            "template_params": r.template_params, "out_id": r.out_id}


def _skip_locked(query, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def claim_due(session: Session, *, now: datetime, token: str, limit: int, lease: timedelta,
              quiet_hours: QuietHours | None, due_at: datetime | None = None) -> list[ClaimedText]:
    """Claim up to `limit` due texts, transactional first; reminders and marketing not in quiet hours.

    `due_at` is the business time that decides what is due and whether it is quiet (`jobs run
    --now`); `now`, the real time, stamps the claim and its lease. They are one time but for `--now`.
    """
    m = _messages
    due_at = now if due_at is None else due_at
    conditions = [m.c.direction == "out", m.c.status == "queued", m.c.send_after <= due_at]
    if quiet_hours is not None and quiet_hours.is_quiet(due_at):
        conditions.append(m.c.category.not_in(sorted(QUIET_CATEGORIES)))
    due = _skip_locked(select(m.c.id).where(*conditions).order_by(m.c.priority, m.c.send_after, m.c.id)
                       .limit(limit), session)
    ids = list(session.scalars(due))
    if not ids:
        return []
    claimed = session.execute(
        update(m).where(m.c.id.in_(ids), m.c.status == "queued")
        .values(status="sending", lease_token=token, claimed_at=now, claimed_until=now + lease,
                attempts=m.c.attempts + 1)
        .returning(m.c.id, m.c.phone, m.c.body, m.c.category, m.c.segments, m.c.attempts, m.c.priority,
                   m.c.send_after, *_EXTRA)
    ).all()
    # RETURNING promises no order: put transactional texts first again.
    claimed.sort(key=lambda r: (r.priority, r.send_after, r.id))
    return [ClaimedText(r.id, r.phone, r.body, r.category, r.segments or 1, r.attempts, now, **_extra(r))
            for r in claimed]


def settle_unsendable(session: Session, texts: list[ClaimedText], now: datetime) -> tuple[list[ClaimedText], Counter]:
    """Mark claimed texts that may no longer go (the number opted out or was blocked since they
    were queued); returns the others and how many were suppressed or refused."""
    settled: Counter = Counter()
    phones = {t.phone for t in texts}
    if not phones:
        return texts, settled
    suppressed = set(session.scalars(select(Suppression.phone).where(Suppression.phone.in_(phones))))
    blocked = dict(session.execute(select(SmsBlock.phone, SmsBlock.reason).where(SmsBlock.phone.in_(phones))).all())
    sendable = []
    for text in texts:
        if text.phone in blocked:
            status, note = "refused", f"no text can reach this number ({blocked[text.phone]}): call instead"
        elif text.category in SUPPRESSIBLE and text.phone in suppressed:
            status, note = "suppressed", f"the number opted out: no {text.category} texts"
        else:
            sendable.append(text)
            continue
        settled[status] += 1
        session.execute(update(_messages).where(_messages.c.id == text.id).values(
            status=status, error_message=note, lease_token=None, status_updated_at=now,
            attempts=_messages.c.attempts - 1))
    return sendable, settled


def set_out_ids(session: Session, token: str, groups: dict[str, list[int]]) -> None:
    """Write the OutId each claimed text will be sent under, before any is sent (reconciliation finds them by it)."""
    for out_id, ids in groups.items():
        session.execute(update(_messages).where(_messages.c.id.in_(ids), _messages.c.lease_token == token)
                        .values(out_id=out_id))


def extend_lease(session: Session, token: str, until: datetime) -> None:
    """Move the end of this claim's lease (after pacing gave its texts later slots)."""
    session.execute(update(_messages).where(_messages.c.lease_token == token, _messages.c.status == "sending")
                    .values(claimed_until=until))


def release(session: Session, token: str, ids: list[int]) -> None:
    """Give back claimed texts that were never sent: queued again, the attempt not counted."""
    if ids:
        session.execute(
            update(_messages).where(_messages.c.id.in_(ids), _messages.c.lease_token == token,
                                    _messages.c.status == "sending")
            .values(status="queued", lease_token=None, claimed_until=None, attempts=_messages.c.attempts - 1))


def give_back_stale(session: Session, token: str, ids: list[int], *, stale_since: datetime) -> None:
    """Hand stale rows this reconciler took over but had no time to settle back as stale at once."""
    if ids:
        session.execute(update(_messages).where(_messages.c.id.in_(ids), _messages.c.lease_token == token,
                                                _messages.c.status == "sending")
                        .values(claimed_until=stale_since))


def claim_stale(session: Session, *, now: datetime, grace: timedelta, token: str, lease: timedelta,
                limit: int) -> list[ClaimedText]:
    """Take over `sending` rows whose lease ended more than `grace` ago (their claimant died or
    got no answer); `claimed_at` is kept: it bounds the search for the text at Twilio."""
    m = _messages
    stale = _skip_locked(select(m.c.id).where(m.c.status == "sending", m.c.claimed_until < now - grace)
                         .order_by(m.c.claimed_until, m.c.id).limit(limit), session)
    ids = list(session.scalars(stale))
    if not ids:
        return []
    rows = session.execute(
        update(m).where(m.c.id.in_(ids), m.c.status == "sending")
        .values(lease_token=token, claimed_until=now + lease)
        .returning(m.c.id, m.c.phone, m.c.body, m.c.category, m.c.segments, m.c.attempts, m.c.claimed_at,
                   m.c.reconciliation, *_EXTRA)
    ).all()
    rows.sort(key=lambda r: r.id)
    return [ClaimedText(r.id, r.phone, r.body, r.category, r.segments or 1, r.attempts, r.claimed_at,
                        r.reconciliation, **_extra(r)) for r in rows]


def outbox_idle(session: Session, now: datetime) -> bool:
    """True when nothing is due and nothing is claimed (`dispatcher --until-idle` stops then)."""
    m = _messages
    busy = session.execute(
        select(m.c.id).where(((m.c.status == "queued") & (m.c.send_after <= now)) | (m.c.status == "sending")).limit(1)
    ).first()
    return busy is None
