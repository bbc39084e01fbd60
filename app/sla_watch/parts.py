"""Parts for a repair: requested from a depot, shipped within 2 days (P-REP-3), or escalated by the sweep.

A request is made on an open repair (`POST /api/v1/tickets/<number>/parts`) and owed by `ship_by`,
two days later; the depot marks it shipped (`.../parts/<id>/ship`). When the repair is resolved
its requests still unshipped are cancelled: the job no longer waits for them, and the sweep does
not escalate them. What was fitted and taken back is recorded on `resolve` (work lines `parts` and
`returned`), the lines the monthly settlement reads.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationFailed
from app.sla_watch.models import PartsRequest
from app.tickets.history import record_event
from app.tickets.models import Ticket

SHIP_WITHIN = timedelta(days=2)  # P-REP-3: parts reach the job within 2 days
MAX_PART, MAX_CODE, MAX_DEPOT, MAX_QUANTITY = 120, 40, 80, 100


def request_parts(session: Session, ticket: Ticket, *, part_name: str, quantity: int = 1, part_code: str = "",
                  depot: str = "", actor: str, now: datetime) -> PartsRequest:
    """Record a request for parts on an open repair; the depot owes it within 2 days."""
    if ticket.kind != "repair" or ticket.status in ("resolved", "verified", "closed", "cancelled"):
        raise Conflict(f"parts are requested on an open repair; ticket {ticket.number} is a {ticket.status} {ticket.kind}")
    if not isinstance(part_name, str) or not part_name.strip() or len(part_name) > MAX_PART:
        raise ValidationFailed("the part needs a name", {"part": f"required, at most {MAX_PART} characters"})
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"quantity must be 1 to {MAX_QUANTITY}", {"quantity": f"a whole number 1 to {MAX_QUANTITY}"})
    request = PartsRequest(ticket_id=ticket.id, part_code=(part_code or "")[:MAX_CODE], part_name=part_name.strip(),
                           quantity=quantity, depot=(depot or "").strip()[:MAX_DEPOT], requested_by=actor,
                           requested_at=now, ship_by=now + SHIP_WITHIN)
    session.add(request)
    where = f" from {request.depot}" if request.depot else ""
    record_event(session, ticket, "parts_requested", actor=actor, now=now,
                 note=f"{quantity} x {request.part_name} {request.part_code}".strip() + where)
    session.flush()
    return request


def ship_parts(session: Session, ticket: Ticket, request_id: int, *, actor: str, now: datetime) -> PartsRequest:
    """The depot shipped the parts: the 2-day clock stops (late shipments stay escalated)."""
    request = session.get(PartsRequest, request_id)
    if request is None or request.ticket_id != ticket.id:
        raise NotFound(f"no parts request {request_id} on ticket {ticket.number}")
    if request.shipped_at is not None or request.cancelled_at is not None:
        raise Conflict(f"parts request {request_id} is already {'shipped' if request.shipped_at else 'cancelled'}")
    request.shipped_at, request.shipped_by = now, actor
    record_event(session, ticket, "parts_shipped", actor=actor, now=now,
                 note=f"{request.quantity} x {request.part_name}")
    session.flush()
    return request


def cancel_unshipped(session: Session, ticket: Ticket, *, actor: str, now: datetime) -> list[PartsRequest]:
    """The job is done: its requests still waiting are cancelled (one event for them all)."""
    waiting = list(session.scalars(select(PartsRequest).where(
        PartsRequest.ticket_id == ticket.id, PartsRequest.shipped_at.is_(None), PartsRequest.cancelled_at.is_(None))
        .order_by(PartsRequest.id)))
    for request in waiting:
        request.cancelled_at = now
    if waiting:
        record_event(session, ticket, "parts_cancelled", actor=actor, now=now,
                     note="; ".join(f"{r.quantity} x {r.part_name}" for r in waiting))
    return waiting
