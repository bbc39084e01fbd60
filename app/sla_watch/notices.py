"""Texts the sweep sends: to the outlet that has the job, and to the customer about a loaner."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.messaging.outbox import queue_text
from app.product_lines import HOTLINE_BY_LINE
from app.tickets.models import Ticket


def _mobile(phone: str | None) -> str | None:
    """The number in E.164 when it can take a text (a landline cannot), else None."""
    if not phone:
        return None
    try:
        number = normalise_phone(phone)
    except InvalidPhoneNumber:
        return None
    return number.e164 if number.is_mobile else None


def text_outlet(session: Session, ticket: Ticket, *, template: str, now: datetime, signature: str,
                dedupe_key: str) -> bool:
    """Text the dispatching outlet's phone, when the ticket has an outlet with a mobile number."""
    phone = _mobile(ticket.outlet.phone) if ticket.outlet is not None else None
    if phone is None:
        return False
    queue_text(session, phone=phone, template=template, context={"ticket_number": ticket.number}, now=now,
               ticket_id=ticket.id, dedupe_key=dedupe_key, signature=signature)
    return True


def text_customer(session: Session, ticket: Ticket, *, template: str, now: datetime, signature: str,
                  dedupe_key: str) -> bool:
    """Text the ticket's contact number (with the hotline of its product line), when it is a mobile."""
    phone = _mobile(ticket.phone)
    if phone is None:
        return False
    queue_text(session, phone=phone, template=template, now=now, ticket_id=ticket.id, dedupe_key=dedupe_key,
               signature=signature,
               context={"ticket_number": ticket.number, "hotline": HOTLINE_BY_LINE[ticket.product_line]})
    return True
