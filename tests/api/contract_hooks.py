"""Schemathesis hooks for the contract test: the rules the OpenAPI document states in words.

JSON Schema cannot say "a valid phone number", "a window of at most 366 days" or "a unit that
exists", so the document says them in descriptions and these hooks generate requests that keep
them; everything the schema itself states is generated and checked by Schemathesis untouched.
The test passes real serials and technician ids in CONTRACT_SERIALS / CONTRACT_TECHNICIAN.
"""
from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta

import schemathesis
from hypothesis import strategies as st

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
_REPORT_DAYS = 366


def _day(value) -> date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@schemathesis.hook
def map_query(ctx, query):
    """Report windows as stated: `from` on or before `to`, at most 366 days (a missing end is filled in)."""
    if not query or not ctx.operation.path.startswith("/reports/"):
        return query
    first, last = _day(query.get("from")), _day(query.get("to"))
    if first is not None and ("to" not in query or last is not None):
        last = last or first
        if last < first or (last - first).days >= _REPORT_DAYS:
            last = first + timedelta(days=(last - first).days % _REPORT_DAYS)
        if last.year <= 2999:
            query = {**query, "to": last.isoformat()}
    return query


@schemathesis.hook
def map_body(ctx, body):
    """Serials and technicians that exist, where the drawn ones were well-formed."""
    if not isinstance(body, dict):
        return body
    serials = json.loads(os.environ.get("CONTRACT_SERIALS", "{}"))
    if ctx.operation.path == "/tickets" and isinstance(body.get("serial"), str) and body.get("product_line") in serials:
        if len(body["serial"]) <= 40 and "\x00" not in body["serial"]:
            body = {**body, "serial": serials[body["product_line"]]}
    technician = body.get("technician_id")
    if body.get("type") == "dispatch" and isinstance(technician, (int, float)) and not isinstance(technician, bool):
        if 1 <= technician <= 2**31 - 1 and float(technician).is_integer():
            body = {**body, "technician_id": int(os.environ.get("CONTRACT_TECHNICIAN", "1"))}
    return body
