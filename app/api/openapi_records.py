"""The OpenAPI entries of customers and units (app/api/customers.py) and the network's admin
(app/api/network_admin.py), added to the one document."""
from __future__ import annotations

from app.api.openapi import _DATE, _ID, _PAGING, _PHONE, DOCUMENT, _errors, _obj, _path, _q, _resp, _text
from app.customers.records import STAFF_CONSENT_SOURCES
from app.network.services import CONTRACT_STATUSES, REVIEW_STATUSES
from app.product_lines import PRODUCT_LINES

_NULLABLE_DATE = {**_DATE, "type": ["string", "null"]}
_UNIT = {"type": "object", "properties": {"serial": {"type": "string"}, "model": {"type": "string"},
                                          "product_line": {"type": "string"},
                                          "installed_on": {"type": ["string", "null"], "format": "date"}}}
_CUSTOMER = {"type": "object", "required": ["id", "name", "phones", "units", "marketing_consent"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"},
    "phones": {"type": "array", "items": {"type": "string"}, "description": "E.164; masked (+86139****5678) in lists"},
    "province": {"type": ["string", "null"]}, "city": {"type": ["string", "null"]},
    "address": {"type": ["string", "null"]}, "units": {"type": "array", "items": _UNIT},
    "marketing_consent": {"type": "boolean"}, "erased": {"type": "boolean"}}}
_CUSTOMER_ID = _path("customer_id", "customer id", _ID)
_JSON_BODY = (400, 401, 403, 404, 409, 413, 415)

DOCUMENT["paths"].update({
    "/customers": {
        "get": {"summary": "Customers by number (however typed), name prefix or unit serial; numbers masked",
                "parameters": [_q("phone", "any of the customer's numbers", {**_PHONE, "description": "or empty"}),
                               _q("q", "the start of the name", _text(120)), _q("serial", "a unit's serial", _text(40)),
                               *_PAGING],
                "responses": {"200": _resp("a page of customers", {"type": "object", "properties": {
                    "items": {"type": "array", "items": _CUSTOMER}}}), **_errors(400, 401, 403)}},
        "post": {"summary": "A new customer with one number and address; a number on file already is a 409",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
                     "name": _text(120, non_blank=True), "phone": _PHONE, "province": _text(40, non_blank=True),
                     "city": _text(40, non_blank=True), "address": _text(200, optional=True)},
                     required=("name", "phone", "province", "city"))}}},
                 "responses": {"201": _resp("the customer", _CUSTOMER), **_errors(400, 401, 403, 409, 413, 415)}},
    },
    "/customers/{customer_id}": {
        "parameters": [_CUSTOMER_ID],
        "get": {"summary": "One customer with full numbers and units",
                "responses": {"200": _resp("the customer", _CUSTOMER), **_errors(401, 403, 404)}},
        "patch": {"summary": "Amend the name or address (each change audited); an erased customer is a 409",
                  "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
                      "name": _text(120, non_blank=True), "province": _text(40, non_blank=True),
                      "city": _text(40, non_blank=True), "address": _text(200, optional=True)})}}},
                  "responses": {"200": _resp("the customer", _CUSTOMER), **_errors(*_JSON_BODY)}},
    },
    "/customers/{customer_id}/units": {"post": {
        "summary": "Register a unit of the customer (its install date starts the warranty); a known serial is a 409",
        "parameters": [_CUSTOMER_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
            "serial": _text(40, non_blank=True), "model": _text(60, non_blank=True),
            "product_line": {"enum": list(PRODUCT_LINES)}, "installed_on": _NULLABLE_DATE},
            required=("serial", "model", "product_line"))}}},
        "responses": {"201": _resp("the customer with the unit", _CUSTOMER), **_errors(*_JSON_BODY)}}},
    "/customers/{customer_id}/consent": {"put": {
        "summary": "The customer's marketing consent, given or withdrawn, with how (P-PRIV-1)",
        "parameters": [_CUSTOMER_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _obj({
            "marketing": {"type": "boolean"}, "source": {"enum": list(STAFF_CONSENT_SOURCES)},
            "note": _text(500, optional=True)}, required=("marketing", "source"))}}},
        "responses": {"200": _resp("the customer", _CUSTOMER), **_errors(*_JSON_BODY)}}},
    "/customers/{customer_id}/export": {"get": {
        "summary": "Everything held about the customer, as one document (PIPL, P-PRIV-3); audited",
        "parameters": [_CUSTOMER_ID], "responses": {"200": _resp("the export"), **_errors(401, 403, 404)}}},
    "/customers/{customer_id}/erase": {"post": {
        "summary": "Anonymise the customer (admin): name, numbers, address; tickets and settlement kept (P-PRIV-3)",
        "parameters": [_CUSTOMER_ID], "responses": {"200": _resp("what was anonymised"), **_errors(401, 403, 404, 409)}}},
})

_DATES = {"contract_signed_on": _NULLABLE_DATE, "contract_ends_on": _NULLABLE_DATE, "reviewed_on": _NULLABLE_DATE}
_OUTLET_FIELDS = {"name": _text(120, non_blank=True), "province": _text(40, non_blank=True),
                  "city": _text(40, non_blank=True), "phone": {**_PHONE, "type": ["string", "null"]},
                  "contract_status": {"enum": list(CONTRACT_STATUSES)}, "review_status": {"enum": list(REVIEW_STATUSES)},
                  **_DATES}
_TECHNICIAN_FIELDS = {"outlet_id": _ID, "name": _text(80, non_blank=True), "phone": {**_PHONE, "type": ["string", "null"]},
                      "certificate_number": _text(40, optional=True), "certificate_issued_on": _NULLABLE_DATE,
                      "certificate_expires_on": _NULLABLE_DATE,
                      "product_lines": {"type": ["array", "null"], "items": {"enum": list(PRODUCT_LINES)},
                                        "description": "the lines the technician may work on; empty: every line"}}
_ORDER = "; an end date before its start (contract, certificate) is a 400, an outlet_id of no outlet a 404"
DOCUMENT["paths"]["/outlets"]["post"] = {
    "summary": "A new outlet (admin); it serves once its contract is signed and its review passed" + _ORDER,
    "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(
        _OUTLET_FIELDS, required=("name", "province", "city"))}}},
    "responses": {"201": _resp("the outlet"), **_errors(400, 401, 403, 409, 413, 415)}}
DOCUMENT["paths"]["/outlets/{outlet_id}"] = {"patch": {
    "summary": "Amend an outlet (admin)" + _ORDER, "parameters": [_path("outlet_id", "outlet id", _ID)],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(_OUTLET_FIELDS)}}},
    "responses": {"200": _resp("the outlet"), **_errors(*_JSON_BODY)}}}
DOCUMENT["paths"]["/technicians"]["post"] = {
    "summary": "A new technician (admin), with the certificate (上岗证) and product lines" + _ORDER,
    "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(
        _TECHNICIAN_FIELDS, required=("outlet_id", "name"))}}},
    "responses": {"201": _resp("the technician"), **_errors(400, 401, 403, 404, 413, 415)}}
DOCUMENT["paths"]["/technicians/{technician_id}"] = {"patch": {
    "summary": "Amend a technician (admin)" + _ORDER, "parameters": [_path("technician_id", "technician id", _ID)],
    "requestBody": {"required": True, "content": {"application/json": {"schema": _obj(_TECHNICIAN_FIELDS)}}},
    "responses": {"200": _resp("the technician"), **_errors(*_JSON_BODY)}}}
