"""`GET /api/v1/reports/calls?from=&to=`: hotline calls, abandoned calls and callback tickets (P-REC-1)."""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import report_window
from app.ivr.reports import call_counts
from app.web import business_tz, db_session, now


@api.get("/reports/calls")
@require_role(*STAFF)
def calls_report():
    """Inbound calls that started from `from` to `to` (business days, both included; default today)."""
    tz = business_tz()
    window = report_window(now().astimezone(tz).date(), tz, default_days=1)
    counts = call_counts(db_session(), since=window.start, until=window.end)
    return jsonify({"from": window.first.isoformat(), "to": window.last.isoformat(), "time_zone": str(tz),
                    "total": asdict(counts.total),
                    "by_product_line": [{"product_line": line, **asdict(per)} for line, per in sorted(counts.by_line.items())]})
