"""`GET /api/v1/reports/callbacks?from=&to=`: callback coverage of resolved installs and repairs."""
from __future__ import annotations

from flask import jsonify

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import report_window
from app.reports.callbacks import callback_coverage
from app.web import business_tz, db_session, now

DEFAULT_DAYS = 30


@api.get("/reports/callbacks")
@require_role(*STAFF)
def callbacks_report():
    """Jobs resolved from `from` to `to` (business days, both included; default the last 30 days)."""
    tz = business_tz()
    window = report_window(now().astimezone(tz).date(), tz, default_days=DEFAULT_DAYS)
    report = callback_coverage(db_session(), start=window.start, end=window.end)
    return jsonify({"from": window.first.isoformat(), "to": window.last.isoformat(), "time_zone": str(tz), **report})
