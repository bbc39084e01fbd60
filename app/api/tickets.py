"""Ticket endpoints: list and read, create, and move through the lifecycle by events."""
from __future__ import annotations

import re

from flask import jsonify, request
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.api import api
from app.api.auth import STAFF, current_user, require_role
from app.api.params import json_object, optional_text, page_of, paging, parse_datetime, required_text
from app.api.presenters import ticket_json
from app.closed_loop.moves import move_ticket
from app.customers.models import CustomerPhone
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.errors import IdempotencyKeyReused, NotFound, ValidationFailed
from app.product_lines import PRODUCT_LINES
from app.tickets.lifecycle import Kind, Status
from app.tickets.models import Ticket
from app.tickets.services import CreateResult, NewTicket, create_ticket, same_request
from app.web import business_tz, db_session, now, settings


def load_ticket(number: str) -> Ticket:
    """The ticket of that number with its events and unit; 404 for a number that is none."""
    if not number.isdigit() or len(number) > 16:
        raise NotFound(f"no ticket {number!r}: ticket numbers are digits only")
    ticket = db_session().scalar(
        select(Ticket).where(Ticket.number == number).options(selectinload(Ticket.events), selectinload(Ticket.unit))
    )
    if ticket is None:
        raise NotFound(f"no ticket {number}")
    return ticket


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if value not in allowed:
        raise ValidationFailed(f"unknown {name} {value!r}", {name: f"one of {', '.join(allowed)}"})
    return value


IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,64}")  # what a staff tool sends: a UUID, a counter, a hash


@api.get("/tickets")
@require_role(*STAFF)
def list_tickets():
    """Tickets newest first, filtered by phone (any number of the customer), status, product line, kind."""
    page, per_page = paging()
    query = select(Ticket)
    phone = request.args.get("phone")
    if phone:
        try:
            e164 = normalise_phone(phone).e164
        except InvalidPhoneNumber as exc:
            raise ValidationFailed(str(exc), {"phone": str(exc)}) from None
        owner = select(CustomerPhone.customer_id).where(CustomerPhone.e164 == e164).scalar_subquery()
        query = query.where(or_(Ticket.phone == e164, Ticket.customer_id == owner))
    for name, column, allowed in (
        ("status", Ticket.status, [s.value for s in Status]),
        ("product_line", Ticket.product_line, list(PRODUCT_LINES)),
        ("kind", Ticket.kind, [k.value for k in Kind]),
    ):
        value = _choice(name, allowed)
        if value is not None:
            query = query.where(column == value)
    query = (query.order_by(Ticket.created_at.desc(), Ticket.id.desc())
             .offset((page - 1) * per_page).limit(per_page + 1)
             .options(selectinload(Ticket.events), selectinload(Ticket.unit)))
    rows = list(db_session().scalars(query))
    tz, at = business_tz(), now()
    return jsonify(page_of(rows, page, per_page, lambda t: ticket_json(t, tz, at)))


@api.get("/tickets/<number>")
@require_role(*STAFF)
def read_ticket(number: str):
    return jsonify(ticket_json(load_ticket(number), business_tz(), now()))


@api.post("/tickets")
@require_role(*STAFF)
def post_ticket():
    """Create a ticket; an `Idempotency-Key` header makes a double submit return the first ticket (200),
    and the same key with a different request a 422."""
    data = json_object()
    main_equipment = data.get("main_equipment")
    if main_equipment is not None and not isinstance(main_equipment, bool):
        raise ValidationFailed("main_equipment must be true or false", {"main_equipment": "true or false"})
    key = request.headers.get("Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationFailed("Idempotency-Key must be 1 to 64 printable ASCII characters without spaces",
                               {"Idempotency-Key": "1 to 64 printable ASCII characters, no spaces"})
    new = NewTicket(
        kind=required_text(data, "kind", 20), product_line=required_text(data, "product_line", 20),
        phone=required_text(data, "phone", 64), serial=optional_text(data, "serial", 40),
        summary=optional_text(data, "summary") or "",
        appointment_at=parse_datetime(data.get("appointment_at"), "appointment_at"),
        main_equipment=main_equipment, source="api",
        idempotency_key=f"api:{current_user().id}:{key}" if key else None,
    )
    session = db_session()
    actor = current_user().name
    try:
        result = create_ticket(session, new, actor=actor, now=now(), signature=settings().sms_signature)
        session.commit()
    except IntegrityError:
        # The same key submitted twice at once: the other request's ticket won; answer with it.
        session.rollback()
        earlier = new.idempotency_key and session.scalar(select(Ticket).where(Ticket.idempotency_key == new.idempotency_key))
        if not earlier:
            raise
        result = CreateResult(earlier, created=False)
    if not result.created and not same_request(result.ticket, new):
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was used for ticket {result.ticket.number} with a different request; "
            "send a new key for a new ticket", {"Idempotency-Key": "already used with a different request"})
    return jsonify(ticket_json(result.ticket, business_tz(), now())), 201 if result.created else 200


@api.post("/tickets/<number>/events")
@require_role(*STAFF)
def post_ticket_event(number: str):
    """Move a ticket by one event; a move its state does not allow is a 409 with the reason."""
    data = json_object()
    event_type = required_text(data, "type", 40)
    session = db_session()
    ticket = load_ticket(number)
    move_ticket(session, ticket, event_type, data, actor=current_user().name, now=now(), tz=business_tz(),
                signature=settings().sms_signature)
    session.commit()
    return jsonify(ticket_json(ticket, business_tz(), now())), 201
