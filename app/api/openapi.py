"""`GET /api/v1/openapi.json`: the OpenAPI 3 document of this API, kept true by a test against the routes."""
from __future__ import annotations

from flask import jsonify

from app.api import api
from app.api.params import FIRST_YEAR, LAST_YEAR, MAX_ID, MAX_PAGE, MAX_PER_PAGE, MAX_REPORT_DAYS
from app.escalations.services import QUEUES

_ERR = {"$ref": "#/components/schemas/Error"}
# Every text the API stores: no NUL (PostgreSQL cannot hold one); lone surrogates cannot be sent as UTF-8.
_NO_NUL = "^[^\\u0000]*$"
_NON_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
_DATE = {"type": "string", "format": "date", "pattern": f"^(19[0-9]{{2}}|2[0-9]{{3}})-[0-9]{{2}}-[0-9]{{2}}$",
         "description": f"YYYY-MM-DD, years {FIRST_YEAR} to {LAST_YEAR}"}
_DATE_TIME = {"type": "string", "format": "date-time", "pattern": "^(19[0-9]{2}|2[0-9]{3})-",
              "description": f"ISO 8601 with an offset, years {FIRST_YEAR} to {LAST_YEAR}"}
# Any common way of typing a number (139 1234 5678, +86..., full-width digits) that is a valid one;
# the server answers 400 naming `phone` for an invalid number.
_PHONE = {"type": "string", "format": "phone", "maxLength": 64}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _text(max_len: int, *, non_blank: bool = False, optional: bool = False) -> dict:
    """A stored text of at most `max_len` characters; `non_blank`: at least one that is not a space;
    `optional`: null counts as left out."""
    text = {"type": ["string", "null"] if optional else "string", "maxLength": max_len,
            "pattern": _NON_BLANK if non_blank else _NO_NUL}
    return text


def _obj(properties: dict, *, required: tuple[str, ...] = (), **more) -> dict:
    """A request object: the members it names, `required` among them."""
    body = {"type": "object", "properties": properties, **more}
    if required:
        body["required"] = list(required)
    return body


def _choice(values, description: str) -> dict:
    """A filter on one of `values`; empty or absent means any."""
    return {"enum": [*values, ""], "description": description + "; empty or absent: any"}


def _resp(description: str, schema: dict | None = None) -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict:
    text = {400: "invalid input, with field messages", 401: "missing or invalid token", 403: "role not allowed",
            404: "not found", 409: "not allowed in the current state", 413: "body over 1 MiB",
            415: "a body that is not JSON", 422: "the Idempotency-Key was used before with a different request"}
    return {str(c): _resp(text[c], _ERR) for c in codes}


def _q(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or _text(200)}


