"""Filling prompts: `{name}` placeholders from the call's variables, the flow's words and spoken forms.

Numbers, dates and times are spoken in the call's language using words of the flow
(`digits`, `date_format`, `time_format`, `month_names`), so the wording stays data.
"""
from __future__ import annotations

from datetime import date, datetime
from datetime import tzinfo as TzInfo
from string import Formatter

# Variables nodes set, with what they hold (documented in ivr_flows/README.md).
VARIABLES = {
    "caller": "the caller's number (E.164), empty when withheld",
    "caller_known": "the caller's number belongs to a customer",
    "units": "the caller's units of this product line",
    "unit_id": "the unit the call is about",
    "contact_phone": "a number the caller typed when caller ID was missing",
    "ticket_number": "the last ticket made in this call",
    "tickets": "every ticket made in this call",
    "warranty_known": "the unit's warranty start is known",
    "in_warranty": "the unit's whole-unit cover holds today",
    "warranty_end": "the last day of the whole-unit cover (YYYY-MM-DD)",
    "texted": "the last send_text queued a text",
    "survey_id": "the survey an outbound survey call is for",
    "open_ticket_number": "the open repair of the unit (or, with no unit, of the number) the caller reports on",
    "open_promise": "that ticket's next promise, in words (技师预计在…前上门)",
    "urge_escalated": "the last urge was past the promised time and went to a supervisor",
}
# Spoken forms computed from variables.
SPOKEN = {
    "ticket_digits": "ticket_number read digit by digit",
    "warranty_end_date": "warranty_end as a spoken date",
    "preferred_date": "preferred_day as a spoken date",
    "open_ticket_digits": "open_ticket_number read digit by digit",
}
# Placeholders of item prompts (one line per unit, fee or ticket).
ITEM_NAMES = {"key", "model", "serial_tail", "service", "condition", "price",
              "kind_label", "status_label", "milestone"}

_formatter = Formatter()


def placeholders(text: str) -> list[str]:
    """The `{name}` placeholders of `text`; ValueError for unbalanced braces."""
    return [name for _, name, _, _ in _formatter.parse(text) if name is not None]


def fill(text: str, lookup) -> str:
    """`text` with each `{name}` replaced by `lookup(name)` (a missing value reads as nothing)."""
    out = []
    for literal, name, _spec, _conv in _formatter.parse(text):
        out.append(literal)
        if name is not None:
            value = lookup(name)
            out.append("" if value is None else str(value))
    return "".join(out)


def spell_digits(digits: str, words: str) -> str:
    """ "1008" with words "零 一 二 ..." -> "一 零 零 八": a number read back digit by digit."""
    names = words.split()
    if len(names) != 10:
        names = list("0123456789")
    return " ".join(names[int(ch)] for ch in digits if ch.isdigit())


def spoken_date(day: date, date_format: str, month_names: str) -> str:
    """A date in the words of `date_format` ({year}, {month}, {day}, {month_name})."""
    months = month_names.split()
    name = months[day.month - 1] if len(months) == 12 else str(day.month)
    return fill(date_format, {"year": day.year, "month": day.month, "day": day.day, "month_name": name}.get)


def spoken_time(moment: datetime, tz: TzInfo, time_format: str, month_names: str) -> str:
    """A moment in business time, in the words of `time_format` (adds {hour} and {minute})."""
    local = moment.astimezone(tz)
    months = month_names.split()
    name = months[local.month - 1] if len(months) == 12 else str(local.month)
    values = {"year": local.year, "month": local.month, "day": local.day, "month_name": name,
              "hour": local.hour, "minute": f"{local.minute:02d}"}
    return fill(time_format, values.get)


def spoken_value(name: str, variables: dict, word) -> str | None:
    """The spoken form `name` of SPOKEN, or None when its variable is not set."""
    if name in ("ticket_digits", "open_ticket_digits"):
        number = variables.get(name.replace("_digits", "_number"))
        return spell_digits(number, word("digits")) if number else None
    source = {"warranty_end_date": "warranty_end", "preferred_date": "preferred_day"}.get(name)
    if source and variables.get(source):
        try:
            day = date.fromisoformat(str(variables[source]))
        except ValueError:
            return None
        return spoken_date(day, word("date_format"), word("month_names"))
    return None
