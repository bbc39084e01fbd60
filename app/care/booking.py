"""Booking the free maintenance visit by replying 预约 to the reminder (P-CARE-1)."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.care.maintenance import TEMPLATE
from app.messaging.models import Message
from app.tickets.models import Ticket
from app.tickets.services import NewTicket, create_ticket
from app.units.models import Unit

# Words that book the visit: the reminder says 预约; the others are what people also write.
BOOKING_WORDS = frozenset({"预约", "预约保养", "保养", "我要预约", "预约上门", "book", "yes"})
# A reply counts as a booking only this long after the reminder; later, it is ordinary mail.
REPLY_WINDOW = timedelta(days=30)
_KEY = re.compile(r"^unit:(\d+):maintenance:(\d{4}-\d{2}-\d{2})$")
_NOISE = re.compile(r"[\s,.!?;:，。！？；：、~～]+")


def is_booking(body: str) -> bool:
    """True when the whole reply is a booking word (half- or full-width, any case, stray punctuation)."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", body or "")).lower()
    return text in BOOKING_WORDS


def book_by_reply(session: Session, phone: str, body: str, now: datetime, *, signature: str = "【志高】") -> list[Ticket]:
    """Book a maintenance visit for each unit the last month's reminders to `phone` offered.

    Returns the booked tickets (empty: the reply was not a booking, or no reminder went to this
    number, so someone else should read it). A second 预约 returns the same tickets: the
    idempotency key names the unit and its due visit.
    """
    if not is_booking(body):
        return []
    keys = session.scalars(
        select(Message.dedupe_key).where(Message.phone == phone, Message.direction == "out",
                                         Message.template == TEMPLATE, Message.created_at >= now - REPLY_WINDOW)
        .order_by(Message.created_at.desc())
    )
    booked: list[Ticket] = []
    for key in keys:
        match = _KEY.match(key or "")
        unit = session.get(Unit, int(match.group(1))) if match else None
        if unit is None:
            continue
        request = NewTicket(kind="maintenance", product_line=unit.product_line, phone=phone, serial=unit.serial,
                            summary=f"保养预约（短信回复）机身尾号{unit.serial[-4:]}", source="sms",
                            idempotency_key=f"maintenance:{unit.id}:{match.group(2)}")
        booked.append(create_ticket(session, request, actor="customer:sms", now=now, signature=signature).ticket)
    return booked


def booking_reply_handler(signature: str = "【志高】"):
    """The SMS reply handler (app.messaging.inbound) that books the visit a reminder offered."""

    def book_maintenance_visit(session: Session, inbound) -> bool:
        return bool(book_by_reply(session, inbound.phone, inbound.body, inbound.now, signature=signature))

    return book_maintenance_visit
