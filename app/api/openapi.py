"""`GET /api/v1/openapi.json`: the OpenAPI 3 document of this API, kept true by a test against the routes."""
from __future__ import annotations

from flask import jsonify

from app.api import api

_ERR = {"$ref": "#/components/schemas/Error"}


def _resp(description: str, schema: dict | None = None) -> dict:
    body = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict:
    text = {400: "invalid input, with field messages", 401: "missing or invalid token", 403: "role not allowed",
            404: "not found", 409: "not allowed in the current state",
            422: "the Idempotency-Key was used before with a different request"}
    return {str(c): _resp(text[c], _ERR) for c in codes}


def _q(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


_PAGING = [_q("page", "page number from 1", {"type": "integer", "minimum": 1}),
           _q("per_page", "items per page", {"type": "integer", "minimum": 1, "maximum": 200})]


def _page_of(ref: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}},
                                             "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                             "next_page": {"type": ["integer", "null"]}}}


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "After-sales contact centre staff API", "version": "1.0.0"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/openapi.json": {"get": {"summary": "This document", "security": [],
                                  "responses": {"200": _resp("the OpenAPI document")}}},
        "/tickets": {
            "get": {"summary": "Tickets, newest first", "parameters": [
                _q("phone", "any number of the customer, in any common form"),
                _q("status", "ticket status"), _q("product_line", "home_ac, commercial_ac, water_heater"),
                _q("kind", "ticket kind"), *_PAGING],
                "responses": {"200": _resp("a page of tickets", _page_of("#/components/schemas/Ticket")),
                              **_errors(400, 401, 403)}},
            "post": {"summary": "Create a ticket", "parameters": [
                {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "a repeat with the same key and request returns the first ticket with 200; "
                                "the same key with a different request is a 422 naming the key"}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/NewTicket"}}}},
                "responses": {"201": _resp("the ticket", {"$ref": "#/components/schemas/Ticket"}),
                              "200": _resp("the earlier ticket with that Idempotency-Key"),
                              **_errors(400, 401, 403, 422)}},
        },
        "/tickets/{number}": {"get": {"summary": "One ticket with its events",
                                      "parameters": [_path("number", "ticket number (digits)")],
                                      "responses": {"200": _resp("the ticket", {"$ref": "#/components/schemas/Ticket"}),
                                                    **_errors(401, 403, 404)}}},
        "/tickets/{number}/events": {"post": {
            "summary": "Move a ticket through its lifecycle",
            "parameters": [_path("number", "ticket number (digits)")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/TicketEventRequest"}}}},
            "responses": {"201": _resp("the ticket after the event", {"$ref": "#/components/schemas/Ticket"}),
                          **_errors(400, 401, 403, 404, 409)}}},
        "/outlets": {"get": {"summary": "Service outlets (P-NET-1)", "parameters": _PAGING,
                             "responses": {"200": _resp("a page of outlets"), **_errors(400, 401)}}},
        "/technicians": {"get": {"summary": "Technicians (P-NET-2)", "parameters": [
            _q("outlet", "outlet id", {"type": "integer"}), _q("certified", "true or false"), *_PAGING],
            "responses": {"200": _resp("a page of technicians"), **_errors(400, 401)}}},
        "/messages": {"get": {"summary": "Texts in and out for a number, newest first", "parameters": [
            _q("phone", "the number", required=True), *_PAGING],
            "responses": {"200": _resp("a page of messages"), **_errors(400, 401, 403)}}},
        "/units/{serial}/warranty": {"get": {
            "summary": "The cover of each part of a unit on a day", "parameters": [
                _path("serial", "unit serial"), _q("on", "YYYY-MM-DD, default today", {"type": "string", "format": "date"})],
            "responses": {"200": _resp("the warranty view"), **_errors(400, 401, 403, 404)}}},
        "/escalations": {"get": {"summary": "Open escalations, oldest first", "parameters": [
            _q("queue", "supervisor, agent or staff_inbox"), *_PAGING],
            "responses": {"200": _resp("a page of escalations"), **_errors(400, 401, 403)}}},
        "/escalations/{escalation_id}/resolve": {"post": {
            "summary": "Resolve an escalation", "parameters": [_path("escalation_id", "escalation id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["note"], "properties": {"note": {"type": "string"}}}}}},
            "responses": {"200": _resp("the escalation"), **_errors(400, 401, 403, 404, 409)}}},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error", "message"], "properties": {
                "error": {"type": "string"}, "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "NewTicket": {"type": "object", "required": ["kind", "product_line", "phone"], "properties": {
                "kind": {"enum": ["repair", "install", "complaint", "maintenance", "inquiry", "callback"]},
                "product_line": {"enum": ["home_ac", "commercial_ac", "water_heater"]},
                "phone": {"type": "string"}, "serial": {"type": "string"}, "summary": {"type": "string"},
                "appointment_at": {"type": "string", "format": "date-time"},
                "main_equipment": {"type": "boolean"}}},
            "TicketEventRequest": {"type": "object", "required": ["type"], "properties": {
                "type": {"enum": ["acknowledge", "dispatch", "arrive", "resolve", "record_callback", "close",
                                  "cancel", "reopen"]},
                "technician_id": {"type": "integer"}, "score": {"type": "integer", "minimum": 1, "maximum": 5},
                "note": {"type": "string"}, "users_fault": {"type": "boolean"},
                "parts": {"type": "array", "items": {"type": "object"}},
                "fees": {"type": "array", "items": {"type": "object"}}}},
            "Ticket": {"type": "object", "required": ["number", "kind", "product_line", "status", "phone",
                                                      "created_at", "respond_by", "events"], "properties": {
                "number": {"type": "string"}, "kind": {"type": "string"}, "product_line": {"type": "string"},
                "status": {"enum": ["received", "acknowledged", "dispatched", "on_site", "resolved", "verified",
                                    "closed", "cancelled"]},
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
    "parameters": [_path("phone", "the number, in any common form")],
    "get": {"summary": "Whether a number is suppressed (no surveys, reminders or marketing by text)",
            "responses": {"200": _resp("the suppression state", _SUPPRESSION), **_errors(400, 401, 403)}},
    "put": {"summary": "Suppress a number", "requestBody": {"required": False, "content": {"application/json": {
        "schema": {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 150}}}}}},
            "responses": {"201": _resp("suppressed now", _SUPPRESSION), "200": _resp("was suppressed already", _SUPPRESSION),
                          **_errors(400, 401, 403)}},
    "delete": {"summary": "Lift a number's suppression; a refusal the customer texted (退订, STOP) only by an admin "
                          "recording the customer's request in `note` (P-PRIV-2), else 403",
               "requestBody": {"required": False, "content": {"application/json": {"schema": {
                   "type": "object", "properties": {"note": {"type": "string", "maxLength": 500,
                                                             "description": "the customer's request: when, how"}}}}}},
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
    "parameters": [_q("from", "first business day, YYYY-MM-DD (default: 29 days before to)", {"type": "string", "format": "date"}),
                   _q("to", "last business day, YYYY-MM-DD, included (default: today)", {"type": "string", "format": "date"})],
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
    "parameters": [_q("from", "first business day, YYYY-MM-DD (default: to)", {"type": "string", "format": "date"}),
                   _q("to", "last business day, YYYY-MM-DD, included (default: today)", {"type": "string", "format": "date"})],
    "responses": {"200": _resp("the report", {"type": "object", "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "time_zone": {"type": "string"}, "total": _CALL_COUNTS,
        "by_product_line": {"type": "array", "items": {"allOf": [_CALL_COUNTS, {"type": "object", "properties": {
            "product_line": {"type": "string"}}}]}}}}),
        **_errors(400, 401, 403)}}}
