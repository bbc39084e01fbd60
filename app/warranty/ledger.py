"""The downtime ledger of a unit, read from its repair tickets, and the recorded P-WAR-7 restarts."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import tzinfo as TzInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.tickets.models import Ticket
from app.units.models import Unit, WarrantyRestartRecord
from app.warranty.engine import DowntimeSpell, WarrantyRestart, WarrantyStatus, warranty_status


def downtime_spells(session: Session, unit: Unit) -> list[DowntimeSpell]:
    """The spells a unit was out of use, from its repair tickets (see `_spells_of`)."""
    tickets = session.scalars(
        select(Ticket).where(Ticket.unit_id == unit.id, Ticket.kind == "repair")
        .order_by(Ticket.created_at).options(selectinload(Ticket.events))
    )
    return [spell for ticket in tickets for spell in _spells_of(ticket)]


def _spells_of(ticket: Ticket) -> list[DowntimeSpell]:
    """Out of use from reception, and again from each reopening, until the resolve that follows.

    A reopened repair worked between its resolution and the reopening: that time is not downtime.
    A cancel withdraws the spell it ends (no fault was fixed); `users_fault` is as each resolve said.
    """
    number = ticket.number or str(ticket.id)
    spells: list[DowntimeSpell] = []
    since, users_fault = ticket.created_at, False
    for event in ticket.events:
        if event.type == "reopen":
            since = event.at
        elif event.type == "cancel":
            since = None
        elif event.type == "resolve" and since is not None:
            users_fault = (event.changes or {}).get("users_fault", [None, users_fault])[1]
            spells.append(DowntimeSpell(number, since, event.at, users_fault=bool(users_fault)))
            since = None
    if since is not None:
        spells.append(DowntimeSpell(number, since, None, users_fault=False))
    return spells


def warranty_start(unit: Unit) -> date | None:
    return unit.installed_on or unit.purchased_on


def unit_warranty(session: Session, unit: Unit, *, on: date, tz: TzInfo) -> WarrantyStatus:
    """The cover of each part of `unit` on day `on`, with its downtime ledger applied."""
    return warranty_status(
        unit.product_line, installed_on=unit.installed_on, purchased_on=unit.purchased_on,
        spells=downtime_spells(session, unit), on=on, tz=tz,
    )


def record_new_restarts(session: Session, unit: Unit, *, now: datetime, tz: TzInfo) -> list[WarrantyRestart]:
    """Store the P-WAR-7 restarts the ledger now shows that are not recorded yet; return the new ones."""
    today = now.astimezone(tz).date()
    status = unit_warranty(session, unit, on=today, tz=tz)
    known = set(session.scalars(
        select(WarrantyRestartRecord.restarted_on).where(WarrantyRestartRecord.unit_id == unit.id)
    ))
    new = [r for r in status.restarts if r.restarted_on not in known]
    for restart in new:
        session.add(WarrantyRestartRecord(
            unit_id=unit.id, restarted_on=restart.restarted_on,
            downtime_seconds=int(restart.downtime / timedelta(seconds=1)),
            ticket_number=restart.ticket_number, reason=restart.reason, recorded_at=now,
        ))
    session.flush()
    return new
