"""Reading request input: JSON bodies, query strings and paging, with field messages on error."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import request
from werkzeug.exceptions import BadRequest

from app.errors import ValidationFailed

MAX_PER_PAGE = 200
# Keeps (page - 1) * per_page far inside a 64-bit OFFSET; a larger page is a typo, not a request.
MAX_PAGE = 1_000_000
# Ids are PostgreSQL INTEGER keys: a larger id cannot exist, and binding one would fail as a 500.
MAX_ID = 2**31 - 1


def json_object() -> dict:
    """The body as a JSON object; malformed JSON or another type is a 400 that says so."""
    if not request.data:
        raise ValidationFailed("send a JSON object in the body", {"body": "required"})
    try:
        # Not silent=True: that answers None for both bad JSON and a valid `null`, which is not an object.
        data = request.get_json(force=True)
    except BadRequest:
        raise ValidationFailed("the body is not valid JSON", {"body": "malformed JSON"}) from None
    if not isinstance(data, dict):
        raise ValidationFailed("the body must be a JSON object", {"body": "must be an object"})
    return data


def optional_text(data: dict, name: str, max_len: int = 2000) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise ValidationFailed(f"{name} must be text of at most {max_len} characters", {name: f"text, at most {max_len} characters"})
    return value


def required_text(data: dict, name: str, max_len: int = 200) -> str:
    value = optional_text(data, name, max_len)
    if value is None or not value.strip():
        raise ValidationFailed(f"{name} is required", {name: "required"})
    return value


def parse_datetime(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 time with an offset; a time without one is ambiguous and refused."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed(f"{name} must be ISO 8601 with an offset, e.g. 2026-07-01T10:00:00+08:00",
                               {name: "ISO 8601 with offset"})
    return parsed


def parse_date(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date YYYY-MM-DD", {name: "YYYY-MM-DD"}) from None


def paging() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1..200, default 50) from the query string."""
    fields = {}
    try:
        page = int(request.args.get("page", "1"))
        if not 1 <= page <= MAX_PAGE:
            raise ValueError
    except ValueError:
        fields["page"] = f"a whole number from 1 to {MAX_PAGE}"
    try:
        per_page = int(request.args.get("per_page", "50"))
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError
    except ValueError:
        fields["per_page"] = f"a whole number from 1 to {MAX_PER_PAGE}"
    if fields:
        raise ValidationFailed("bad paging parameters", fields)
    return page, per_page


def page_of(query_rows: list, page: int, per_page: int, present) -> dict:
    """A page of results; one extra row was fetched to know whether there is a next page without COUNT(*)."""
    has_next = len(query_rows) > per_page
    return {
        "items": [present(r) for r in query_rows[:per_page]],
        "page": page,
        "per_page": per_page,
        "next_page": page + 1 if has_next else None,
    }


def query_id(name: str) -> int | None:
    """An id from the query string (None when absent); anything but a possible id is a 400."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
        raise ValidationFailed(f"{name} must be an id", {name: "a whole number"})
    return int(value)


MAX_REPORT_DAYS = 366


@dataclass(frozen=True)
class ReportWindow:
    """Business days `first`..`last` (both included) and the instants that bound them."""

    first: date
    last: date
    start: datetime
    end: datetime


def report_window(today: date, tz, *, default_days: int) -> ReportWindow:
    """`from` and `to` from the query string (default: the `default_days` ending today), at most a year."""
    last = parse_date(request.args.get("to"), "to") or today
    first = parse_date(request.args.get("from"), "from") or last - timedelta(days=default_days - 1)
    if first > last:
        raise ValidationFailed("from must not be after to", {"from": "on or before to"})
    if (last - first).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(f"a report covers at most {MAX_REPORT_DAYS} days",
                               {"to": f"within {MAX_REPORT_DAYS} days of from"})
    return ReportWindow(first, last, datetime.combine(first, time.min, tzinfo=tz),
                        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz))
