"""Sending queued texts through the configured SMS backend.

The `log` backend records a row as sent without any network (the embedded default).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.phone_numbers import mask_phone
from app.messaging.models import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchResult:
    sent: int
    failed: int


class LogBackend:
    """Records texts as sent; nothing leaves the machine."""

    name = "log"

    def send(self, message: Message) -> tuple[str | None, str]:
        log.info("SMS (log backend) to %s: %d characters", mask_phone(message.phone), len(message.body))
        return None, "sent"


def due_messages(session: Session, now: datetime, limit: int) -> list[Message]:
    """Queued texts that are due, transactional first (lower priority number), oldest first."""
    query = (select(Message).where(Message.direction == "out", Message.status == "queued", Message.send_after <= now)
             .order_by(Message.priority, Message.send_after, Message.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def dispatch_due(session: Session, backend, *, now: datetime, limit: int = 500) -> DispatchResult:
    """Send up to `limit` due texts; the caller commits."""
    sent = failed = 0
    for message in due_messages(session, now, limit):
        sid, status = backend.send(message)
        message.sid, message.status = sid, status
        message.attempts += 1
        message.sent_at = message.status_updated_at = now
        sent += 1
    session.flush()
    return DispatchResult(sent=sent, failed=failed)
