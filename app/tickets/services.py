"""Verbs on tickets: create one, and move it through its lifecycle.

Each verb changes the models, writes one `TicketEvent` with the fields before and after
(P-REC-2), queues any text in the outbox, and leaves the commit to the caller. What follows a
move elsewhere (the survey, the care plan, the warranty) is `app.closed_loop.moves`'s, above this.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from datetime import tzinfo as TzInfo
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.customers.services import customer_by_phone
from app.database import MAX_ROW_ID
from app.errors import Conflict, NotFound, ValidationFailed, storable_text_of
from app.escalations.services import raise_escalation
from app.messaging.outbox import queue_text
from app.network.models import Technician
from app.product_lines import HOTLINE_BY_LINE, PRODUCT_LINES
from app.tickets import lifecycle, sla
from app.tickets.history import record_event
from app.tickets.lifecycle import EventType, IllegalTransition, Kind, Status
from app.tickets.models import Ticket, TicketEvent
from app.tickets.numbers import ticket_number
from app.tickets.work_lines import parse_work_lines, whole_number
from app.units.models import Unit

KIND_LABELS = {"repair": "报修", "install": "安装", "complaint": "投诉", "maintenance": "保养",
               "inquiry": "咨询", "callback": "回电"}
MAX_SUMMARY = 2000


@dataclass(frozen=True)
class NewTicket:
    """What a caller or agent asks for; validated by `create_ticket`."""

    kind: str
    product_line: str
    phone: str
    serial: str | None = None
    summary: str = ""
    appointment_at: datetime | None = None
    main_equipment: bool | None = None
    source: str = "api"
    idempotency_key: str | None = None


@dataclass(frozen=True)
class CreateResult:
    ticket: Ticket
    created: bool  # False when an idempotency key matched an earlier ticket


def _validate(session: Session, request: NewTicket) -> tuple[str, bool, Unit | None]:
    fields: dict[str, str] = {}
    if request.kind not in set(Kind):
        fields["kind"] = f"must be one of: {', '.join(k.value for k in Kind)}"
    if request.product_line not in PRODUCT_LINES:
        fields["product_line"] = f"must be one of: {', '.join(PRODUCT_LINES)}"
    phone, is_mobile = "", False
    try:
        number = normalise_phone(request.phone)
        phone, is_mobile = number.e164, number.is_mobile
    except InvalidPhoneNumber as exc:
        fields["phone"] = str(exc)
    if len(request.summary) > MAX_SUMMARY:
        fields["summary"] = f"at most {MAX_SUMMARY} characters"
    unit = None
    if request.serial:
        unit = session.scalar(select(Unit).where(Unit.serial == request.serial.strip().upper()))
        if unit is None:
            fields["serial"] = f"no unit with serial {request.serial!r}"
        elif request.product_line in PRODUCT_LINES and unit.product_line != request.product_line:
            fields["serial"] = f"unit {unit.serial} is a {unit.product_line} unit, not {request.product_line}"
    if request.appointment_at is not None and request.kind not in sla.APPOINTMENT_KINDS:
        fields["appointment_at"] = "only installs and maintenance visits are booked for a time"
    if fields:
        raise ValidationFailed("the ticket was not created: " + "; ".join(f"{k}: {v}" for k, v in fields.items()), fields)
    return phone, is_mobile, unit


_BY_IDEMPOTENCY_KEY = select(Ticket).where(Ticket.idempotency_key == bindparam("key"))  # built once: every ticket asks


def create_ticket(session: Session, request: NewTicket, *, actor: str, now: datetime, signature: str = "【志高】") -> CreateResult:
    """Log a request for service with its SLA clocks, its first event and its confirmation text."""
    if request.idempotency_key:
        earlier = session.scalar(_BY_IDEMPOTENCY_KEY, {"key": request.idempotency_key})
        if earlier is not None:
            return CreateResult(earlier, created=False)
    phone, is_mobile, unit = _validate(session, request)
    customer = unit.customer if unit is not None else customer_by_phone(session, phone)
    main_equipment = request.main_equipment if request.main_equipment is not None else request.kind == "repair"
    clocks = sla.sla_clocks(request.kind, now, appointment_at=request.appointment_at, main_equipment=main_equipment)
    ticket = Ticket(
        kind=request.kind, product_line=request.product_line, status=Status.RECEIVED.value,
        priority="high" if request.kind == "complaint" else "normal", source=request.source,
        phone=phone, customer=customer, unit=unit, summary=request.summary.strip(),
        main_equipment=main_equipment, users_fault=False, needs_verification_call=customer is None,
        idempotency_key=request.idempotency_key, created_at=now, updated_at=now,
        appointment_at=request.appointment_at, respond_by=clocks.respond_by, arrive_by=clocks.arrive_by,
        resolve_by=clocks.resolve_by, loaner_due_at=clocks.loaner_due_at, work_lines={}, reopen_count=0,
    )
    session.add(ticket)
    session.flush()  # the id gives the public number
    ticket.number = ticket_number(ticket.id)
    record_event(session, ticket, "create", actor=actor, now=now, status_before=None,
                 changes={"status": [None, ticket.status]}, note=request.summary[:200])
    # The keys below name the ticket just made, so no row can hold them yet: not looked up.
    if is_mobile:
        queue_text(session, phone=phone, template="ticket_created", now=now, ticket_id=ticket.id,
                   dedupe_key=f"ticket:{ticket.id}:created", new_key=True, signature=signature,
                   context={"ticket_number": ticket.number, "kind_label": KIND_LABELS[request.kind],
                            "hotline": HOTLINE_BY_LINE[request.product_line]})
    if request.kind == "complaint":
        # A complaint goes to a supervisor at once (P-REC-4).
        raise_escalation(session, reason="complaint", queue="supervisor", now=now, ticket_id=ticket.id,
                         dedupe_key=f"ticket:{ticket.id}:complaint", new_key=True, detail=request.summary[:500])
    session.flush()
    return CreateResult(ticket, created=True)


def same_request(ticket: Ticket, request: NewTicket) -> bool:
    """Whether `request` asks for what `ticket` was created from (a repeat, not a new request)."""
    try:
        phone = normalise_phone(request.phone).e164
    except InvalidPhoneNumber:
        return False
    serial = (request.serial or "").strip().upper() or None
    main_equipment = request.main_equipment if request.main_equipment is not None else request.kind == "repair"
    return ((request.kind, request.product_line, phone, serial, request.summary.strip(), main_equipment)
            == (ticket.kind, ticket.product_line, ticket.phone, ticket.unit.serial if ticket.unit else None,
                ticket.summary, ticket.main_equipment)
            and request.appointment_at == ticket.appointment_at)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime, date)) else value


class _ChangeLog:
    """Sets fields on a ticket and remembers each one's before and after for the event."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket
        self.changes: dict[str, list] = {}

    def set(self, field: str, value: Any) -> None:
        before = getattr(self.ticket, field)
        if before != value:
            self.changes[field] = [_iso(before), _iso(value)]
            setattr(self.ticket, field, value)