_PAGING = [_q("page", "page number from 1", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
           _q("per_page", "items per page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE})]
_KINDS = ["repair", "install", "complaint", "maintenance", "inquiry", "callback"]
_LINES = ["home_ac", "commercial_ac", "water_heater"]
_STATUSES = ["received", "acknowledged", "dispatched", "on_site", "resolved", "verified", "closed", "cancelled"]
_REPORT_WINDOW = (f"; a report covers at most {MAX_REPORT_DAYS} days and `from` is on or before `to` "
                  "(400 naming `from` or `to` otherwise)")


def _page_of(ref: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}},
                                             "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                             "next_page": {"type": ["integer", "null"]}}}


_PART_LINES = {"type": "array", "maxItems": 50, "items": _obj({
    "code": {"type": ["string", "integer", "null"], "maxLength": 40, "pattern": _NO_NUL,
             "minimum": -(10**38), "maximum": 10**39}, "name": _text(200, non_blank=True),
    "quantity": {"type": "integer", "minimum": 1, "maximum": 100}}, required=("name",)),
    "description": "at most 50 lines of parts, returned and fees in all (400 beyond)"}
_LINE_ITEMS = {
    "parts": {**_PART_LINES, "description": "parts issued (fitted); " + _PART_LINES["description"]},
    "returned": {**_PART_LINES, "description": "parts taken back; " + _PART_LINES["description"]},
    "fees": {"type": "array", "maxItems": 50, "items": _obj({
        "item": _text(200, non_blank=True),
        "amount": {"type": "number", "minimum": 0, "maximum": 100000, "multipleOf": 0.01}}, required=("item", "amount"))},
}


def _event(type_: str, properties: dict | None = None, required: tuple[str, ...] = ()) -> dict:
    return _obj({"type": {"const": type_}, "note": _text(2000, optional=True), **(properties or {})},
                required=("type", *required))


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "After-sales contact centre staff API", "version": "1.0.0",
             "description": "JSON in and out. Request bodies: JSON objects of at most 1 MiB (413 beyond, 415 when "
                            "not JSON); no text that is stored may hold a NUL or a lone surrogate (400 naming the "
                            "field). Members a request does not name are ignored. An optional member given as "
                            "null counts as left out."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/openapi.json": {"get": {"summary": "This document", "security": [],
                                  "responses": {"200": _resp("the OpenAPI document")}}},
        "/tickets": {
            "get": {"summary": "Tickets, newest first", "parameters": [
                _q("phone", "any number of the customer, in any common form", {**_PHONE, "description": "or empty"}),
                _q("status", "ticket status", _choice(_STATUSES, "ticket status")),
                _q("product_line", "product line", _choice(_LINES, "product line")),
                _q("kind", "ticket kind", _choice(_KINDS, "ticket kind")), *_PAGING],
                "responses": {"200": _resp("a page of tickets", _page_of("#/components/schemas/Ticket")),
                              **_errors(400, 401, 403)}},
            "post": {"summary": "Create a ticket", "parameters": [
                {"name": "Idempotency-Key", "in": "header", "required": False,
                 "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[!-~]+$"},
                 "description": "a repeat with the same key and request returns the first ticket with 200; "
                                "the same key with a different request is a 422 naming the key"}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewTicket"}}}},
                "responses": {"201": _resp("the ticket", {"$ref": "#/components/schemas/Ticket"}),
                              "200": _resp("the earlier ticket with that Idempotency-Key"),
                              **_errors(400, 401, 403, 413, 415, 422)}},
        },
        "/tickets/{number}": {"get": {"summary": "One ticket with its events",
                                      "parameters": [_path("number", "ticket number (digits)")],
                                      "responses": {"200": _resp("the ticket", {"$ref": "#/components/schemas/Ticket"}),
                                                    **_errors(400, 401, 403, 404)}}},
        "/tickets/{number}/events": {"post": {
            "summary": "Move a ticket through its lifecycle",
            "parameters": [_path("number", "ticket number (digits)")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/TicketEventRequest"}}}},
            "responses": {"201": _resp("the ticket after the event", {"$ref": "#/components/schemas/Ticket"}),
                          **_errors(400, 401, 403, 404, 409, 413, 415)}}},
        "/tickets/{number}/parts": {"post": {
            "summary": "Request parts for an open repair from a depot (P-REP-3): owed by `ship_by`, 2 days later; "
                       "409 for a ticket that is not an open repair",
            "parameters": [_path("number", "ticket number (digits)")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
                "part": _text(120, non_blank=True), "quantity": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
                "code": _text(40, optional=True), "depot": _text(80, optional=True)}, required=("part",))}}},
            "responses": {"201": _resp("the parts request", {"$ref": "#/components/schemas/PartsRequest"}),
                          **_errors(400, 401, 403, 404, 409, 413, 415)}}},
        "/tickets/{number}/parts/{request_id}/ship": {"post": {
            "summary": "The depot shipped a parts request: its 2-day clock stops; 409 when shipped or cancelled before",
            "parameters": [_path("number", "ticket number (digits)"), _path("request_id", "parts request id", _ID)],
            "responses": {"200": _resp("the parts request", {"$ref": "#/components/schemas/PartsRequest"}),
                          **_errors(400, 401, 403, 404, 409)}}},
        "/outlets": {"get": {"summary": "Service outlets (P-NET-1)", "parameters": _PAGING,
                             "responses": {"200": _resp("a page of outlets"), **_errors(400, 401)}}},
        "/technicians": {"get": {"summary": "Technicians (P-NET-2)", "parameters": [
            _q("outlet", "outlet id", _ID), _q("certified", "true or false", _choice(["true", "false"], "certified")),
            *_PAGING],
            "responses": {"200": _resp("a page of technicians"), **_errors(400, 401)}}},
        "/messages": {"get": {"summary": "Texts in and out for a number, newest first", "parameters": [
            _q("phone", "the number", {**_PHONE, "minLength": 1}, required=True), *_PAGING],
            "responses": {"200": _resp("a page of messages"), **_errors(400, 401, 403)}}},
        "/units/{serial}/warranty": {"get": {
            "summary": "The cover of each part of a unit on a day", "parameters": [
                _path("serial", "unit serial"), _q("on", "YYYY-MM-DD, default today", _DATE)],
            "responses": {"200": _resp("the warranty view"), **_errors(400, 401, 403, 404)}}},
        "/escalations": {"get": {"summary": "Open escalations, oldest first", "parameters": [
            _q("queue", "the queue", _choice(QUEUES, "the queue")), *_PAGING],
            "responses": {"200": _resp("a page of escalations"), **_errors(400, 401, 403)}}},
        "/escalations/{escalation_id}/resolve": {"post": {
            "summary": "Resolve an escalation: the resolver holds its claim, or is a supervisor or admin (409 "
                       "otherwise)", "parameters": [_path("escalation_id", "escalation id", _ID)],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(
                {"note": _text(2000, non_blank=True)}, required=("note",))}}},
            "responses": {"200": _resp("the escalation"), **_errors(400, 401, 403, 404, 409, 413, 415)}}},
        "/escalations/{escalation_id}/claim": {"post": {
            "summary": "Hold an escalation for a lease (15 minutes unless `minutes` says otherwise); claiming "
                       "again renews one's own claim; another user's live claim is a 409 naming the holder",
            "parameters": [_path("escalation_id", "escalation id", _ID)],
            "requestBody": {"required": False, "content": {"application/json": {"schema": _obj(
                {"minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": 60}})}}},
            "responses": {"200": _resp("the escalation, claimed"), **_errors(400, 401, 403, 404, 409, 413, 415)}}},
        "/escalations/{escalation_id}/release": {"post": {
            "summary": "Give a claimed escalation back; another user's claim only a supervisor or admin releases",
            "parameters": [_path("escalation_id", "escalation id", _ID)],
            "responses": {"200": _resp("the escalation, free"), **_errors(400, 401, 403, 404, 409)}}},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error", "message"], "properties": {
                "error": {"type": "string"}, "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "NewTicket": {**_obj({
                "kind": {"enum": _KINDS}, "product_line": {"enum": _LINES}, "phone": _PHONE,
                "serial": {**_text(40, optional=True), "description": "a registered unit of that product line (400 naming "
                                                       "`serial` otherwise)"},
                "summary": _text(2000, optional=True), "appointment_at": {**_DATE_TIME, "type": ["string", "null"]},
                "main_equipment": {"type": ["boolean", "null"]}},
                required=("kind", "product_line", "phone")),
                # Only installs and maintenance visits are booked for a time.
                "if": {"properties": {"kind": {"enum": ["repair", "complaint", "inquiry", "callback"]}},
                       "required": ["kind"]},
                "then": {"not": {"required": ["appointment_at"]}}},
            "TicketEventRequest": {"description": "`dispatch` names a technician able to take the job "
                                                  "(404 when there is none with that id, 409 when not able)",
                                   "oneOf": [
                _event("acknowledge"), _event("arrive"), _event("close"),
                _event("dispatch", {"technician_id": _ID}, ("technician_id",)),
                _event("resolve", {"users_fault": {"type": "boolean"}, **_LINE_ITEMS}),
                _event("record_callback", {"score": {"type": "integer", "minimum": 1, "maximum": 5}}, ("score",)),
                _event("cancel", {"note": _text(2000, non_blank=True)}, ("note",)),
                _event("reopen", {"note": _text(2000, non_blank=True)}, ("note",))]},
            "PartsRequest": {"type": "object", "required": ["id", "ticket_number", "part", "quantity", "ship_by"],
                             "properties": {
                "id": {"type": "integer"}, "ticket_number": {"type": "string"}, "part": {"type": "string"},
                "code": {"type": "string"}, "quantity": {"type": "integer"}, "depot": {"type": "string"},
                "requested_by": {"type": "string"}, "requested_at": {"type": "string", "format": "date-time"},
                "ship_by": {"type": "string", "format": "date-time"},
                "shipped_at": {"type": ["string", "null"], "format": "date-time"},
                "shipped_by": {"type": ["string", "null"]},
                "cancelled_at": {"type": ["string", "null"], "format": "date-time",
                                 "description": "the repair was resolved before the parts were shipped"},
                "overdue_escalated_at": {"type": ["string", "null"], "format": "date-time"}}},
            "Ticket": {"type": "object", "required": ["number", "kind", "product_line", "status", "phone",
                                                      "created_at", "respond_by", "events"], "properties": {
                "number": {"type": "string"}, "kind": {"type": "string"}, "product_line": {"type": "string"},
                "status": {"enum": _STATUSES},
                "phone": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                "respond_by": {"type": "string", "format": "date-time"},
                "arrive_by": {"type": ["string", "null"], "format": "date-time"},
                "resolve_by": {"type": ["string", "null"], "format": "date-time"},
                "events": {"type": "array", "items": {"type": "object"}}}},
        },
    },
}


