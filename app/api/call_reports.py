"""`GET /api/v1/reports/calls?from=&to=`: hotline calls, abandoned calls and callback tickets (P-REC-1)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta

from flask import jsonify, request

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import parse_date
from app.errors import ValidationFailed
from app.ivr.reports import call_counts
from app.web import business_tz, db_session, now

MAX_DAYS = 366


@api.get("/reports/calls")
@require_role(*STAFF)
def calls_report():
    """Inbound calls that started from `from` to `to` (business days, both included; default today)."""
    tz = business_tz()
    today = now().astimezone(tz).date()
    last = parse_date(request.args.get("to"), "to") or today
    first = parse_date(request.args.get("from"), "from") or last
    if first > last:
        raise ValidationFailed("from must not be after to", {"from": "on or before to"})
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(f"a report covers at most {MAX_DAYS} days", {"to": f"within {MAX_DAYS} days of from"})
    since = datetime.combine(first, time.min, tzinfo=tz)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    counts = call_counts(db_session(), since=since, until=until)
    return jsonify({"from": first.isoformat(), "to": last.isoformat(), "time_zone": str(tz),
                    "total": asdict(counts.total),
                    "by_product_line": [{"product_line": line, **asdict(per)} for line, per in sorted(counts.by_line.items())]})