def apply_event(
    session: Session,
    ticket: Ticket,
    event_type: str,
    payload: dict,
    *,
    actor: str,
    now: datetime,
    tz: TzInfo,
) -> TicketEvent:
    """Move `ticket` by one lifecycle event and record it; IllegalTransition becomes a Conflict and
    nothing changes. What follows the move is the caller's (`app.closed_loop.moves.move_ticket`)."""
    known = [e.value for e in EventType]
    if event_type not in known:
        # Bad input (400), not a state the ticket is in (409).
        raise ValidationFailed(f"unknown event type {event_type!r}; expected one of: {', '.join(known)}",
                               {"type": f"one of {', '.join(known)}"})
    try:
        move = lifecycle.transition(ticket.kind, ticket.status, event_type)
    except IllegalTransition as exc:
        raise Conflict(exc.reason) from None
    note = payload.get("note")
    note = "" if note is None else note
    if not isinstance(note, str) or len(note) > MAX_SUMMARY:
        raise ValidationFailed("note must be text of at most 2000 characters", {"note": "must be text, at most 2000 characters"})
    storable_text_of(note, "note")
    log = _ChangeLog(ticket)
    handler = _HANDLERS.get(move.event)
    if handler is not None:
        handler(session, ticket, log, payload, now, tz)
    log.set("status", move.after.value)
    log.set("updated_at", now)
    event = record_event(session, ticket, move.event.value, actor=actor, now=now, status_before=move.before.value,
                         changes=log.changes, note=note)
    session.flush()
    return event


