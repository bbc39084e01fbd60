"""P-CARE-1: a free maintenance visit every 3 months during the warranty, offered by text.

`send_maintenance_reminders` (job maintenance_reminders, daily) texts the owner of each unit in
warranty whose last visit (or installation) is 3 months old or more, once per due visit: the
dedupe key names the unit and the visit's due date, so a rerun, or tomorrow's run, sends nothing
again until the next visit falls due. The text says how to book: reply 预约, or hotline key 4.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from datetime import tzinfo as TzInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.customers.models import CustomerPhone
from app.messaging.models import Message
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from app.product_lines import HOTLINE_BY_LINE
from app.tickets.models import Ticket
from app.units.models import Unit, WarrantyRestartRecord
from app.warranty.ledger import unit_warranty, warranty_start

VISIT_EVERY_MONTHS = 3
LONGEST_WHOLE_UNIT_YEARS = 6  # P-WAR-1/4; units older than this are in warranty only after a restart
TEMPLATE = "maintenance_reminder"


def add_months(day: date, months: int) -> date:
    """`day` moved by `months`, on the same day of the month or the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def due_visit(last_visit: date, today: date) -> date | None:
    """The due date of the latest 3-monthly visit on or before `today`; None before the first."""
    months = (today.year - last_visit.year) * 12 + today.month - last_visit.month
    steps = months // VISIT_EVERY_MONTHS
    while steps > 0 and add_months(last_visit, steps * VISIT_EVERY_MONTHS) > today:
        steps -= 1
    return add_months(last_visit, steps * VISIT_EVERY_MONTHS) if steps > 0 else None


def record_maintenance_visit(ticket: Ticket, *, now: datetime, tz: TzInfo) -> None:
    """A maintenance visit was resolved: the unit's next free visit is due 3 months after it."""
    if ticket.kind != "maintenance" or ticket.unit is None:
        return
    visited_on = now.astimezone(tz).date()
    if ticket.unit.last_maintenance_on is None or ticket.unit.last_maintenance_on < visited_on:
        ticket.unit.last_maintenance_on = visited_on


def reminder_key(unit_id: int, due_on: date) -> str:
    return f"unit:{unit_id}:maintenance:{due_on.isoformat()}"


@dataclass(frozen=True)
class MaintenanceResult:
    reminded: int = 0
    out_of_warranty: int = 0
    no_mobile: int = 0


def _candidates(session: Session, today: date):
    """Units whose last visit is 3 months old or more, and which may still be in warranty."""
    last_visit = func.coalesce(Unit.last_maintenance_on, Unit.installed_on, Unit.purchased_on)
    start = func.coalesce(Unit.installed_on, Unit.purchased_on)
    restarted = select(WarrantyRestartRecord.unit_id)
    query = (select(Unit).where(last_visit <= add_months(today, -VISIT_EVERY_MONTHS),
                                or_(start >= add_months(today, -12 * LONGEST_WHOLE_UNIT_YEARS),
                                    Unit.id.in_(restarted)))
             .order_by(Unit.id))
    return session.scalars(query.execution_options(yield_per=500))


def _mobile_of(session: Session, customer_id: int) -> str | None:
    return session.scalar(select(CustomerPhone.e164).where(CustomerPhone.customer_id == customer_id,
                                                           CustomerPhone.kind == "mobile")
                          .order_by(CustomerPhone.id).limit(1))


def send_maintenance_reminders(session: Session, *, now: datetime, tz: TzInfo, policy: SendingPolicy | None = None,
                               limit: int = 20000) -> MaintenanceResult:
    """Text each due owner once per due visit (quiet hours and opt-outs apply); the caller commits."""
    today = now.astimezone(tz).date()
    due: list[tuple[Unit, str]] = []
    for unit in _candidates(session, today):
        last = unit.last_maintenance_on or warranty_start(unit)
        due_on = due_visit(last, today) if last else None
        if due_on is not None:
            due.append((unit, reminder_key(unit.id, due_on)))
        if len(due) >= limit:
            break
    reminded = out_of_warranty = no_mobile = 0
    for start in range(0, len(due), 500):
        batch = due[start:start + 500]
        sent = set(session.scalars(select(Message.dedupe_key).where(Message.dedupe_key.in_([k for _, k in batch]))))
        for unit, key in batch:
            if key in sent:
                continue
            if not unit_warranty(session, unit, on=today, tz=tz).in_warranty:
                out_of_warranty += 1
                continue
            phone = _mobile_of(session, unit.customer_id)
            if phone is None:
                no_mobile += 1  # a landline owner books by calling key 4; we do not cold-call for this
                continue
            queue_text(session, phone=phone, template=TEMPLATE, now=now, category="reminder", dedupe_key=key,
                       policy=policy,
                       context={"serial_tail": unit.serial[-4:], "hotline": HOTLINE_BY_LINE[unit.product_line]})
            reminded += 1
    session.flush()
    return MaintenanceResult(reminded=reminded, out_of_warranty=out_of_warranty, no_mobile=no_mobile)
