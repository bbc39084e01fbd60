"""The OpenAPI entries of campaigns (app/api/campaigns.py), added to the one document."""
from __future__ import annotations

from app.api.openapi import _DATE, _DATE_TIME, _ID, _PAGING, DOCUMENT, _choice, _errors, _obj, _path, _resp, _text
from app.api.campaigns import AUDIENCE_LISTS
from app.campaigns.kinds import KINDS
from app.campaigns.services import MAX_RATE, STATUSES
from app.campaigns.texts import VARIABLES
from app.product_lines import PRODUCT_LINES

_NULLABLE_DATE = {**_DATE, "type": ["string", "null"]}
_LIST = {"type": ["array", "null"], "items": _text(60, non_blank=True)}
_AUDIENCE = {
    "type": ["object", "null"], "additionalProperties": False,
    "description": "all optional, combined with AND; an unknown key is a 400 (a typo must not widen the audience)",
    "properties": {
        **{name: {**_LIST, "maxItems": limit} for name, limit in AUDIENCE_LISTS.items()},
        "product_lines": {"type": ["array", "null"], "maxItems": 3, "items": {"enum": list(PRODUCT_LINES)}},
        "exclude_cities": {**_LIST, "maxItems": AUDIENCE_LISTS["exclude_cities"],
                           "description": "cities left out (a province's campaign without the cities that have "
                                          "their own season dates)"},
        "serial_from": _text(40, optional=True), "serial_to": _text(40, optional=True),
        "installed_from": _NULLABLE_DATE, "installed_to": _NULLABLE_DATE,
        "in_warranty_only": {"type": ["boolean", "null"]}}}
_WHEN = {"type": ["string", "null"], "format": "date-time"}
_CAMPAIGN = {"type": "object", "required": ["id", "kind", "status", "first_send_at", "events"], "properties": {
    "id": {"type": "integer"}, "kind": {"enum": list(KINDS)}, "name": {"type": "string"},
    "template": {"type": "string"}, "audience": {"type": "object"}, "starts_at": _WHEN, "ends_by": _WHEN,
    "first_send_at": {**_WHEN, "description": "when the first text may go: starts_at, or 08:00 when it falls in "
                                              "quiet hours (20:00-08:00, P-PRIV-5)"},
    "rate_per_minute": {"type": "integer"}, "status": {"enum": list(STATUSES)},
    "category": {"type": "string", "description": "reminder (service notices), marketing, or transactional (recalls)"},
    "created_by": {"type": "string"}, "created_at": _WHEN, "approved_by": {"type": ["string", "null"]},
    "approved_at": _WHEN, "waiting_reason": {"type": ["string", "null"]}, "paused_reason": {"type": ["string", "null"]},
    "events": {"type": "array", "items": {"type": "object", "properties": {
        "type": {"type": "string"}, "actor": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
        "note": {"type": "string"}}}}}}
_CAMPAIGN_ID = _path("campaign_id", "campaign id", _ID)
_MOVE_BODY = {"required": False, "content": {"application/json": {"schema": _obj({"note": _text(500, optional=True)})}}}
_COUNT = {"type": "integer", "minimum": 0}


def _move(summary: str, *codes: int) -> dict:
    return {"post": {"summary": summary, "parameters": [_CAMPAIGN_ID], "requestBody": _MOVE_BODY,
                     "responses": {"200": _resp("the campaign", _CAMPAIGN), **_errors(*codes)}}}


