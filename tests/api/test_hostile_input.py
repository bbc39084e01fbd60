"""Input that cannot be stored is a 400 naming the field, never a 500, and writes nothing."""
from __future__ import annotations

import json

import pytest

from tests.factories import make_unit

NUL = "\x00"


@pytest.fixture
def unit(session):
    make_unit(session, product_line="home_ac", serial="HA00000001")
    session.commit()


@pytest.mark.parametrize("field, value", [
    ("serial", f"HA0000{NUL}0001"), ("summary", f"漏水{NUL}"), ("phone", f"13800{NUL}138000"),
    ("kind", f"repair{NUL}"),
])
def test_a_nul_in_a_new_tickets_field_is_400_naming_it(desk, written, unit, field, value):
    before = written()
    response = desk.create(**{field: value})
    assert response.status_code == 400
    assert field in response.json["fields"]
    assert written() == before


@pytest.mark.parametrize("type_, payload", [
    ("acknowledge", {"note": f"已联系{NUL}客户"}), ("cancel", {"note": f"{NUL}"}),
    ("cancel", {"note": f"客户取消{NUL}"}),
])
def test_a_nul_in_an_event_note_is_400_naming_it(desk, written, type_, payload):
    number = desk.open()["number"]
    before = written()
    response = desk.event(number, type_, **payload)
    assert response.status_code == 400 and "note" in response.json["fields"]
    assert written() == before


def test_a_nul_in_a_fee_line_is_400_naming_where_it_is(desk):
    number = desk.open()["number"]
    desk.walk(number, "acknowledge", "dispatch", "arrive")
    response = desk.event(number, "resolve", fees=[{"item": f"清洗{NUL}", "amount": 50}])
    assert response.status_code == 400
    assert "fees[0].item" in response.json["fields"]


def test_a_nul_in_a_suppression_reason_is_400(client, agent):
    response = client.put("/api/v1/suppressions/13800138000", json={"reason": f"客户要求{NUL}"}, headers=agent)
    assert response.status_code == 400 and "reason" in response.json["fields"]


@pytest.mark.parametrize("path", ["/api/v1/tickets/1000%00001", "/api/v1/units/HA%000001/warranty",
                                  "/api/v1/suppressions/138%0000138000", "/api/v1/tickets?phone=138%0000138000"])
def test_a_nul_in_a_path_or_query_is_400(client, agent, path):
    response = client.get(path, headers=agent)
    assert response.status_code == 400
    assert response.json["error"] == "validation_failed"


def test_a_lone_surrogate_in_a_json_body_is_400_naming_the_field(client, agent, written):
    before = written()
    raw = '{"kind": "repair", "product_line": "home_ac", "phone": "13800138000", "summary": "\\ud800"}'
    response = client.post("/api/v1/tickets", data=raw, content_type="application/json", headers=agent)
    assert response.status_code == 400 and "summary" in response.json["fields"]
    assert written() == before


@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_deeply_nested_body_is_400(client, agent, depth):
    raw = "[" * depth + "]" * depth
    response = client.post("/api/v1/tickets", data=f'{{"kind": {raw}}}', content_type="application/json",
                           headers=agent)
    assert response.status_code == 400
    assert "body" in response.json["fields"] or "kind" in response.json["fields"]


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_warranty_day_at_the_ends_of_the_calendar_is_400(client, agent, unit, on):
    response = client.get(f"/api/v1/units/HA00000001/warranty?on={on}", headers=agent)
    assert response.status_code == 400 and "on" in response.json["fields"]


def test_a_warranty_day_in_the_accepted_range_is_answered(client, agent, unit):
    assert client.get("/api/v1/units/HA00000001/warranty?on=2999-12-31", headers=agent).status_code == 200


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_an_appointment_at_the_ends_of_the_calendar_is_400(desk, written, at):
    before = written()
    response = desk.create(kind="install", appointment_at=at)
    assert response.status_code == 400 and "appointment_at" in response.json["fields"]
    assert written() == before


@pytest.mark.parametrize("path", ["/api/v1/reports/callbacks", "/api/v1/reports/calls"])
@pytest.mark.parametrize("query, field", [("from=0001-01-01&to=2026-01-02", "from"),
                                          ("from=2026-12-30&to=9999-12-31", "to"),
                                          ("to=", "to"), ("from=2026-7-1", "from")])
def test_a_report_window_outside_the_calendar_or_empty_is_400(client, staff, path, query, field):
    response = client.get(f"{path}?{query}", headers=staff("supervisor"))
    assert response.status_code == 400 and field in response.json["fields"]


def test_a_form_encoded_body_is_415_not_ignored(client, agent, written):
    before = written()
    response = client.post("/api/v1/tickets", data={"kind": "repair", "product_line": "home_ac",
                                                    "phone": "13800138000"}, headers=agent)
    assert response.status_code == 415
    assert written() == before


def test_a_form_encoded_suppression_reason_is_415_not_ignored(client, agent):
    response = client.put("/api/v1/suppressions/13800138000", data={"reason": "客户要求"}, headers=agent)
    assert response.status_code == 415
    assert client.get("/api/v1/suppressions/13800138000", headers=agent).json["suppressed"] is False


def test_a_suppression_without_a_body_still_works(client, agent):
    assert client.put("/api/v1/suppressions/13800138000", headers=agent).status_code == 201


def test_a_body_over_the_limit_is_413_before_it_is_read(client, agent, written):
    before = written()
    body = json.dumps({"kind": "repair", "product_line": "home_ac", "phone": "13800138000", "summary": "x" * 2_000_000})
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", headers=agent)
    assert response.status_code == 413
    assert written() == before


def test_a_wrong_method_names_the_allowed_ones(client, agent):
    response = client.delete("/api/v1/tickets", headers=agent)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
