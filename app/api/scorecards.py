"""The reports supervisors and the settlement desk read: SLA compliance (P-SLA), outlet timeliness
(P-REP-5), installer quality (P-INS-4) and the monthly settlement of an outlet (P-INS-3, P-REP-2)."""
from __future__ import annotations

import re

from flask import Response, jsonify, request

from app.api import api
from app.api.auth import STAFF, require_role
from app.api.params import query_id, report_window
from app.errors import ValidationFailed
from app.reports.scorecards import installer_quality, outlet_timeliness
from app.reports.settlement import monthly_settlement, settlement_csv
from app.reports.sla import sla_compliance
from app.web import business_tz, db_session, now

DEFAULT_DAYS = 30
_MONTH = re.compile(r"(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])")


def _window():
    tz = business_tz()
    return tz, report_window(now().astimezone(tz).date(), tz, default_days=DEFAULT_DAYS)


def _framed(window, tz, body: dict) -> dict:
    return {"from": window.first.isoformat(), "to": window.last.isoformat(), "time_zone": str(tz), **body}


@api.get("/reports/sla")
@require_role(*STAFF)
def sla_report():
    """Each clock of the tickets received from `from` to `to`: met, met late, breached, pending, compliance."""
    tz, window = _window()
    return jsonify(_framed(window, tz, sla_compliance(db_session(), start=window.start, end=window.end, now=now())))


@api.get("/reports/outlets")
@require_role(*STAFF)
def outlets_report():
    """One timeliness row per outlet and month of reception (P-REP-5)."""
    tz, window = _window()
    rows = outlet_timeliness(db_session(), start=window.start, end=window.end, now=now(), tz=tz)
    return jsonify(_framed(window, tz, {"items": rows}))


@api.get("/reports/installers")
@require_role(*STAFF)
def installers_report():
    """One quality row per installer and outlet, of the installs finished in the window (P-INS-4)."""
    tz, window = _window()
    return jsonify(_framed(window, tz, {"items": installer_quality(db_session(), start=window.start, end=window.end)}))


@api.get("/reports/settlement")
@require_role(*STAFF)
def settlement_report():
    """The outlet's installs and repairs finished in `month`, JSON or (`format=csv`, Accept: text/csv) CSV."""
    outlet = query_id("outlet")
    if outlet is None:
        raise ValidationFailed("outlet is required", {"outlet": "an outlet id"})
    match = _MONTH.fullmatch(request.args.get("month", ""))
    if match is None:
        raise ValidationFailed("month must be YYYY-MM", {"month": "YYYY-MM, years 1900 to 2999"})
    as_csv = request.args.get("format") == "csv" or (
        "format" not in request.args and request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv")
    if request.args.get("format") not in (None, "json", "csv"):
        raise ValidationFailed("format must be json or csv", {"format": "json or csv"})
    report = monthly_settlement(db_session(), outlet_id=outlet, year=int(match[1]), month=int(match[2]), tz=business_tz())
    if as_csv:
        name = f"settlement-{outlet}-{report['month']}.csv"
        return Response(settlement_csv(report), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}"'}, content_type="text/csv; charset=utf-8")
    return jsonify(report)
