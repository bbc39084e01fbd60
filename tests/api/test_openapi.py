"""GET /api/v1/openapi.json is kept true: it documents exactly the routes the app serves under /api/v1."""
from __future__ import annotations

import re

import pytest

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}
# The keys of an OpenAPI path item that are operations; others (`parameters`, `summary`) apply to all of them.
OPERATIONS = {"get", "put", "post", "delete", "patch", "trace"}


def _openapi_path(rule: str) -> str:
    """`/api/v1/tickets/<number>` -> `/tickets/{number}` (converters such as `int:` dropped)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX):])


def _served(app) -> dict[str, set[str]]:
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            served.setdefault(_openapi_path(rule.rule), set()).update(m.lower() for m in rule.methods - IGNORED_METHODS)
    return served


@pytest.fixture
def document(client) -> dict:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.json


def _documented(document: dict) -> dict[str, set[str]]:
    return {path: set(item) & OPERATIONS for path, item in document["paths"].items()}


def _operations(document: dict):
    """(path, method, operation, path-level parameters) for every documented operation."""
    for path, item in document["paths"].items():
        for method in set(item) & OPERATIONS:
            yield path, method, item[method], item.get("parameters", [])


def test_the_document_is_openapi_3_and_needs_no_token(document):
    assert document["openapi"].startswith("3.") and document["servers"] == [{"url": PREFIX}]


def test_every_route_served_is_documented(app, document):
    documented = _documented(document)
    missing = {(path, m) for path, methods in _served(app).items() for m in methods if m not in documented.get(path, ())}
    assert missing == set()


def test_every_documented_operation_is_served(app, document):
    served = _served(app)
    phantom = {(path, m) for path, methods in _documented(document).items() for m in methods
               if m not in served.get(path, ())}
    assert phantom == set()


def test_every_path_parameter_is_documented_and_exists_in_the_route(app, document):
    arguments = {_openapi_path(r.rule): set(r.arguments) for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX)}
    for path, method, operation, shared in _operations(document):
        documented = {p["name"] for p in [*shared, *operation.get("parameters", [])] if p["in"] == "path"}
        assert documented == set(re.findall(r"{([^}]+)}", path)) == arguments.get(path), (method, path)


def test_every_operation_says_what_it_answers(document):
    for path, method, operation, _shared in _operations(document):
        assert operation.get("summary") and operation.get("responses"), (method, path)


def test_every_schema_reference_resolves(document):
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"')))
    assert refs and refs <= set(document["components"]["schemas"])


def test_the_documented_statuses_and_kinds_are_the_interface_values(document):
    schemas = document["components"]["schemas"]
    assert schemas["Ticket"]["properties"]["status"]["enum"] == [
        "received", "acknowledged", "dispatched", "on_site", "resolved", "verified", "closed", "cancelled"]
    assert schemas["NewTicket"]["properties"]["kind"]["enum"] == [
        "repair", "install", "complaint", "maintenance", "inquiry", "callback"]
    assert {v["properties"]["type"]["const"] for v in schemas["TicketEventRequest"]["oneOf"]} == {
        "acknowledge", "dispatch", "arrive", "resolve", "record_callback", "close", "cancel", "reopen"}
