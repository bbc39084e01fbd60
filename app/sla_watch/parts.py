"""Parts for a repair: requested from a depot, shipped within 2 days (P-REP-3), or escalated by the sweep."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound, ValidationFailed
from app.sla_watch.models import PartsRequest
from app.tickets.history import record_event
from app.tickets.models import Ticket

SHIP_WITHIN = timedelta(days=2)  # P-REP-3: parts reach the job within 2 days


def request_parts(session: Session, ticket: Ticket, *, part_name: str, quantity: int = 1, part_code: str = "",
                  actor: str, now: datetime) -> PartsRequest:
    """Record a request for parts on an open repair; the depot owes it within 2 days."""
    if ticket.kind != "repair" or ticket.status in ("resolved", "verified", "closed", "cancelled"):
        raise Conflict(f"parts are requested on an open repair; ticket {ticket.number} is a {ticket.status} {ticket.kind}")
    if not isinstance(part_name, str) or not part_name.strip() or len(part_name) > 120:
        raise ValidationFailed("the part needs a name", {"part_name": "required, at most 120 characters"})
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 100:
        raise ValidationFailed("quantity must be 1 to 100", {"quantity": "a whole number 1 to 100"})
    request = PartsRequest(ticket_id=ticket.id, part_code=(part_code or "")[:40], part_name=part_name.strip(),
                           quantity=quantity, requested_by=actor, requested_at=now, ship_by=now + SHIP_WITHIN)
    session.add(request)
    record_event(session, ticket, "parts_requested", actor=actor, now=now,
                 note=f"{quantity} x {request.part_name} {request.part_code}".strip())
    session.flush()
    return request


def ship_parts(session: Session, request_id: int, *, actor: str, now: datetime) -> PartsRequest:
    """The depot shipped the parts: the 2-day clock stops (late shipments stay escalated)."""
    request = session.get(PartsRequest, request_id)
    if request is None:
        raise NotFound(f"no parts request {request_id}")
    if request.shipped_at is not None or request.cancelled_at is not None:
        raise Conflict(f"parts request {request_id} is already {'shipped' if request.shipped_at else 'cancelled'}")
    request.shipped_at = now
    record_event(session, request.ticket, "parts_shipped", actor=actor, now=now,
                 note=f"{request.quantity} x {request.part_name}")
    session.flush()
    return request
