"""What a caller's typed digits mean for a `collect` node: a value, or the reason they do not fit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.tickets.models import Ticket
from app.tickets.numbers import is_well_formed
from app.units.models import Unit

if TYPE_CHECKING:
    from app.ivr.step import Step

DIGITS = re.compile(r"[0-9]+")
BOOKING_DAYS = 30  # a preferred day can be at most this far ahead


@dataclass(frozen=True)
class Checked:
    """`value` when the digits fit; otherwise `reason` (malformed, not_found, out_of_range)."""

    value: object = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def check(kind: str, digits: str, step: "Step") -> Checked:
    """Validate `digits` (already only 0-9) for the validator `kind` of a collect node."""
    return _CHECKS[kind](digits, step)


def _digits(digits: str, step) -> Checked:
    return Checked(digits)


def _error_code(digits: str, step) -> Checked:
    # The unit shows codes such as E1 or F3; the caller types the digits of it.
    return Checked(digits) if 1 <= len(digits) <= 4 else Checked(reason="malformed")


def _serial(digits: str, step) -> Checked:
    """A unit of this hotline's product line whose serial has exactly these digits (letters are not on a keypad)."""
    if not 4 <= len(digits) <= 20:
        return Checked(reason="malformed")
    candidates = step.session.scalars(
        select(Unit).where(Unit.product_line == step.flow.product_line, Unit.serial.like(f"%{digits[-4:]}%")).limit(200))
    matches = [u for u in candidates if "".join(ch for ch in u.serial if ch.isdigit()) == digits]
    if len(matches) != 1:
        return Checked(reason="not_found")
    return Checked(matches[0].id)


def _ticket_number(digits: str, step) -> Checked:
    if not is_well_formed(digits):
        return Checked(reason="malformed")  # the Luhn digit tells a mistyped number
    if step.session.scalar(select(Ticket.id).where(Ticket.number == digits)) is None:
        return Checked(reason="not_found")
    return Checked(digits)


def _phone(digits: str, step) -> Checked:
    try:
        return Checked(normalise_phone(digits).e164)
    except InvalidPhoneNumber:
        return Checked(reason="malformed")


def _day(digits: str, step) -> Checked:
    """MMDD: the next such day from tomorrow on, at most BOOKING_DAYS ahead."""
    if len(digits) != 4:
        return Checked(reason="malformed")
    today = step.now.astimezone(step.tz).date()
    month, day = int(digits[:2]), int(digits[2:])
    for year in (today.year, today.year + 1):
        try:
            wanted = date(year, month, day)
        except ValueError:
            return Checked(reason="malformed")
        if wanted > today:
            break
    if not today < wanted <= today + timedelta(days=BOOKING_DAYS):
        return Checked(reason="out_of_range")
    return Checked(wanted.isoformat())


_CHECKS = {"digits": _digits, "error_code": _error_code, "serial": _serial, "ticket_number": _ticket_number,
           "phone": _phone, "day": _day}