@api.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)


# Suppression of a number by staff (app/api/suppressions.py).
_SUPPRESSION = {"type": "object", "properties": {
    "phone": {"type": "string"}, "suppressed": {"type": "boolean"},
    "source": {"type": ["string", "null"], "description": "sms, staff or twilio"},
    "reason": {"type": ["string", "null"]}, "created_at": {"type": ["string", "null"], "format": "date-time"},
    "blocked": {"type": ["string", "null"], "description": "landline or invalid: no text can reach the number"}}}
DOCUMENT["paths"]["/suppressions/{phone}"] = {
    "parameters": [_path("phone", "the number, in any common form", _PHONE)],
    "get": {"summary": "Whether a number is suppressed (no surveys, reminders or marketing by text)",
            "responses": {"200": _resp("the suppression state", _SUPPRESSION), **_errors(400, 401, 403, 404)}},
    "put": {"summary": "Suppress a number", "requestBody": {"required": False, "content": {"application/json": {
        "schema": _obj({"reason": _text(150, optional=True)})}}},
            "responses": {"201": _resp("suppressed now", _SUPPRESSION), "200": _resp("was suppressed already", _SUPPRESSION),
                          **_errors(400, 401, 403, 404, 413, 415)}},
    "delete": {"summary": "Lift a number's suppression; a refusal the customer texted (退订, STOP) only by an admin "
                          "recording the customer's request in `note` (P-PRIV-2), else 403",
               "requestBody": {"required": False, "content": {"application/json": {"schema": _obj(
                   {"note": {**_text(500, optional=True), "description": "the customer's request: when, how"}})}}},
               "responses": {"200": _resp("no longer suppressed", _SUPPRESSION), **_errors(400, 401, 403, 404)}},
}