def _met(log: _ChangeLog, met_field: str, breached_field: str, due: datetime | None, now: datetime) -> None:
    """Record a milestone as met now, and as breached when late (first time only)."""
    if getattr(log.ticket, met_field) is None:
        log.set(met_field, now)
        if due is not None and now > due:
            log.set(breached_field, True)


def _on_acknowledge(session, ticket, log, payload, now, tz) -> None:
    _met(log, "responded_at", "respond_breached", ticket.respond_by, now)


def _on_dispatch(session, ticket, log, payload, now, tz) -> None:
    technician_id = whole_number(payload.get("technician_id"))
    # Beyond INTEGER keys no id can exist, and binding one would fail on PostgreSQL.
    if technician_id is None or not 1 <= technician_id <= MAX_ROW_ID:
        raise ValidationFailed("dispatch needs a technician", {"technician_id": "required, an integer id"})
    technician = session.get(Technician, technician_id)
    if technician is None:  # a well-formed id of nobody: not found, as an unknown id in a path
        raise NotFound(f"no technician {technician_id}", {"technician_id": f"no technician {technician_id}"})
    refusal = technician.dispatch_refusal(now.astimezone(tz).date(), ticket.product_line)
    if refusal:
        raise Conflict(f"cannot dispatch: {refusal}")
    _met(log, "responded_at", "respond_breached", ticket.respond_by, now)
    log.set("technician_id", technician.id)
    log.set("outlet_id", technician.outlet_id)


def _on_arrive(session, ticket, log, payload, now, tz) -> None:
    _met(log, "arrived_at", "arrive_breached", ticket.arrive_by, now)


def _on_resolve(session, ticket, log, payload, now, tz) -> None:
    users_fault = payload.get("users_fault", False)
    if not isinstance(users_fault, bool):
        raise ValidationFailed("users_fault must be true or false", {"users_fault": "must be true or false"})
    lines = parse_work_lines(payload)
    _met(log, "responded_at", "respond_breached", ticket.respond_by, now)
    _met(log, "resolved_at", "resolve_breached", ticket.resolve_by, now)
    log.set("users_fault", users_fault)
    log.set("work_lines", lines)


def _on_record_callback(session, ticket, log, payload, now, tz) -> None:
    score = whole_number(payload.get("score"))
    if score is None or not 1 <= score <= 5:
        raise ValidationFailed("the callback needs a score from 1 to 5", {"score": "required, a whole number 1 to 5"})
    log.set("callback_score", score)
    log.set("verified_at", now)


def _on_close(session, ticket, log, payload, now, tz) -> None:
    log.set("closed_at", now)


def _on_cancel(session, ticket, log, payload, now, tz) -> None:
    if not (payload.get("note") or "").strip():
        raise ValidationFailed("say why the ticket is cancelled", {"note": "required when cancelling"})
    log.set("cancelled_at", now)


def _on_reopen(session, ticket, log, payload, now, tz) -> None:
    if not (payload.get("note") or "").strip():
        raise ValidationFailed("say why the ticket is reopened", {"note": "required when reopening"})
    log.set("reopen_count", ticket.reopen_count + 1)
    for field in ("resolved_at", "verified_at", "closed_at", "callback_score"):
        log.set(field, None)


_HANDLERS = {
    EventType.ACKNOWLEDGE: _on_acknowledge,
    EventType.DISPATCH: _on_dispatch,
    EventType.ARRIVE: _on_arrive,
    EventType.RESOLVE: _on_resolve,
    EventType.RECORD_CALLBACK: _on_record_callback,
    EventType.CLOSE: _on_close,
    EventType.CANCEL: _on_cancel,
    EventType.REOPEN: _on_reopen,
}
