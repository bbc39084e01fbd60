"""Who may not be texted: the suppression list (opt-outs) and blocked numbers (landlines, invalid).

Suppression policy (who still gets what after STOP / 退订 / staff suppression):

- transactional texts that answer the customer's own request (ticket confirmation, loaner
  notice, warranty restart, the opt-out confirmation itself, HELP replies) still go;
- surveys are not texted: the survey service calls instead (read `is_suppressed`);
- reminders and marketing never go, including ones queued before the opt-out (the dispatcher
  checks again when it claims a text).

A blocked number (Twilio said 21614 / 30006: a landline, or 21211: not a valid number) gets no
text at all; `text_block` tells the survey and reminder services to call instead.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.models import CustomerPhone
from app.customers.phone_numbers import mask_phone
from app.messaging.models import SmsBlock, Suppression

log = logging.getLogger(__name__)

# Categories a suppressed number does not receive.
SUPPRESSIBLE = frozenset({"survey", "reminder", "marketing"})

UNSUBSCRIBED = 21610
INVALID_NUMBER = 21211
LANDLINE_CODES = frozenset({21614, 30006})  # not a mobile; landline or unreachable carrier
# Twilio codes after which texting this number again is pointless.
PERMANENT_CODES = frozenset({UNSUBSCRIBED, INVALID_NUMBER, *LANDLINE_CODES})


def is_suppressed(session: Session, phone: str) -> bool:
    """True when the number opted out (by text, through staff, or at Twilio)."""
    return session.get(Suppression, phone) is not None


def suppress(session: Session, phone: str, *, source: str, reason: str, now: datetime) -> tuple[Suppression, bool]:
    """Put `phone` on the suppression list; returns the entry and whether it is new."""
    existing = session.get(Suppression, phone)
    if existing is not None:
        return existing, False
    entry = Suppression(phone=phone, source=source, reason=reason[:200], created_at=now)
    session.add(entry)
    session.flush()
    log.info("suppressed %s (%s)", mask_phone(phone), source)
    return entry, True


def lift_suppression(session: Session, phone: str) -> bool:
    """Take `phone` off the suppression list; False when it was not on it."""
    existing = session.get(Suppression, phone)
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    log.info("suppression lifted for %s", mask_phone(phone))
    return True


def text_block(session: Session, phone: str) -> SmsBlock | None:
    """Why no text can reach `phone`, or None when texts can."""
    return session.get(SmsBlock, phone)


def block_number(session: Session, phone: str, *, reason: str, error_code: int | None, now: datetime) -> SmsBlock:
    """Record that no text can reach `phone`; a landline is also marked on the customer's phone."""
    block = session.get(SmsBlock, phone)
    if block is None:
        block = SmsBlock(phone=phone, reason=reason, error_code=error_code, created_at=now)
        session.add(block)
        log.info("no more texts to %s: %s (%s)", mask_phone(phone), reason, error_code)
    if reason == "landline":
        for customer_phone in session.scalars(select(CustomerPhone).where(CustomerPhone.e164 == phone)):
            customer_phone.kind = "fixed_line"
    session.flush()
    return block


def record_refusal(session: Session, phone: str, code: int | None, now: datetime) -> None:
    """What a permanent Twilio error code says about the number, written down for next time."""
    if code == UNSUBSCRIBED:
        suppress(session, phone, source="twilio", reason="Twilio 21610: the recipient unsubscribed", now=now)
    elif code in LANDLINE_CODES:
        block_number(session, phone, reason="landline", error_code=code, now=now)
    elif code == INVALID_NUMBER:
        block_number(session, phone, reason="invalid", error_code=code, now=now)
