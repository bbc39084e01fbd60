"""The OpenAPI entries of the scorecards and the settlement (app/api/scorecards.py)."""
from __future__ import annotations

from app.api.openapi import _DATE, _ID, _REPORT_WINDOW, DOCUMENT, _errors, _q, _resp

_WINDOW = [_q("from", "first business day (default: 29 days before to)" + _REPORT_WINDOW, _DATE),
           _q("to", "last business day, included (default: today, or the 366th day from `from` when today is "
                    "further)" + _REPORT_WINDOW, _DATE)]
_COUNTS = {"type": "object", "properties": {
    "rule": {"type": "string"}, "met": {"type": "integer"}, "met_late": {"type": "integer"},
    "breached": {"type": "integer", "description": "not met and past the deadline"},
    "pending": {"type": "integer"}, "compliance_pct": {"type": ["number", "null"],
                                                      "description": "met on time among met, met late and breached"}}}
_GROUP = {"type": "object", "properties": {"tickets": {"type": "integer"}, "milestones": {
    "type": "object", "properties": {name: _COUNTS for name in ("respond", "arrive", "resolve", "loaner")}}}}

DOCUMENT["paths"].update({
    "/reports/sla": {"get": {
        "summary": "SLA compliance (P-SLA-1..4) of the tickets received in the window: total, per line, per outlet",
        "parameters": _WINDOW,
        "responses": {"200": _resp("the report", {"type": "object", "properties": {
            "total": _GROUP, "by_product_line": {"type": "array", "items": _GROUP},
            "by_outlet": {"type": "array", "items": _GROUP}}}), **_errors(400, 401, 403)}}},
    "/reports/outlets": {"get": {
        "summary": "Outlet timeliness (P-REP-5): per outlet and month, jobs, median hours and breaches per clock",
        "parameters": _WINDOW, "responses": {"200": _resp("one row per outlet and month"), **_errors(400, 401, 403)}}},
    "/reports/installers": {"get": {
        "summary": "Installer quality (P-INS-4): callbacks, satisfaction and repairs within 90 days, per installer",
        "parameters": _WINDOW, "responses": {"200": _resp("one row per installer and outlet"), **_errors(400, 401, 403)}}},
    "/reports/settlement": {"get": {
        "summary": "An outlet's monthly settlement (P-INS-3, P-REP-2): installs and repairs with fees in integer "
                   "fen and parts issued and returned; CSV (UTF-8 with BOM) with format=csv or Accept: text/csv",
        "parameters": [_q("outlet", "outlet id (404 when there is none)", _ID, required=True),
                       _q("month", "YYYY-MM, years 1900 to 2999",
                          {"type": "string", "pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"}, required=True),
                       _q("format", "json (default) or csv", {"enum": ["json", "csv"]})],
        "responses": {"200": {"description": "the settlement", "content": {
            "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
            **_errors(400, 401, 403, 404)}}},
})
