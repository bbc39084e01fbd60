"""The downtime ledger of a unit, read from its repair tickets, and the recorded P-WAR-7 restarts."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import tzinfo as TzInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.tickets.models import Ticket
from app.units.models import Unit, WarrantyRestartRecord
from app.warranty.engine import DowntimeSpell, WarrantyRestart, WarrantyStatus, warranty_status


def downtime_spells(session: Session, unit: Unit) -> list[DowntimeSpell]:
    """A unit is out of use from a repair's reception until its resolution (cancelled repairs excluded)."""
    tickets = session.scalars(
        select(Ticket).where(Ticket.unit_id == unit.id, Ticket.kind == "repair", Ticket.status != "cancelled")
        .order_by(Ticket.created_at)
    )
    return [
        DowntimeSpell(
            ticket_number=t.number or str(t.id),
            out_of_use_from=t.created_at,
            back_in_use_at=t.resolved_at,
            users_fault=t.users_fault,
        )
        for t in tickets
    ]


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
