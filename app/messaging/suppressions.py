"""Who may not be texted: the suppression list (opt-outs) and blocked numbers (landlines, invalid).

Suppression policy (who still gets what after STOP / 退订 / staff suppression):

- transactional texts that answer the customer's own request (ticket confirmation, loaner
  notice, warranty restart, the opt-out confirmation itself, HELP replies) still go;
- surveys are not texted: the survey service calls instead (read `is_suppressed`);
- reminders and marketing never go, including ones queued before the opt-out (the dispatcher
  checks again when it claims a text).

Who may lift a suppression (P-PRIV-2): the customer's own refusal (a texted 退订 / STOP, or an
unsubscribe Twilio reports) is lifted only by the customer's opt-in text (订阅 / START) or by an
admin recording the customer's request, with a note saying so; one staff set on the customer's
word on the phone, staff may lift. Every lifting is kept in `suppression_lifts`: who, when, how.

A blocked number (Twilio said 21614 / 30006: a landline, or 21211: not a valid number) gets no
text at all; `text_block` tells the survey and reminder services to call instead.
"""
from __future__ import annotations

import hashlib

import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.models import CustomerPhone
from app.customers.phone_numbers import mask_phone
from app.errors import NotFound, NotPermitted, ValidationFailed
from app.messaging.models import ErasedSuppression, SmsBlock, Suppression, SuppressionLift

log = logging.getLogger(__name__)

# Categories a suppressed number does not receive.
SUPPRESSIBLE = frozenset({"survey", "reminder", "marketing"})
# Sources of a suppression that are the customer's own refusal (P-PRIV-2).
CUSTOMERS_OWN = frozenset({"sms", "twilio", "aliyun"})
MAX_NOTE = 500

UNSUBSCRIBED = 21610
INVALID_NUMBER = 21211
LANDLINE_CODES = frozenset({21614, 30006})  # not a mobile; landline or unreachable carrier
# Twilio codes after which texting this number again is pointless.
PERMANENT_CODES = frozenset({UNSUBSCRIBED, INVALID_NUMBER, *LANDLINE_CODES})


def number_hash(e164: str) -> str:
    """The SHA-256 of a number, the only trace an erased customer's refusal leaves (P-PRIV-3)."""
    return hashlib.sha256(e164.encode("ascii", "replace")).hexdigest()


def is_suppressed(session: Session, phone: str) -> bool:
    """True when the number opted out (by text, through staff, or at Twilio), erased owners included."""
    if session.get(Suppression, phone) is not None:
        return True
    return session.get(ErasedSuppression, number_hash(phone)) is not None


def suppressed_among(session: Session, phones: Collection[str]) -> set[str]:
    """The numbers of `phones` that opted out (as `is_suppressed`), in two queries for a batch."""
    phones = set(phones)
    if not phones:
        return set()
    found = set(session.scalars(select(Suppression.phone).where(Suppression.phone.in_(phones))))
    hashes = {number_hash(p): p for p in phones - found}
    if hashes:
        found |= {hashes[h] for h in session.scalars(select(ErasedSuppression.phone_hash)
                                                     .where(ErasedSuppression.phone_hash.in_(hashes)))}
    return found


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


def lift_suppression(session: Session, phone: str, *, by: str, how: str, now: datetime, note: str = "") -> bool:
    """Take `phone` off the suppression list and keep the lifting; False when it was not on it.

    The rule of who may is the caller's: the customer's opt-in text, or `lift_for_staff`.
    """
    existing = session.get(Suppression, phone)
    if existing is None:
        return False
    session.add(SuppressionLift(phone=phone, source=existing.source, reason=existing.reason,
                                suppressed_at=existing.created_at, lifted_at=now, lifted_by=by[:80], how=how,
                                note=note[:MAX_NOTE]))
    session.delete(existing)
    session.flush()
    log.info("suppression lifted for %s (%s)", mask_phone(phone), how)
    return True


def lift_for_staff(session: Session, phone: str, *, user: str, role: str, note: str, now: datetime) -> None:
    """A staff member lifts a suppression; the customer's own refusal needs an admin and the
    customer's request as the note. Raises NotFound, NotPermitted or ValidationFailed."""
    existing = session.get(Suppression, phone)
    if existing is None:
        raise NotFound(f"{mask_phone(phone)} is not suppressed")
    note = (note or "").strip()
    if existing.source in CUSTOMERS_OWN:
        if role != "admin":
            raise NotPermitted(
                f"{mask_phone(phone)} refused texts itself ({existing.reason or existing.source}); only the "
                "customer's opt-in text (订阅 or START) or an admin recording the customer's request lifts it")
        if not note:
            raise ValidationFailed("say how the customer asked to be texted again",
                                   {"note": "required: the customer's request (when, how)"})
    lift_suppression(session, phone, by=user, how="admin" if role == "admin" else "staff", now=now, note=note)


def text_block(session: Session, phone: str) -> SmsBlock | None:
    """Why no text can reach `phone`, or None when texts can."""
    return session.get(SmsBlock, phone)


def text_blocks(session: Session, phones: Collection[str]) -> dict[str, SmsBlock]:
    """Why no text can reach each of `phones` that texts cannot reach (as `text_block`), in one query."""
    phones = set(phones)
    if not phones:
        return {}
    return {b.phone: b for b in session.scalars(select(SmsBlock).where(SmsBlock.phone.in_(phones)))}


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


def record_provider_refusal(session: Session, phone: str, refusal: str, note: str, now: datetime) -> None:
    """What another provider's refusal says about the number (`unsubscribed` or `invalid`), written down."""
    if refusal == "unsubscribed":
        suppress(session, phone, source="aliyun", reason=note or "the provider reports the recipient refused", now=now)
    elif refusal == "invalid":
        block_number(session, phone, reason="invalid", error_code=None, now=now)