DOCUMENT["paths"].update({
    "/campaigns": {
        "get": {"summary": "Campaigns, newest first",
                "parameters": [{"name": "status", "in": "query", "required": False, "description": "a status",
                                "schema": _choice(STATUSES, "a campaign status")}, *_PAGING],
                "responses": {"200": _resp("a page of campaigns", {"type": "object", "properties": {
                    "items": {"type": "array", "items": _CAMPAIGN}, "page": {"type": "integer"},
                    "per_page": {"type": "integer"}, "next_page": {"type": ["integer", "null"]}}}),
                    **_errors(400, 401, 403)}},
        "post": {"summary": ("Draft a campaign (marketing, supervisor, admin). `template` is Jinja2 text with the "
                             f"variables {', '.join(VARIABLES)}; it must render to a sendable text (no link, at most "
                             "500 characters and 8 segments after the signature and, for marketing, 回T退订), else a "
                             "400 naming `template`. `ends_by` is after `starts_at` and after the first moment a text "
                             "may go (quiet hours 20:00-08:00 hold every campaign), else a 400 naming `ends_by`"),
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
                     "kind": {"enum": list(KINDS)}, "name": _text(120, non_blank=True),
                     "template": _text(1000, non_blank=True), "audience": _AUDIENCE,
                     "starts_at": _DATE_TIME, "ends_by": _DATE_TIME,
                     "rate_per_minute": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_RATE,
                                         "description": "texts handed to the outbox per minute (default 600)"}},
                     required=("kind", "name", "template", "starts_at", "ends_by"))}}},
                 "responses": {"201": _resp("the campaign, in draft", _CAMPAIGN), **_errors(400, 401, 403, 413, 415)}},
    },
    "/campaigns/{campaign_id}": {"get": {"summary": "One campaign with its events", "parameters": [_CAMPAIGN_ID],
                                         "responses": {"200": _resp("the campaign", _CAMPAIGN),
                                                       **_errors(401, 403, 404)}}},
    "/campaigns/{campaign_id}/preview": {"get": {
        "summary": "Who the run would text as of now (one text per number), who is left out by reason, and three "
                   "rendered texts with their segment counts (numbers masked)",
        "parameters": [_CAMPAIGN_ID],
        "responses": {"200": _resp("the preview", {"type": "object", "required": ["audience", "excluded", "sample"],
                                                   "properties": {
            "audience": _COUNT, "excluded": {"type": "object", "additionalProperties": _COUNT, "description":
                                             "no_mobile, duplicate_phone, suppressed, no_consent, frequency_cap "
                                             "(a recall: needs_call)"},
            "sample": {"type": "array", "items": {"type": "object", "properties": {
                "phone": {"type": "string"}, "body": {"type": "string"}, "segments": {"type": "integer"}}}},
            "rate_per_minute": {"type": "integer"}, "minutes_to_send": _COUNT}}), **_errors(401, 403, 404)}}},
    "/campaigns/{campaign_id}/stats": {"get": {
        "summary": "Counted from the campaign's recipient rows and the texts they became",
        "parameters": [_CAMPAIGN_ID],
        "responses": {"200": _resp("the stats; a recall's add called, reached, answered, fixed and calls (rows by "
                                   "call status)", {"type": "object", "properties": {
            **{name: _COUNT for name in ("audience", "queued", "pending", "sent", "delivered", "failed", "suppressed",
                                         "needs_call", "expired", "cancelled", "opted_out_since", "replies", "called",
                                         "reached", "answered", "fixed")},
            "calls": {"type": "object", "additionalProperties": _COUNT}}}),
            **_errors(401, 403, 404)}}},
    "/campaigns/{campaign_id}/approve": _move(
        "Approve a draft (supervisor or admin); the drafter's own approval is a 403, a draft still waiting "
        "(waiting_reason) or another status a 409", 400, 401, 403, 404, 409, 413, 415),
    "/campaigns/{campaign_id}/pause": _move("Pause: nothing more is handed to the outbox (within one batch)",
                                            400, 401, 403, 404, 409, 413, 415),
    "/campaigns/{campaign_id}/resume": _move("Resume a paused campaign where it was; nothing is sent twice",
                                             400, 401, 403, 404, 409, 413, 415),
    "/campaigns/{campaign_id}/cancel": _move("Cancel: the unsent are marked cancelled; texts already handed over go",
                                             400, 401, 403, 404, 409, 413, 415),
})
