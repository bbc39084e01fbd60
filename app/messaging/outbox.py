"""The outbox: a text to a customer is a row written in the same transaction as its cause.

Nothing here talks to the network; the dispatcher sends committed rows later. A number on the
suppression list still gets transactional texts (answers to its own request); reminders and
marketing to it are recorded as `suppressed` and never sent.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import PROJECT_ROOT
from app.messaging.models import Message, Suppression
from app.messaging.templates import SmsTemplates

CATEGORIES = {"transactional": 0, "survey": 1, "reminder": 5, "marketing": 9}  # -> priority
# Categories a suppressed number does not receive (P-CARE-5 texts and campaigns).
SUPPRESSIBLE = frozenset({"reminder", "marketing"})


@lru_cache(maxsize=4)
def sms_templates(signature: str = "【志高】", root: Path = PROJECT_ROOT / "sms_templates") -> SmsTemplates:
    """The shipped templates (cached: they are files that change only on deploy)."""
    return SmsTemplates(root, signature=signature)


def is_suppressed(session: Session, phone: str) -> bool:
    return session.get(Suppression, phone) is not None


def queue_text(
    session: Session,
    *,
    phone: str,
    template: str,
    context: dict,
    now: datetime,
    category: str = "transactional",
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    lang: str = "zh",
    signature: str = "【志高】",
    send_after: datetime | None = None,
) -> Message:
    """Render `template` and queue it for `phone`; a second call with the same `dedupe_key` returns the first row."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown text category {category!r}")
    if dedupe_key is not None:
        existing = session.scalar(select(Message).where(Message.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    rendered = sms_templates(signature).render(template, lang, marketing=category == "marketing", **context)
    status = "queued"
    note = None
    if category in SUPPRESSIBLE and is_suppressed(session, phone):
        status, note = "suppressed", "the number opted out of reminders and marketing"
    message = Message(
        direction="out", phone=phone, body=rendered.body, template=template, category=category,
        priority=CATEGORIES[category], status=status, error_message=note, ticket_id=ticket_id,
        dedupe_key=dedupe_key, attempts=0, created_at=now, send_after=send_after or now,
    )
    session.add(message)
    session.flush()
    return message
