"""Pacing per sender: a token bucket shared by every dispatcher, kept in the database.

Twilio (and the carriers behind it) take about 1 segment/s from a long code, 100+/s from a short
code, and a Messaging Service's pool as a whole; above that Twilio queues, and a queue longer
than ~10 hours is refused (21611 / 30001). So we pace on our side.

The bucket is kept as its "next free slot" (the virtual-scheduling form of a token bucket, one
token deep): a dispatcher claiming texts reserves one slot per segment, consecutive from
max(next free slot, now), and waits for each text's slot before sending it. The reservation is
a row lock held inside the claim's transaction, so several dispatcher processes share one rate
instead of each using all of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.config import Settings
from app.messaging.models import SenderPace

# Segments per second each kind of sender takes by default (SMS_RATE_PER_SECOND overrides).
DEFAULT_RATES = {"long_code": 1.0, "short_code": 100.0, "messaging_service": 10.0}


@dataclass(frozen=True)
class Sender:
    """Where texts come from and how fast it may send them (`rate` segments/s; 0: unpaced)."""

    key: str
    kind: str
    rate: float
    from_: str | None = None
    messaging_service_sid: str | None = None

    @property
    def paced(self) -> bool:
        """False when the rate is 0: send as fast as the dispatcher can."""
        return self.rate > 0


def sender_from_settings(settings: Settings) -> Sender:
    """The configured sender: TWILIO_MESSAGING_SERVICE_SID, else TWILIO_SMS_FROM.

    The `log` backend sends nowhere, so it is unpaced unless SMS_RATE_PER_SECOND asks otherwise.
    """
    service, from_ = settings.messaging_service_sid, settings.sms_from
    if settings.sms_backend == "twilio" and not (service or from_):
        raise ValueError("SMS_BACKEND=twilio needs TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID")
    kind = settings.sms_sender_kind or _kind_of(service, from_)
    rate = settings.sms_rate_per_second
    if rate is None:
        rate = DEFAULT_RATES[kind] if settings.sms_backend == "twilio" else 0.0
    return Sender(key=service or from_ or "log", kind=kind, rate=rate, from_=from_, messaging_service_sid=service)


def _kind_of(service: str | None, from_: str | None) -> str:
    if service:
        return "messaging_service"
    if from_ and from_.isdigit() and len(from_) <= 8:
        return "short_code"
    return "long_code"


def reserve_slots(session: Session, sender: Sender, costs: list[int], now: datetime,
                  horizon: timedelta | None = None) -> list[datetime]:
    """Reserve consecutive slots for texts costing `costs` segments; each text's send time.

    `now` is the real time (never `jobs run --now`'s: a slot is when a text really goes). A next
    free slot further ahead than `horizon` is no live claim's reservation (claims reserve about a
    second each) but a clock that ran ahead, e.g. an older `--now` pass: pacing starts from `now`.
    Runs inside the caller's transaction (the claim); the slots are the caller's once it commits.
    """
    if not sender.paced:
        return [now] * len(costs)
    table = SenderPace.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(table).values(sender=sender.key, next_slot_at=now).on_conflict_do_nothing())
    pace = session.scalars(
        select(SenderPace).where(SenderPace.sender == sender.key).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    at = pace.next_slot_at
    if at < now or (horizon is not None and at > now + horizon):
        at = now
    slots = []
    for cost in costs:
        slots.append(at)
        at += timedelta(seconds=max(1, cost) / sender.rate)
    pace.next_slot_at = at
    session.flush()
    return slots


def claim_size(sender: Sender, batch_size: int, window: timedelta = timedelta(seconds=1)) -> int:
    """How many texts to claim at once: a batch, or about `window` of the sender's rate when paced,
    so that a transactional text queued now waits behind at most that much bulk."""
    if not sender.paced:
        return batch_size
    return max(1, min(batch_size, int(sender.rate * window.total_seconds())))
