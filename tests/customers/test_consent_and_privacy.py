"""Marketing consent is recorded, never implied (P-PRIV-1); export and erasure (P-PRIV-3)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.messaging.models import Message
from app.messaging.suppressions import is_suppressed, suppress
from app.tickets.models import Ticket
from tests.factories import make_customer, make_message, make_unit

PHONE = "+8613912345678"


@pytest.fixture
def wang(session, client, agent):
    customer = make_customer(session, phone=PHONE, name="王伟")
    make_unit(session, customer, serial="HA00000042")
    session.commit()
    assert client.post("/api/v1/tickets", json={"kind": "repair", "product_line": "home_ac", "phone": PHONE,
                                                "serial": "HA00000042"}, headers=agent).status_code == 201
    return customer.id


def test_consent_is_never_implied(client, agent):
    body = {"name": "李娜", "phone": "13912340000", "province": "广西", "city": "南宁市"}
    assert client.post("/api/v1/customers", json=body, headers=agent).json["marketing_consent"] is False


def test_consent_is_recorded_with_who_when_and_how(client, agent, wang):
    body = {"marketing": True, "source": "paper_form", "note": "保修卡勾选"}
    response = client.put(f"/api/v1/customers/{wang}/consent", json=body, headers=agent)
    assert response.status_code == 200 and response.json["marketing_consent"] is True
    [record] = client.get(f"/api/v1/customers/{wang}/export", headers=agent).json["consent_history"]
    assert record == {"marketing": True, "source": "paper_form", "note": "保修卡勾选", "recorded_by": "agent-user",
                      "recorded_at": "2026-07-07T10:00:00+08:00"}


def test_a_withdrawn_consent_stands_and_both_are_kept(client, agent, wang):
    for marketing in (True, False):
        client.put(f"/api/v1/customers/{wang}/consent", json={"marketing": marketing, "source": "hotline"},
                   headers=agent)
    export = client.get(f"/api/v1/customers/{wang}/export", headers=agent).json
    assert export["customer"]["marketing_consent"] is False
    assert [c["marketing"] for c in export["consent_history"]] == [True, False]


@pytest.mark.parametrize("body, field", [({"marketing": "yes", "source": "sms"}, "marketing"),
                                         ({"marketing": True, "source": "guess"}, "source"),
                                         ({"source": "sms"}, "marketing")])
def test_a_consent_without_a_clear_answer_and_source_is_a_400(client, agent, wang, body, field):
    response = client.put(f"/api/v1/customers/{wang}/consent", json=body, headers=agent)
    assert response.status_code == 400 and field in response.json["fields"]


def test_the_export_holds_the_record_units_tickets_and_texts(client, agent, session, wang):
    make_message(session, phone=PHONE, body="空调不制冷")
    session.commit()
    export = client.get(f"/api/v1/customers/{wang}/export", headers=agent).json
    assert export["customer"]["name"] == "王伟" and export["phones"] == [{"e164": PHONE, "kind": "mobile"}]
    assert [u["serial"] for u in export["units"]] == ["HA00000042"]
    assert len(export["tickets"]) == 1 and export["tickets"][0]["events"]
    assert "空调不制冷" in [t["body"] for t in export["texts"]]


def test_an_export_is_itself_audited(client, agent, wang):
    client.get(f"/api/v1/customers/{wang}/export", headers=agent)
    changes = client.get(f"/api/v1/customers/{wang}/export", headers=agent).json["changes"]
    assert [c["action"] for c in changes].count("exported") == 1  # the first export, seen by the second


def test_only_an_admin_erases(client, agent, wang):
    assert client.post(f"/api/v1/customers/{wang}/erase", headers=agent).status_code == 403


def test_erasure_anonymises_name_numbers_and_address(client, staff, wang):
    response = client.post(f"/api/v1/customers/{wang}/erase", headers=staff("admin"))
    assert response.status_code == 200
    customer = client.get(f"/api/v1/customers/{wang}", headers=staff("admin")).json
    assert customer["name"] != "王伟" and customer["phones"] == [] and customer["address"] == ""
    assert customer["erased"] is True


def test_erasure_keeps_the_tickets_for_settlement_without_the_number(client, staff, session, wang):
    client.post(f"/api/v1/customers/{wang}/erase", headers=staff("admin"))
    session.expire_all()
    [ticket] = session.scalars(select(Ticket))
    assert ticket.phone != PHONE and ticket.number
    assert session.scalar(select(func.count()).select_from(Message).where(Message.phone == PHONE)) == 0


def test_an_erased_customer_who_refused_texts_still_gets_none(client, staff, session, wang):
    suppress(session, PHONE, source="sms", reason="退订", now=datetime(2026, 7, 1, tzinfo=timezone.utc))
    session.commit()
    client.post(f"/api/v1/customers/{wang}/erase", headers=staff("admin"))
    session.expire_all()
    assert is_suppressed(session, PHONE)


def test_an_erased_customer_is_no_longer_found_by_number(client, staff, wang):
    client.post(f"/api/v1/customers/{wang}/erase", headers=staff("admin"))
    assert client.get("/api/v1/customers", query_string={"phone": PHONE}, headers=staff("admin")).json["items"] == []


def test_erasing_twice_is_a_409_and_an_erased_record_cannot_change(client, staff, wang):
    admin = staff("admin")
    client.post(f"/api/v1/customers/{wang}/erase", headers=admin)
    assert client.post(f"/api/v1/customers/{wang}/erase", headers=admin).status_code == 409
    assert client.patch(f"/api/v1/customers/{wang}", json={"name": "王伟"}, headers=admin).status_code == 409
