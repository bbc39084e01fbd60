"""Unhappy customers and complaints go to a supervisor (P-REC-4): GET /api/v1/escalations and resolving one."""
from __future__ import annotations

import pytest

from app.escalations.services import raise_escalation

DONE = ["dispatch", "arrive", "resolve"]


def _open_escalations(desk) -> list[dict]:
    return desk.get("/escalations").json["items"]


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_callback_score_raises_one_supervisor_escalation(desk, score):
    number = desk.open()["number"]
    desk.walk(number, *DONE)
    desk.event(number, "record_callback", score=score, note="师傅态度差")
    escalations = _open_escalations(desk)
    assert [(e["reason"], e["queue"], e["ticket"]["number"]) for e in escalations] == [
        ("unhappy_customer", "supervisor", number)]
    assert str(score) in escalations[0]["detail"]


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_fair_or_good_score_raises_none(desk, score):
    number = desk.open()["number"]
    desk.walk(number, *DONE)
    desk.event(number, "record_callback", score=score)
    assert _open_escalations(desk) == []


def test_a_complaint_raises_one_supervisor_escalation_when_filed(desk):
    number = desk.open(kind="complaint", summary="师傅迟到两小时")["number"]
    escalations = _open_escalations(desk)
    assert [(e["reason"], e["queue"], e["ticket"]["number"], e["ticket"]["kind"]) for e in escalations] == [
        ("complaint", "supervisor", number, "complaint")]
    assert escalations[0]["detail"] == "师傅迟到两小时"


def test_a_complaint_is_filed_at_high_priority(desk):
    assert desk.open(kind="complaint")["priority"] == "high"


def test_a_repair_raises_no_escalation_when_filed(desk):
    desk.open(kind="repair")
    assert _open_escalations(desk) == []


def test_the_queue_is_oldest_first_with_times_in_business_time(desk, clock):
    first = desk.open(kind="complaint", phone="13800138000")["number"]
    clock.advance(minutes=5)
    second = desk.open(kind="complaint", phone="13900139000")["number"]
    escalations = _open_escalations(desk)
    assert [e["ticket"]["number"] for e in escalations] == [first, second]
    assert [e["created_at"] for e in escalations] == ["2026-07-07T10:00:00+08:00", "2026-07-07T10:05:00+08:00"]


def test_the_queue_masks_the_customers_number(desk):
    desk.open(kind="complaint", phone="13800138000")
    ticket = _open_escalations(desk)[0]["ticket"]
    assert ticket["phone_masked"] == "+86138****8000" and "phone" not in ticket


def test_the_queue_can_be_filtered_by_queue(desk):
    desk.open(kind="complaint")
    assert len(desk.get("/escalations", queue="supervisor").json["items"]) == 1
    assert desk.get("/escalations", queue="agent").json["items"] == []


def _resolve(client, headers, escalation_id, note="已回电致歉"):
    return client.post(f"/api/v1/escalations/{escalation_id}/resolve", json={"note": note}, headers=headers)


def test_resolving_an_escalation_takes_it_off_the_queue(client, staff, desk, clock):
    desk.open(kind="complaint")
    escalation_id = _open_escalations(desk)[0]["id"]
    clock.advance(minutes=30)
    response = _resolve(client, staff("supervisor"), escalation_id)
    assert response.status_code == 200
    assert (response.json["status"], response.json["resolved_by"], response.json["resolved_at"]) == (
        "resolved", "supervisor-user", "2026-07-07T10:30:00+08:00")
    assert _open_escalations(desk) == []


def test_resolving_twice_is_a_409_naming_who_resolved_it(client, staff, desk):
    desk.open(kind="complaint")
    escalation_id = _open_escalations(desk)[0]["id"]
    assert _resolve(client, staff("supervisor"), escalation_id).status_code == 200
    second = _resolve(client, staff("admin"), escalation_id)
    assert second.status_code == 409
    assert "already resolved by supervisor-user" in second.json["message"]


def test_resolving_needs_a_note(client, staff, desk):
    desk.open(kind="complaint")
    escalation_id = _open_escalations(desk)[0]["id"]
    response = _resolve(client, staff("supervisor"), escalation_id, note=" ")
    assert response.status_code == 400 and "note" in response.json["fields"]
    assert len(_open_escalations(desk)) == 1


def test_resolving_an_unknown_escalation_is_404(client, agent):
    assert _resolve(client, agent, 999).status_code == 404


def test_a_marketing_user_may_not_resolve_escalations(client, staff, desk):
    desk.open(kind="complaint")
    escalation_id = _open_escalations(desk)[0]["id"]
    assert _resolve(client, staff("marketing"), escalation_id).status_code == 403


def test_an_agent_may_not_resolve_a_complaint_of_the_supervisor_queue(client, agent, desk):
    desk.open(kind="complaint")
    escalation_id = _open_escalations(desk)[0]["id"]
    response = _resolve(client, agent, escalation_id)
    assert response.status_code == 403 and "supervisor queue" in response.json["message"]
    assert len(_open_escalations(desk)) == 1


def test_an_agent_resolves_an_item_of_the_agent_queue(client, agent, desk, session, clock):
    raise_escalation(session, reason="survey_callback", queue="agent", now=clock.now(), dedupe_key="test:agent-queue",
                     detail="call the customer for the satisfaction survey")
    session.commit()
    [item] = _open_escalations(desk)
    client.post(f"/api/v1/escalations/{item['id']}/claim", headers=agent)
    assert _resolve(client, agent, item["id"]).status_code == 200
