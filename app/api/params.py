"""Reading request input: JSON bodies, query strings and paging, with field messages on error."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from app.database import MAX_ROW_ID
from app.errors import ValidationFailed, storable_text_of
from app.storable_text import has_unstorable

MAX_PER_PAGE = 200
# Keeps (page - 1) * per_page far inside a 64-bit OFFSET; a larger page is a typo, not a request.
MAX_PAGE = 1_000_000
MAX_ID = MAX_ROW_ID
# Dates and times staff may give: far beyond any unit's life, far inside what the databases and
# date arithmetic (a day added, an offset removed) can hold. Stated in the OpenAPI document.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# fromisoformat also reads 20260701 and 2026-W27-2; the API promises YYYY-MM-DD only.
DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def refuse_unstorable_request() -> None:
    """Before any API view: a path or query value holding a NUL or a lone surrogate is a 400 naming it."""
    for source in (request.view_args or {}, request.args):
        for name, value in source.items():
            if isinstance(value, str) and (has_unstorable(value) or has_unstorable(name)):
                raise ValidationFailed(f"{name} holds a character that cannot be stored (NUL or a lone surrogate)",
                                       {name: "no NUL or lone surrogate characters"})


def json_object() -> dict:
    """The body as a JSON object; malformed JSON or another type is a 400 that says so.

    A body sent as anything but JSON (a form, say) is a 415 rather than read as no body at all.
    """
    if not _has_body():
        raise ValidationFailed("send a JSON object in the body", {"body": "required"})
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    if not request.data:
        raise ValidationFailed("send a JSON object in the body", {"body": "required"})
    try:
        # Not silent=True: that answers None for both bad JSON and a valid `null`, which is not an object.
        data = request.get_json()
    except BadRequest:
        raise ValidationFailed("the body is not valid JSON", {"body": "malformed JSON"}) from None
    except RecursionError:  # 100,000 nested [ exhaust the parser's stack: bad JSON all the same
        raise ValidationFailed("the body nests too deeply to be read", {"body": "nested too deeply"}) from None
    if not isinstance(data, dict):
        raise ValidationFailed("the body must be a JSON object", {"body": "must be an object"})
    return data


def _has_body() -> bool:
    return bool(request.content_length) or "Transfer-Encoding" in request.headers


def optional_json_object() -> dict:
    """The JSON object of a request whose body may be left out; a body of any other type is a 415."""
    return json_object() if _has_body() else {}


def optional_text(data: dict, name: str, max_len: int = 2000) -> str | None:
    """The text `name` of `data` (None when absent or null); anything that cannot be stored is a 400 naming it."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_len:
        raise ValidationFailed(f"{name} must be text of at most {max_len} characters", {name: f"text, at most {max_len} characters"})
    return storable_text_of(value, name)


def required_text(data: dict, name: str, max_len: int = 200) -> str:
    value = optional_text(data, name, max_len)
    if value is None or not value.strip():
        raise ValidationFailed(f"{name} is required", {name: "required"})
    return value


def choice(data: dict, name: str, allowed, *, required: bool = False) -> str | None:
    """One of `allowed` from a JSON body (None when absent and not `required`)."""
    value = data.get(name)
    if value is None and not required:
        return None
    if value not in allowed:
        raise ValidationFailed(f"{name} must be one of {', '.join(allowed)}", {name: f"one of {', '.join(allowed)}"})
    return value


def boolean(data: dict, name: str, *, required: bool = False) -> bool | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, bool):
        raise ValidationFailed(f"{name} must be true or false", {name: "true or false"})
    return value


def body_date(data: dict, name: str) -> date | None:
    """A YYYY-MM-DD date from a JSON body (None when absent or null)."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a date YYYY-MM-DD", {name: "YYYY-MM-DD"})
    return parse_date(value, name)


def body_id(data: dict, name: str, *, required: bool = False) -> int | None:
    """An id from a JSON body (a whole number 1..MAX_ID)."""
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationFailed(f"{name} must be an id", {name: "a whole number id"})
    return value


def present(data: dict, readers: dict) -> dict:
    """The values of the members `data` names, each read by its reader (for a PATCH: absent means unchanged)."""
    return {name: read(data, name) for name, read in readers.items() if name in data}


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
    _within_years(parsed.date(), name)
    return parsed


def parse_date(value: str | None, name: str) -> date | None:
    """A date YYYY-MM-DD from FIRST_YEAR to LAST_YEAR; None when absent. An empty value is not a date."""
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value) if DATE_SHAPE.fullmatch(value) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationFailed(f"{name} must be a date YYYY-MM-DD", {name: "YYYY-MM-DD"})
    return _within_years(parsed, name)


def _within_years(day: date, name: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationFailed(f"{name} must fall in the years {FIRST_YEAR} to {LAST_YEAR}",
                               {name: f"years {FIRST_YEAR} to {LAST_YEAR}"})
    return day


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
    """`from` and `to` from the query string (default: the `default_days` ending today), at most a year.

    `from` alone covers up to today, or its first 366 days when today is further away.
    """
    first, last = parse_date(request.args.get("from"), "from"), parse_date(request.args.get("to"), "to")
    if last is None:  # from `from` (when given) to today, or the year after `from` when today is beyond it
        last = today if first is None else max(first, min(today, first + timedelta(days=MAX_REPORT_DAYS - 1)))
    first = first or last - timedelta(days=default_days - 1)
    if first > last:
        raise ValidationFailed("from must not be after to", {"from": "on or before to"})
    if (last - first).days >= MAX_REPORT_DAYS:
        raise ValidationFailed(f"a report covers at most {MAX_REPORT_DAYS} days",
                               {"to": f"within {MAX_REPORT_DAYS} days of from"})
    return ReportWindow(first, last, datetime.combine(first, time.min, tzinfo=tz),
                        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz))


def body_datetime(data: dict, name: str, *, required: bool = False) -> datetime | None:
    """An ISO 8601 time with an offset from a JSON body (None when absent and not `required`)."""
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed(f"{name} is required", {name: "required"})
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be ISO 8601 with an offset", {name: "ISO 8601 with offset"})
    return parse_datetime(value, name)


def body_int(data: dict, name: str, low: int, high: int) -> int | None:
    """A whole number low..high from a JSON body (None when absent or null)."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{name} must be a whole number from {low} to {high}", {name: f"{low} to {high}"})
    return value


def text_list(data: dict, name: str, *, max_items: int, max_len: int, allowed=None) -> tuple[str, ...]:
    """A list of non-blank texts (each one of `allowed` when given); absent or null is empty."""
    value = data.get(name)
    if value is None:
        return ()
    problem = f"a list of at most {max_items} texts of 1 to {max_len} characters"
    if not isinstance(value, list) or len(value) > max_items:
        raise ValidationFailed(f"{name} must be {problem}", {name: problem})
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > max_len:
            raise ValidationFailed(f"{name} must be {problem}", {name: problem})
        storable_text_of(item, name)
        if allowed is not None and item not in allowed:
            raise ValidationFailed(f"{name} may hold only {', '.join(allowed)}", {name: f"of {', '.join(allowed)}"})
    return tuple(value)


def only_keys(data: dict, name: str, allowed) -> dict:
    """`data` when it is an object holding none but `allowed` keys (a typo is a 400, not a wider audience)."""
    if not isinstance(data, dict):
        raise ValidationFailed(f"{name} must be an object", {name: "an object"})
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(f"{name} does not know {', '.join(map(str, unknown))[:200]}",
                               {name: f"keys among {', '.join(allowed)}"})
    return data
