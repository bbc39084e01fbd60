"""`GET /api/v1/reports/callbacks?from=&to=`: callback coverage of resolved installs and repairs."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import jsonify, request

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import parse_date
from app.errors import ValidationFailed
from app.reports.callbacks import callback_coverage
from app.web import business_tz, db_session, now

DEFAULT_DAYS = 30
MAX_DAYS = 366


@api.get("/reports/callbacks")
@require_role(*STAFF)
def callbacks_report():
    """Jobs resolved from `from` to `to` (business days, both included; default the last 30 days)."""
    tz = business_tz()
    today = now().astimezone(tz).date()
    last = parse_date(request.args.get("to"), "to") or today
    first = parse_date(request.args.get("from"), "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationFailed("from must not be after to", {"from": "on or before to"})
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"a report covers at most {MAX_DAYS} days", {"to": f"within {MAX_DAYS} days of from"})
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    report = callback_coverage(db_session(), start=start, end=end)
    return jsonify({"from": first.isoformat(), "to": last.isoformat(), "time_zone": str(tz), **report})