# Callback coverage of resolved installs and repairs (app/api/reports.py).
_COVERAGE = {"type": "object", "properties": {
    "resolved": {"type": "integer"}, "verified": {"type": "integer"}, "awaiting_verification": {"type": "integer"},
    "coverage_pct": {"type": "number", "description": "verified / resolved, 100 when nothing was resolved"},
    "satisfied": {"type": "integer"},
    "satisfied_pct": {"type": ["number", "null"], "description": "scores of 4 or 5 among the verified"},
    "median_hours_to_verification": {"type": ["number", "null"]},
    "verified_by": {"type": "object", "properties": {"sms": {"type": "integer"}, "voice": {"type": "integer"},
                                                     "staff": {"type": "integer"}}}}}
DOCUMENT["paths"]["/reports/callbacks"] = {"get": {
    "summary": "Callback coverage (P-REC-3): resolved installs and repairs, verified, satisfied, per line and outlet",
    "parameters": [_q("from", "first business day (default: 29 days before to)" + _REPORT_WINDOW, _DATE),
                   _q("to", "last business day, included (default: today, or the 366th day from `from` when today is "
                         "further)" + _REPORT_WINDOW, _DATE)],
    "responses": {"200": _resp("the report", {"type": "object", "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "time_zone": {"type": "string"}, "total": _COVERAGE,
        "by_product_line": {"type": "array", "items": {"allOf": [_COVERAGE, {"type": "object", "properties": {
            "product_line": {"type": "string"}}}]}},
        "by_outlet": {"type": "array", "items": {"allOf": [_COVERAGE, {"type": "object", "properties": {
            "outlet_id": {"type": ["integer", "null"]}, "outlet": {"type": "string"}}}]}}}}),
        **_errors(400, 401, 403)}}}


