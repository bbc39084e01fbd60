"""Claiming an escalation: a renewable lease of 15 minutes; another's claim is a 409 naming them;
an expired claim is free; resolving needs the claim or a supervisor; a double click is one claim."""
from __future__ import annotations

import threading

import pytest

from app.errors import Conflict
from app.escalations.claims import claim_escalation
from app.escalations.services import raise_escalation
from app.staff.tokens import create_user


@pytest.fixture
def item(session, clock) -> int:
    """An open item of the agent queue."""
    escalation = raise_escalation(session, reason="survey_callback", queue="agent", now=clock.now(),
                                  dedupe_key="test:claims", detail="call the customer for the survey")
    session.commit()
    return escalation.id


@pytest.fixture
def other_agent(session, clock) -> dict:
    _user, token = create_user(session, "agent-two", "agent", now=clock.now())
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _post(client, headers, item_id, action, body=None):
    return client.post(f"/api/v1/escalations/{item_id}/{action}", json=body, headers=headers)


def test_a_claim_holds_the_item_for_15_minutes(client, agent, item):
    response = _post(client, agent, item, "claim")
    assert response.status_code == 200
    assert (response.json["claimed_by"], response.json["claimed_until"]) == ("agent-user", "2026-07-07T10:15:00+08:00")


def test_the_queue_shows_who_holds_an_item(client, agent, desk, item):
    _post(client, agent, item, "claim")
    [listed] = desk.get("/escalations").json["items"]
    assert listed["claimed_by"] == "agent-user"


def test_a_claim_may_ask_for_a_shorter_lease(client, agent, item):
    response = _post(client, agent, item, "claim", {"minutes": 5})
    assert response.json["claimed_until"] == "2026-07-07T10:05:00+08:00"


@pytest.mark.parametrize("minutes", [0, 61, "15", True, 1.5])
def test_a_lease_outside_1_to_60_minutes_is_a_400(client, agent, item, minutes):
    response = _post(client, agent, item, "claim", {"minutes": minutes})
    assert response.status_code == 400 and "minutes" in response.json["fields"]


def test_another_users_claim_is_a_409_naming_the_holder(client, agent, other_agent, item):
    _post(client, agent, item, "claim")
    response = _post(client, other_agent, item, "claim")
    assert response.status_code == 409
    assert "agent-user" in response.json["message"] and response.json["fields"] == {"claimed_by": "agent-user"}


def test_a_double_click_is_one_claim_renewed(client, agent, item, clock):
    first = _post(client, agent, item, "claim")
    clock.advance(minutes=10)
    second = _post(client, agent, item, "claim")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json["claimed_until"] == "2026-07-07T10:25:00+08:00"


def test_an_expired_claim_is_free_for_another(client, agent, other_agent, item, clock):
    _post(client, agent, item, "claim")
    clock.advance(minutes=15)
    response = _post(client, other_agent, item, "claim")
    assert (response.status_code, response.json["claimed_by"]) == (200, "agent-two")


def test_an_expired_claim_is_not_shown(client, agent, desk, item, clock):
    _post(client, agent, item, "claim")
    clock.advance(minutes=16)
    [listed] = desk.get("/escalations").json["items"]
    assert (listed["claimed_by"], listed["claimed_until"]) == (None, None)


def test_a_released_item_is_free_for_another(client, agent, other_agent, item):
    _post(client, agent, item, "claim")
    assert _post(client, agent, item, "release").json["claimed_by"] is None
    assert _post(client, other_agent, item, "claim").status_code == 200


def test_releasing_another_agents_claim_is_a_409(client, agent, other_agent, item):
    _post(client, agent, item, "claim")
    response = _post(client, other_agent, item, "release")
    assert response.status_code == 409 and "agent-user" in response.json["message"]


def test_a_supervisor_may_release_an_agents_claim(client, agent, staff, item):
    _post(client, agent, item, "claim")
    assert _post(client, staff("supervisor"), item, "release").status_code == 200


def test_an_agent_resolves_an_item_they_hold(client, agent, item):
    _post(client, agent, item, "claim")
    response = _post(client, agent, item, "resolve", {"note": "已回电"})
    assert (response.status_code, response.json["status"]) == (200, "resolved")


def test_an_agent_resolving_without_a_claim_is_a_409(client, agent, item, desk):
    response = _post(client, agent, item, "resolve", {"note": "已回电"})
    assert response.status_code == 409 and "claim" in response.json["message"]
    assert len(desk.get("/escalations").json["items"]) == 1


def test_an_agent_resolving_an_item_another_holds_is_a_409_naming_them(client, agent, other_agent, item):
    _post(client, agent, item, "claim")
    response = _post(client, other_agent, item, "resolve", {"note": "已回电"})
    assert response.status_code == 409 and "agent-user" in response.json["message"]


def test_an_agent_whose_claim_expired_may_not_resolve(client, agent, item, clock):
    _post(client, agent, item, "claim")
    clock.advance(minutes=20)
    assert _post(client, agent, item, "resolve", {"note": "已回电"}).status_code == 409


def test_a_supervisor_resolves_without_a_claim_even_one_held_by_another(client, agent, staff, item):
    _post(client, agent, item, "claim")
    assert _post(client, staff("supervisor"), item, "resolve", {"note": "主管处理"}).status_code == 200


def test_claiming_a_resolved_item_is_a_409(client, staff, item):
    _post(client, staff("supervisor"), item, "resolve", {"note": "主管处理"})
    assert _post(client, staff("supervisor"), item, "claim").status_code == 409


def test_an_agent_may_not_claim_an_item_of_the_supervisor_queue(client, agent, desk):
    desk.open(kind="complaint")
    [complaint] = desk.get("/escalations").json["items"]
    response = _post(client, agent, complaint["id"], "claim")
    assert response.status_code == 403 and "supervisor queue" in response.json["message"]


def test_claiming_an_unknown_item_is_a_404(client, agent):
    assert _post(client, agent, 999, "claim").status_code == 404


def test_of_two_claims_at_once_exactly_one_holds(app, item, clock):
    database = app.extensions["database"]
    outcome = {}

    def second_claim():
        with database.session() as other:
            try:
                claim_escalation(other, item, actor="agent-two", role="agent", now=clock.now())
                other.commit()
                outcome["second"] = "claimed"
            except Conflict as exc:
                outcome["second"] = exc.message

    with database.session() as first:
        claim_escalation(first, item, actor="agent-user", role="agent", now=clock.now())
        racer = threading.Thread(target=second_claim)
        racer.start()
        first.commit()
    racer.join()
    assert "claimed by agent-user" in outcome["second"]
