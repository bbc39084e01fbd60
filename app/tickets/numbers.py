"""Ticket numbers: digits only, read back digit by digit, with a Luhn check digit.

The check digit lets the IVR tell a mistyped number from an unknown one.
"""
from __future__ import annotations

NUMBER_BASE = 1_000_000  # so the first numbers are already seven digits long


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def ticket_number(ticket_id: int) -> str:
    """The public number of the ticket with database id `ticket_id`."""
    body = str(NUMBER_BASE + ticket_id)
    return body + luhn_digit(body)


def is_well_formed(number: str) -> bool:
    """True when `number` is all ASCII digits and its check digit is right."""
    # isascii: str.isdigit() also accepts "¹" or full-width digits, which int() may not read.
    return number.isascii() and number.isdigit() and len(number) >= 8 and luhn_digit(number[:-1]) == number[-1]
