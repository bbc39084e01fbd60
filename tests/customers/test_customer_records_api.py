"""Customers and units as staff keep them: found however the number is typed, audited changes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.customers.models import CustomerAudit
from tests.factories import make_customer, make_unit

NEW = {"name": "李娜", "phone": "139 1234 5678", "province": "广西壮族自治区", "city": "柳州市", "address": "文昌路8号"}


@pytest.fixture
def wang(session):
    customer = make_customer(session, phone="+8613912345678", name="王伟")
    make_unit(session, customer, serial="HA00000042")
    session.commit()
    return customer.id


def audits(session, customer_id: int) -> list[CustomerAudit]:
    session.expire_all()
    return list(session.scalars(select(CustomerAudit).where(CustomerAudit.customer_id == customer_id)
                                .order_by(CustomerAudit.id)))


@pytest.mark.parametrize("typed", ["13912345678", "139 1234 5678", "+86 139-1234-5678", "008613912345678",
                                   "１３９１２３４５６７８"])
def test_a_customer_is_found_by_their_number_however_it_is_typed(client, agent, wang, typed):
    response = client.get("/api/v1/customers", query_string={"phone": typed}, headers=agent)
    assert [c["id"] for c in response.json["items"]] == [wang]


def test_a_list_masks_the_numbers(client, agent, wang):
    [item] = client.get("/api/v1/customers?q=王", headers=agent).json["items"]
    assert item["phones"] == ["+86139****5678"]


def test_one_customer_shows_full_numbers_and_units(client, agent, wang):
    customer = client.get(f"/api/v1/customers/{wang}", headers=agent).json
    assert customer["phones"] == ["+8613912345678"]
    assert [u["serial"] for u in customer["units"]] == ["HA00000042"]
    assert customer["marketing_consent"] is False


def test_a_name_matches_from_its_start(client, agent, wang):
    assert client.get("/api/v1/customers?q=王", headers=agent).json["items"]
    assert not client.get("/api/v1/customers?q=伟", headers=agent).json["items"]


def test_a_percent_sign_in_the_name_is_a_letter_not_a_wildcard(client, agent, wang):
    assert not client.get("/api/v1/customers?q=%25", headers=agent).json["items"]


def test_a_customer_is_found_by_a_units_serial(client, agent, wang):
    items = client.get("/api/v1/customers?serial=ha00000042", headers=agent).json["items"]
    assert [c["id"] for c in items] == [wang]


def test_marketing_sees_no_customer(client, staff, wang):
    assert client.get(f"/api/v1/customers/{wang}", headers=staff("marketing")).status_code == 403
    assert client.get("/api/v1/customers?q=王", headers=staff("marketing")).status_code == 403


def test_a_new_customer_is_created_with_an_audit_record(client, agent, session):
    response = client.post("/api/v1/customers", json=NEW, headers=agent)
    assert response.status_code == 201
    assert response.json["phones"] == ["+8613912345678"] and response.json["city"] == "柳州市"
    [audit] = audits(session, response.json["id"])
    assert audit.action == "created" and audit.actor == "agent-user"


def test_a_number_on_file_is_a_409_naming_its_owner(client, agent, wang):
    response = client.post("/api/v1/customers", json=NEW, headers=agent)
    assert response.status_code == 409
    assert str(wang) in response.json["fields"]["phone"]


def test_an_invalid_number_is_a_400(client, agent):
    response = client.post("/api/v1/customers", json={**NEW, "phone": "12345"}, headers=agent)
    assert response.status_code == 400 and "phone" in response.json["fields"]


def test_an_amendment_is_audited_before_and_after(client, agent, session, wang):
    response = client.patch(f"/api/v1/customers/{wang}", json={"name": "王伟强", "city": "桂林市"}, headers=agent)
    assert response.status_code == 200 and response.json["name"] == "王伟强"
    changes = audits(session, wang)[-1].changes
    assert changes == {"name": ["王伟", "王伟强"], "city": ["南宁市", "桂林市"]}


def test_an_amendment_that_changes_nothing_writes_no_audit(client, agent, session, wang):
    client.patch(f"/api/v1/customers/{wang}", json={"name": "王伟"}, headers=agent)
    assert audits(session, wang) == []


def test_a_unit_sold_at_a_counter_is_registered_with_its_install_date(client, agent, session, wang):
    body = {"serial": "wh20260001", "model": "KF70", "product_line": "water_heater", "installed_on": "2026-06-01"}
    response = client.post(f"/api/v1/customers/{wang}/units", json=body, headers=agent)
    assert response.status_code == 201
    assert {"serial": "WH20260001", "model": "KF70", "product_line": "water_heater",
            "installed_on": "2026-06-01"} in response.json["units"]
    assert audits(session, wang)[-1].action == "unit_added"
    cover = client.get("/api/v1/units/WH20260001/warranty?on=2026-07-01", headers=agent).json
    assert {part["starts_on"] for part in cover["parts"]} == {"2026-06-01"}


def test_a_serial_registered_already_is_a_409(client, agent, wang):
    body = {"serial": "HA00000042", "model": "KFR", "product_line": "home_ac"}
    response = client.post(f"/api/v1/customers/{wang}/units", json=body, headers=agent)
    assert response.status_code == 409 and "serial" in response.json["fields"]


def test_an_unknown_customer_is_a_404(client, agent):
    assert client.get("/api/v1/customers/999999", headers=agent).status_code == 404
    assert client.patch("/api/v1/customers/99999999999", json={"name": "x"}, headers=agent).status_code == 404
