"""Schemathesis hooks for the contract test: the rules the OpenAPI document states in words.

JSON Schema cannot say "a valid phone number", "a window of at most 366 days", "a unit that
exists" or "a fresh idempotency key", so the document says them in descriptions and these hooks
make the generated requests keep them: a custom `phone` format for generation, and, just before
each request that Schemathesis means to be valid, existing serials and technicians, a report
window within the year, a key of its own and a valid number where a reused value is none. Requests meant to be invalid are sent as drawn, and
everything the schema itself states is generated and checked by Schemathesis untouched.
The test passes real serials and a technician id in CONTRACT_SERIALS / CONTRACT_TECHNICIAN.
"""
from __future__ import annotations

import itertools
import json
import os
import re
from datetime import date, datetime, timedelta

import schemathesis
from hypothesis import strategies as st

from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SHAPES = {
    "plain": lambda n: n, "plus86": lambda n: f"+86{n}", "spaced": lambda n: f"{n[:3]} {n[3:7]} {n[7:]}",
    "dashed": lambda n: f"{n[:3]}-{n[3:7]}-{n[7:]}", "intl": lambda n: f"0086{n}",
    "full_width": lambda n: n.translate(_FULL_WIDTH),
}
phone_numbers = st.builds(lambda prefix, rest, shape: _SHAPES[shape](prefix + rest),
                          st.sampled_from(["138", "139", "150", "186", "188", "177"]),
                          st.text("0123456789", min_size=8, max_size=8), st.sampled_from(sorted(_SHAPES)))
schemathesis.openapi.format("phone", phone_numbers)

_DATE = re.compile(r"(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}")
_KEY = re.compile(r"[!-~]{1,64}")
_REPORT_DAYS = 366
_new_keys = itertools.count(1)


def _day(value) -> date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _report_window(query: dict) -> dict:
    """`to` moved to within 366 days on or after `from`, when both are dates."""
    first, last = _day(query.get("from")), _day(query.get("to"))
    if first is None or last is None or 0 <= (last - first).days < _REPORT_DAYS:
        return query
    last = first + timedelta(days=(last - first).days % _REPORT_DAYS)
    return {**query, "to": last.isoformat()} if last.year <= 2999 else {**query, "to": first.isoformat()}


def _campaign_kept_sendable(body: dict) -> dict:
    """A campaign's text that renders to a sendable one, and a window with sending time in it: rules the
    document states in words (a link, the length, quiet hours)."""
    body = {**body, "template": "志高提醒：{{ season_label }}季节将到，请试机。"}
    try:
        starts = datetime.fromisoformat(body["starts_at"])
        datetime.fromisoformat(body["ends_by"])
    except (KeyError, TypeError, ValueError):
        return body
    if starts.tzinfo is None:
        return body
    starts = starts.replace(year=min(starts.year, 2998))
    return {**body, "starts_at": starts.isoformat(), "ends_by": (starts + timedelta(days=1)).isoformat()}


_DATE_PAIRS = (("contract_signed_on", "contract_ends_on"), ("certificate_issued_on", "certificate_expires_on"))


def _dates_in_order(body: dict) -> dict:
    """A start or end date given with its partner in order (the stored partner may be on the wrong side)."""
    for start, end in _DATE_PAIRS:
        first, last = _day(body.get(start)), _day(body.get(end))
        if first is None and last is None:
            continue
        first, last = first or last, last or first
        body = {**body, start: min(first, last).isoformat(), end: max(first, last).isoformat()}
    return body


def _valid_phone(value):
    """A number as drawn when it is one; otherwise one that is (the stateful phase reuses the masked
    numbers of list responses and the tags of erased customers, which are no numbers)."""
    if not isinstance(value, str) or not value:
        return value
    try:
        normalise_phone(value)
        return value
    except InvalidPhoneNumber:
        return "13800138000"


def _phones_kept_valid(container: dict | None) -> dict | None:
    if not container or "phone" not in container:
        return container
    return {**container, "phone": _valid_phone(container["phone"])}


def _existing_records(body: dict) -> dict:
    """A well-formed serial or technician id replaced by one that exists."""
    serials = json.loads(os.environ.get("CONTRACT_SERIALS", "{}"))
    if isinstance(body.get("serial"), str) and body.get("product_line") in serials:
        body = {**body, "serial": serials[body["product_line"]]}
    if body.get("type") == "dispatch" and "technician_id" in body:
        body = {**body, "technician_id": int(os.environ.get("CONTRACT_TECHNICIAN", "1"))}
    return body


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """Keep the stated rules on every request meant to be valid, in every phase."""
    meta = case.meta
    if meta is None or meta.generation.mode.name.lower() != "positive":
        return
    if getattr(meta.phase.data, "parameter", None) == "Authorization":
        return  # the request that leaves the token out is sent as drawn
    if case.operation.path.startswith("/reports/") and case.query:
        case.query = _report_window(case.query)
    if case.operation.path == "/tickets" and case.method.upper() == "POST":
        key = (case.headers or {}).get("Idempotency-Key")
        if isinstance(key, str) and _KEY.fullmatch(key):
            case.headers = {**case.headers, "Idempotency-Key": f"{key[:50]}-{next(_new_keys)}"}
    if case.operation.path == "/campaigns" and case.method.upper() == "POST" and isinstance(case.body, dict):
        case.body = _campaign_kept_sendable(case.body)
    if isinstance(case.body, dict):
        case.body = _dates_in_order(_phones_kept_valid(_existing_records(case.body)))
    case.query = _phones_kept_valid(case.query)
    case.path_parameters = _phones_kept_valid(case.path_parameters)