# Hotline calls, abandoned calls and callback tickets (app/api/call_reports.py, P-REC-1).
_CALL_COUNTS = {"type": "object", "properties": {
    "calls": {"type": "integer"},
    "abandoned": {"type": "integer", "description": "calls that ended before their flow's end"},
    "callback_tickets": {"type": "integer", "description": "callback tickets left by hang-ups mid-service"}}}
DOCUMENT["paths"]["/reports/calls"] = {"get": {
    "summary": "Hotline calls (P-REC-1): calls, abandoned calls and callback tickets, per product line",
    "parameters": [_q("from", "first business day (default: to)" + _REPORT_WINDOW, _DATE),
                   _q("to", "last business day, included (default: today, or the 366th day from `from` when today is "
                         "further)" + _REPORT_WINDOW, _DATE)],
    "responses": {"200": _resp("the report", {"type": "object", "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "time_zone": {"type": "string"}, "total": _CALL_COUNTS,
        "by_product_line": {"type": "array", "items": {"allOf": [_CALL_COUNTS, {"type": "object", "properties": {
            "product_line": {"type": "string"}}}]}}}}),
        **_errors(400, 401, 403)}}}


# The staff inbox: inbound texts that need a person (app/api/inbox.py).
_INBOX_ITEM = {"type": "object", "required": ["id", "reason", "phone", "text", "received_at", "open_tickets"],
               "properties": {
    "id": {"type": "integer", "description": "the escalation id (claimed through /escalations/{id}/claim)"},
    "reason": {"type": "string", "description": "sms_inbound, sms_unprocessed or survey_unreadable"},
    "phone": {"type": "string"}, "text": {"type": "string"},
    "received_at": {"type": "string", "format": "date-time"}, "created_at": {"type": "string", "format": "date-time"},
    "ticket_number": {"type": ["string", "null"], "description": "the ticket a survey reply was about"},
    "customer": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    "open_tickets": {"type": "array", "items": {"type": "object", "properties": {
        "number": {"type": "string"}, "kind": {"type": "string"}, "status": {"type": "string"},
        "product_line": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}}},
    "claimed_by": {"type": ["string", "null"]}, "claimed_until": {"type": ["string", "null"], "format": "date-time"}}}
DOCUMENT["paths"]["/inbox"] = {"get": {
    "summary": "Inbound texts no handler took (free text, a survey reply unreadable after the re-ask, 预约 with no "
               "visit offered), oldest first, with the sender's customer and open tickets",
    "parameters": _PAGING,
    "responses": {"200": _resp("a page of inbox items", {"type": "object", "properties": {
        "items": {"type": "array", "items": _INBOX_ITEM}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "next_page": {"type": ["integer", "null"]}}}),
        **_errors(400, 401, 403)}}}
DOCUMENT["paths"]["/inbox/{item_id}/done"] = {"post": {
    "summary": "Mark an inbox item done with a note; the resolver holds its claim or is a supervisor or admin "
               "(409 otherwise); `reply` is texted to the sender through the outbox (400 naming `reply` when it "
               "cannot be sent as a text, e.g. it holds a link)",
    "parameters": [_path("item_id", "inbox item id", _ID)],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(
        {"note": _text(2000, non_blank=True), "reply": _text(400, optional=True)}, required=("note",))}}},
    "responses": {"200": _resp("the item, resolved, with the queued reply"),
                  **_errors(400, 401, 403, 404, 409, 413, 415)}}}
