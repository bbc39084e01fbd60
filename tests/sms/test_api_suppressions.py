"""Staff suppress and un-suppress a number through the API."""
from __future__ import annotations

from sqlalchemy import select

from app.messaging.models import Suppression, SuppressionLift
from app.messaging.outbox import queue_text

PHONE = "+8613800138000"


def test_staff_suppress_a_number_given_in_any_form(client, agent, session):
    answer = client.put("/api/v1/suppressions/138%200013%208000", headers=agent, json={"reason": "电话里要求"})
    assert answer.status_code == 201
    assert (answer.json["phone"], answer.json["suppressed"], answer.json["source"]) == (PHONE, True, "staff")
    assert "电话里要求" in session.get(Suppression, PHONE).reason


def test_suppressing_again_keeps_the_first_entry(client, agent):
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"reason": "first"})
    again = client.put(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"reason": "second"})
    assert again.status_code == 200 and again.json["reason"].startswith("first")


def test_a_put_without_a_body_is_fine(client, agent):
    assert client.put(f"/api/v1/suppressions/{PHONE}", headers=agent).status_code == 201


def test_a_staff_suppression_stops_reminders(client, agent, session, clock):
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent)
    message = queue_text(session, phone=PHONE, template="maintenance_reminder", category="reminder", now=clock.now(),
                         context={"serial_tail": "8321", "hotline": "400 675 7888"})
    assert message.status == "suppressed"


def test_reading_shows_the_state(client, agent):
    assert client.get(f"/api/v1/suppressions/{PHONE}", headers=agent).json["suppressed"] is False
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent)
    assert client.get(f"/api/v1/suppressions/{PHONE}", headers=agent).json["suppressed"] is True


def test_deleting_lifts_the_suppression(client, agent, session):
    client.put(f"/api/v1/suppressions/{PHONE}", headers=agent)
    answer = client.delete(f"/api/v1/suppressions/{PHONE}", headers=agent)
    assert answer.status_code == 200 and answer.json["suppressed"] is False
    assert session.get(Suppression, PHONE) is None


def test_an_agent_may_not_lift_a_refusal_the_customer_texted(client, agent, session, text_in):
    text_in("退订")
    answer = client.delete(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"note": "客户来电要求恢复"})
    assert answer.status_code == 403 and "opt-in" in answer.json["message"]
    assert session.get(Suppression, PHONE) is not None


def test_a_supervisor_may_not_lift_a_refusal_the_customer_texted_either(client, staff, session, text_in):
    text_in("STOP")
    answer = client.delete(f"/api/v1/suppressions/{PHONE}", headers=staff("supervisor"), json={"note": "客户要求"})
    assert answer.status_code == 403


def test_an_admin_lifts_a_customers_refusal_only_recording_the_customers_request(client, staff, session, text_in):
    text_in("退订")
    admin = staff("admin")
    refused = client.delete(f"/api/v1/suppressions/{PHONE}", headers=admin)
    assert refused.status_code == 400 and "note" in refused.json["fields"]
    assert session.get(Suppression, PHONE) is not None
    assert client.delete(f"/api/v1/suppressions/{PHONE}", headers=admin,
                         json={"note": "客户7月7日书面申请恢复短信"}).status_code == 200
    assert session.get(Suppression, PHONE) is None


def test_lifting_is_kept_who_when_and_how(client, staff, session, text_in, clock):
    text_in("退订")
    clock.advance(hours=2)
    client.delete(f"/api/v1/suppressions/{PHONE}", headers=staff("admin"), json={"note": "客户书面申请"})
    session.expire_all()
    lift = session.scalar(select(SuppressionLift))
    assert (lift.phone, lift.source, lift.lifted_by, lift.how, lift.note, lift.lifted_at) == (
        PHONE, "sms", "admin-user", "admin", "客户书面申请", clock.now())


def test_deleting_a_suppression_that_is_not_there_is_404(client, agent):
    assert client.delete(f"/api/v1/suppressions/{PHONE}", headers=agent).status_code == 404


def test_a_bad_number_is_a_400_naming_the_field(client, agent):
    answer = client.put("/api/v1/suppressions/12345", headers=agent)
    assert answer.status_code == 400 and "phone" in answer.json["fields"]


def test_a_reason_that_is_not_text_is_a_400(client, agent):
    assert client.put(f"/api/v1/suppressions/{PHONE}", headers=agent, json={"reason": 5}).status_code == 400


def test_no_token_is_a_401(client):
    assert client.put(f"/api/v1/suppressions/{PHONE}").status_code == 401


def test_marketing_staff_may_not_change_suppressions(client, staff):
    assert client.put(f"/api/v1/suppressions/{PHONE}", headers=staff("marketing")).status_code == 403


def test_the_openapi_document_describes_the_suppression_endpoints(client):
    path = client.get("/api/v1/openapi.json").json["paths"]["/suppressions/{phone}"]
    assert {"get", "put", "delete"} <= set(path)
