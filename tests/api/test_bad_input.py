"""Bad input gets the right status and a clear message, and nothing is written."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.staff.models import User
from tests.factories import make_unit

# --- creating a ticket ----------------------------------------------------------------------------

BAD_TICKETS = [
    ("an invalid phone", {"phone": "12345"}, "phone"),
    ("a phone with letters", {"phone": "138-CALL-ME"}, "phone"),
    ("a phone given as a number", {"phone": 13800138000}, "phone"),
    ("no phone", {"phone": None}, "phone"),
    ("no kind", {"kind": None}, "kind"),
    ("an unknown kind", {"kind": "fix"}, "kind"),
    ("a kind that is not text", {"kind": ["repair"]}, "kind"),
    ("no product line", {"product_line": None}, "product_line"),
    ("an unknown product line", {"product_line": "fridge"}, "product_line"),
    ("an unknown serial", {"serial": "NOSUCH0001"}, "serial"),
    ("a serial of another product line", {"serial": "WH00000001"}, "serial"),
    ("a serial that is not text", {"serial": 1}, "serial"),
    ("an appointment without an offset", {"kind": "install", "appointment_at": "2026-07-09T14:00:00"}, "appointment_at"),
    ("an appointment that is not a time", {"kind": "install", "appointment_at": "next Tuesday"}, "appointment_at"),
    ("an appointment given as a number", {"kind": "install", "appointment_at": 1783576800}, "appointment_at"),
    ("an appointment on a repair", {"appointment_at": "2026-07-09T14:00:00+08:00"}, "appointment_at"),
    ("main_equipment that is not true or false", {"main_equipment": "yes"}, "main_equipment"),
    ("a summary over 2000 characters", {"summary": "漏水" * 1001}, "summary"),
    ("a summary that is not text", {"summary": {"text": "漏水"}}, "summary"),
]


@pytest.fixture
def units(session):
    """A home AC and a water heater with known serials."""
    make_unit(session, product_line="home_ac", serial="HA00000001")
    make_unit(session, product_line="water_heater", serial="WH00000001")
    session.commit()


@pytest.mark.parametrize("fields, bad_field", [r[1:] for r in BAD_TICKETS], ids=[r[0] for r in BAD_TICKETS])
def test_a_bad_ticket_is_400_naming_the_field_and_writes_nothing(desk, written, units, fields, bad_field):
    before = written()
    response = desk.create(**fields)
    assert response.status_code == 400
    assert response.json["error"] == "validation_failed"
    assert bad_field in response.json["fields"] and response.json["message"]
    assert written() == before


def test_every_bad_field_is_named_at_once(desk):
    response = desk.create(kind="fix", product_line="fridge", phone="12345")
    assert set(response.json["fields"]) == {"kind", "product_line", "phone"}


def test_the_phone_error_quotes_what_was_typed(desk):
    assert "12345" in desk.create(phone="12345").json["fields"]["phone"]


BAD_BODIES = [
    ("malformed JSON", b'{"kind": "repair",', "malformed JSON"),
    ("an empty body", b"", "required"),
    ("a JSON list", b'["repair"]', "must be an object"),
    ("a JSON string", b'"repair"', "must be an object"),
    ("a JSON number", b"42", "must be an object"),
    ("JSON null", b"null", "must be an object"),
    ("bytes that are not UTF-8", b'{"kind": "\xff"}', "malformed JSON"),
]


@pytest.mark.parametrize("raw, says", [r[1:] for r in BAD_BODIES], ids=[r[0] for r in BAD_BODIES])
def test_a_body_that_is_not_a_json_object_is_400(client, agent, written, raw, says):
    before = written()
    response = client.post("/api/v1/tickets", data=raw, headers={**agent, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["fields"]["body"] == says
    assert written() == before


@pytest.mark.parametrize("raw", [b"not json", b"[]", b"null"])
def test_an_event_body_that_is_not_a_json_object_is_400(client, agent, desk, written, raw):
    number = desk.open()["number"]
    before = written()
    response = client.post(f"/api/v1/tickets/{number}/events", data=raw,
                           headers={**agent, "Content-Type": "application/json"})
    assert response.status_code == 400 and "body" in response.json["fields"]
    assert written() == before


# --- events on a ticket ---------------------------------------------------------------------------

BAD_EVENTS = [
    # walk first, then the event, its payload, the status and the field (400) or words of the reason (409)
    ("no type", [], None, {}, 400, "type"),
    ("a type that is not text", [], 3, {}, 400, "type"),
    ("an unknown type", [], "teleport", {}, 400, "type"),
    ("arrive on a received ticket", [], "arrive", {}, 409, "must be dispatched"),
    ("resolve a repair nobody visited", ["acknowledge"], "resolve", {}, 409, "arrive first"),
    ("acknowledge twice", ["acknowledge"], "acknowledge", {}, 409, "already acknowledged"),
    ("close a resolved repair without its callback", ["dispatch", "arrive", "resolve"], "close", {}, 409, "callback"),
    ("record a callback before the work is done", ["dispatch", "arrive"], "record_callback", {"score": 5}, 409,
     "must be resolved"),
    ("cancel a resolved ticket", ["dispatch", "arrive", "resolve"], "cancel", {"note": "x"}, 409, "cancel"),
    ("reopen an open ticket", ["acknowledge"], "reopen", {"note": "x"}, 409, "reopen"),
    ("anything on a cancelled ticket", ["cancel"], "acknowledge", {}, 409, "cancelled"),
    ("dispatch with the technician id as text", [], "dispatch", {"technician_id": "3"}, 400, "technician_id"),
    ("dispatch with technician id true", [], "dispatch", {"technician_id": True}, 400, "technician_id"),
    ("dispatch without a technician", [], "dispatch", {"technician_id": None}, 400, "technician_id"),
    ("dispatch an unknown technician", [], "dispatch", {"technician_id": 999999}, 404, "technician_id"),
    ("dispatch a technician id beyond any id", [], "dispatch", {"technician_id": 10**20}, 400, "technician_id"),
    ("dispatch a negative technician id", [], "dispatch", {"technician_id": -1}, 400, "technician_id"),
    ("a callback score of 6", ["dispatch", "arrive", "resolve"], "record_callback", {"score": 6}, 400, "score"),
    ("a callback score of 0", ["dispatch", "arrive", "resolve"], "record_callback", {"score": 0}, 400, "score"),
    ("a callback score of true", ["dispatch", "arrive", "resolve"], "record_callback", {"score": True}, 400, "score"),
    ("a callback score as text", ["dispatch", "arrive", "resolve"], "record_callback", {"score": "4"}, 400, "score"),
    ("a callback score of 4.5", ["dispatch", "arrive", "resolve"], "record_callback", {"score": 4.5}, 400, "score"),
    ("a callback without a score", ["dispatch", "arrive", "resolve"], "record_callback", {"score": None}, 400, "score"),
    ("cancel without saying why", [], "cancel", {"note": "  "}, 400, "note"),
    ("reopen without saying why", ["dispatch", "arrive", "resolve"], "reopen", {"note": ""}, 400, "note"),
    ("a note that is not text", [], "acknowledge", {"note": 7}, 400, "note"),
    ("users_fault that is not true or false", ["dispatch", "arrive"], "resolve", {"users_fault": "no"}, 400,
     "users_fault"),
    ("a part without a name", ["dispatch", "arrive"], "resolve", {"parts": [{"quantity": 1}]}, 400, "parts[0]"),
    ("a negative fee", ["dispatch", "arrive"], "resolve", {"fees": [{"item": "上门费", "amount": -30}]}, 400, "fees[0]"),
]


@pytest.mark.parametrize("walk, type_, payload, status, detail", [r[1:] for r in BAD_EVENTS],
                         ids=[r[0] for r in BAD_EVENTS])
def test_a_refused_event_says_why_and_changes_nothing(client, agent, desk, written, walk, type_, payload, status, detail):
    number = desk.open()["number"]
    desk.walk(number, *walk)
    ticket_before, before = desk.get(f"/tickets/{number}").json, written()
    body = {k: v for k, v in {"type": type_, **payload}.items() if v is not None}
    response = client.post(f"/api/v1/tickets/{number}/events", json=body, headers=agent)
    assert response.status_code == status
    if status in (400, 404):
        assert detail in response.json["fields"]
    else:
        assert response.json["error"] == "conflict" and detail in response.json["message"]
    assert written() == before
    assert desk.get(f"/tickets/{number}").json == ticket_before


# --- who may call ---------------------------------------------------------------------------------

CALLS = [("GET", "/api/v1/tickets"), ("POST", "/api/v1/tickets"), ("GET", "/api/v1/messages?phone=13800138000"),
         ("GET", "/api/v1/escalations"), ("GET", "/api/v1/outlets"), ("GET", "/api/v1/units/HA00000001/warranty")]


def _call(client, method: str, path: str, headers: dict):
    body = {"kind": "repair", "product_line": "home_ac", "phone": "13800138000"} if method == "POST" else None
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("method, path", CALLS)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic YWdlbnQ6cGFzcw=="},
                                     {"Authorization": "Bearer not-a-token"}],
                         ids=["no header", "empty bearer", "basic auth", "wrong token"])
def test_without_a_valid_token_it_is_401_and_writes_nothing(client, written, method, path, headers):
    before = written()
    response = _call(client, method, path, headers)
    assert response.status_code == 401
    assert response.json["error"] == "unauthorised" and response.json["message"]
    assert written() == before


def test_a_deactivated_users_token_is_401(client, agent, session):
    session.scalar(select(User).where(User.name == "agent-user")).active = False
    session.commit()
    assert client.get("/api/v1/tickets", headers=agent).status_code == 401


@pytest.mark.parametrize("method, path", [("GET", "/api/v1/tickets"), ("POST", "/api/v1/tickets"),
                                          ("GET", "/api/v1/escalations"), ("GET", "/api/v1/messages?phone=13800138000")])
def test_a_marketing_user_may_not_touch_tickets_or_texts(client, staff, written, method, path):
    before = written()
    response = _call(client, method, path, staff("marketing"))
    assert response.status_code == 403
    assert "marketing" in response.json["message"]
    assert written() == before


def test_a_marketing_user_may_not_move_a_ticket(client, staff, desk, written):
    number = desk.open()["number"]
    before = written()
    response = desk.event(number, "acknowledge", headers=staff("marketing"))
    assert response.status_code == 403
    assert written() == before


# --- not found ------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["10000016", "99999997", "1000001", "12ab", "ticket", "1" * 17, "１０００００１６"],
                         ids=["unused number", "unknown number", "too short", "digits and letters", "letters",
                              "too long", "full-width digits"])
def test_an_unknown_ticket_number_is_404(desk, written, number):
    before = written()
    assert desk.get(f"/tickets/{number}").status_code == 404
    response = desk.event(number, "acknowledge")
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert written() == before


def test_an_unknown_path_under_the_api_is_a_json_404(client, agent):
    response = client.get("/api/v1/nothing-here", headers=agent)
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_a_wrong_method_is_a_json_405(client, agent):
    response = client.delete("/api/v1/tickets", headers=agent)
    assert response.status_code == 405 and response.json["message"]


# --- query strings --------------------------------------------------------------------------------

BAD_QUERIES = [
    ("page zero", "/tickets", {"page": "0"}, "page"),
    ("page not a number", "/tickets", {"page": "two"}, "page"),
    ("a page beyond any database offset", "/tickets", {"page": str(10**20)}, "page"),
    ("per_page zero", "/tickets", {"per_page": "0"}, "per_page"),
    ("per_page over 200", "/tickets", {"per_page": "201"}, "per_page"),
    ("negative per_page", "/tickets", {"per_page": "-5"}, "per_page"),
    ("an unknown status filter", "/tickets", {"status": "open"}, "status"),
    ("an unknown kind filter", "/tickets", {"kind": "fix"}, "kind"),
    ("an unknown product line filter", "/tickets", {"product_line": "fridge"}, "product_line"),
    ("an invalid phone filter", "/tickets", {"phone": "12345"}, "phone"),
    ("bad paging of messages", "/messages", {"phone": "13800138000", "page": "-1"}, "page"),
    ("bad paging of escalations", "/escalations", {"per_page": "1000"}, "per_page"),
    ("an unknown escalation queue", "/escalations", {"queue": "ceo"}, "queue"),
    ("bad paging of outlets", "/outlets", {"page": "x"}, "page"),
    ("a technician outlet that is not an id", "/technicians", {"outlet": "南宁"}, "outlet"),
    ("a technician outlet beyond any id", "/technicians", {"outlet": str(10**20)}, "outlet"),
    ("a technician outlet in superscript digits", "/technicians", {"outlet": "\u00b2"}, "outlet"),
    ("certified neither true nor false", "/technicians", {"certified": "yes"}, "certified"),
]


@pytest.mark.parametrize("path, query, field", [r[1:] for r in BAD_QUERIES], ids=[r[0] for r in BAD_QUERIES])
def test_a_bad_query_is_400_naming_the_parameter(desk, path, query, field):
    response = desk.get(path, **query)
    assert response.status_code == 400
    assert field in response.json["fields"]


def test_an_escalation_id_beyond_any_id_is_404(client, agent):
    response = client.post(f"/api/v1/escalations/{10**20}/resolve", json={"note": "x"}, headers=agent)
    assert response.status_code == 404
