"""What the closed loop does when a ticket moves (called by `app.tickets.services.apply_event`).

Runs inside the same transaction as the ticket's event, so a resolved job and its survey, or a
maintenance visit and the unit's new last-visit date, are committed together or not at all.
"""
from __future__ import annotations

from datetime import datetime
from datetime import tzinfo as TzInfo

from sqlalchemy.orm import Session

from app.surveys.opening import open_survey, settle_survey, withdraw_survey
from app.tickets.models import Ticket


def record_maintenance_visit(ticket: Ticket, *, now: datetime, tz: TzInfo) -> None:
    """P-CARE-1: the next free visit is due 3 months after this one."""
    if ticket.kind != "maintenance" or ticket.unit is None:
        return
    visited_on = now.astimezone(tz).date()
    if ticket.unit.last_maintenance_on is None or ticket.unit.last_maintenance_on < visited_on:
        ticket.unit.last_maintenance_on = visited_on


def after_ticket_event(session: Session, ticket: Ticket, event: str, *, now: datetime, tz: TzInfo) -> None:
    """Open the survey of a resolved job, settle it on a recorded callback, withdraw it on a reopen."""
    if event == "resolve":
        open_survey(session, ticket, now=now)
        record_maintenance_visit(ticket, now=now, tz=tz)
    elif event == "record_callback":
        settle_survey(session, ticket, now=now)
    elif event == "reopen":
        withdraw_survey(session, ticket, now=now)
