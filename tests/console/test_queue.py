"""The escalation queue in the console: oldest first, masked numbers, the clock at stake; claims through
the API's lease (one holder, double clicks renew), resolving with a note; refusals shown, never a 500."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.escalations.models import Escalation
from app.escalations.services import raise_escalation


def _item(session, clock, ticket, *, queue: str = "agent", reason: str = "respond_breached", minutes_ago: int = 0):
    escalation = raise_escalation(session, reason=reason, queue=queue, now=clock.now() - timedelta(minutes=minutes_ago),
                                  dedupe_key=f"test:{ticket.id}:{reason}", ticket_id=ticket.id)
    session.commit()
    return escalation


def test_the_queue_is_oldest_first_with_masked_numbers_and_the_clock_at_stake(console_staff, new_ticket, session, clock):
    newer = _item(session, clock, new_ticket(phone="13800138000"), minutes_ago=5)
    older = _item(session, clock, new_ticket(phone="13912345678"), minutes_ago=50)
    page = console_staff("agent").page("/console/escalations")
    assert page.index(f'id="escalation-{older.id}"') < page.index(f'id="escalation-{newer.id}"')
    assert "138****8000" in page and "139****5678" in page
    assert "13800138000" not in page and "13912345678" not in page
    # A repair received now owes its response within the hour (P-SLA-1): 3600 s left, from the server's due time.
    assert 'data-due="2026-07-07T03:00:00+00:00"' in page and ">3600s<" in page


def test_a_supervisors_queue_is_not_shown_to_an_agent(console_staff, new_ticket, session, clock):
    _item(session, clock, new_ticket(), queue="supervisor", reason="complaint")
    assert "complaint" not in console_staff("agent").page("/console/escalations")
    assert "complaint" in console_staff("supervisor").page("/console/escalations")


def test_claim_then_resolve_with_a_note(console_staff, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    amy = console_staff("agent", "amy")
    claimed = amy.post(f"/console/escalations/{item.id}/claim", follow=True)
    assert "已认领" in claimed.get_data(as_text=True)
    no_note = amy.post(f"/console/escalations/{item.id}/resolve", {"note": " "}, follow=True)
    assert "请填写说明" in no_note.get_data(as_text=True)
    done = amy.post(f"/console/escalations/{item.id}/resolve", {"note": "回电客户，已改约"}, follow=True)
    assert done.status_code == 200 and "已处理" in done.get_data(as_text=True)
    session.expire_all()
    row = session.get(Escalation, item.id)
    assert (row.status, row.resolved_by, row.resolution_note) == ("resolved", "amy", "回电客户，已改约")
    again = amy.post(f"/console/escalations/{item.id}/resolve", {"note": "again"}, follow=True)
    assert "already resolved by amy" in again.get_data(as_text=True)


def test_two_agents_claim_one_item_and_the_second_is_told_who_holds_it(console_staff, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    amy, bob = console_staff("agent", "amy"), console_staff("agent", "bob")
    assert amy.post(f"/console/escalations/{item.id}/claim").status_code == 302
    refused = bob.post(f"/console/escalations/{item.id}/claim", follow=True).get_data(as_text=True)
    assert f"escalation {item.id} is claimed by amy" in refused
    assert "bob" not in (session.scalar(select(Escalation.claimed_by).where(Escalation.id == item.id)) or "")
    resolve = bob.post(f"/console/escalations/{item.id}/resolve", {"note": "mine"}, follow=True)
    assert "claimed by amy" in resolve.get_data(as_text=True)
    session.expire_all()
    assert session.get(Escalation, item.id).status == "open"


def test_a_double_click_on_claim_is_one_claim_renewed(console_staff, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    amy = console_staff("agent", "amy")
    amy.post(f"/console/escalations/{item.id}/claim")
    clock.advance(minutes=1)
    second = amy.post(f"/console/escalations/{item.id}/claim", follow=True)
    assert "已认领" in second.get_data(as_text=True)
    session.expire_all()
    row = session.get(Escalation, item.id)
    assert row.claimed_by == "amy" and row.claimed_until == clock.now() + timedelta(minutes=15)


def test_release_frees_the_item_for_the_next_agent(console_staff, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    amy, bob = console_staff("agent", "amy"), console_staff("agent", "bob")
    amy.post(f"/console/escalations/{item.id}/claim")
    refused = bob.post(f"/console/escalations/{item.id}/release", follow=True).get_data(as_text=True)
    assert "claimed by amy" in refused
    amy.post(f"/console/escalations/{item.id}/release")
    assert "已认领" in bob.post(f"/console/escalations/{item.id}/claim", follow=True).get_data(as_text=True)


def test_an_unknown_item_is_a_message_not_a_500(console_staff):
    response = console_staff("agent").post("/console/escalations/999/claim", follow=True)
    assert response.status_code == 200 and "no escalation 999" in response.get_data(as_text=True)


def test_a_claim_without_the_csrf_token_is_400_and_changes_nothing(console_staff, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    amy = console_staff("agent", "amy")
    for data in ({}, {"csrf_token": "forged"}):
        response = amy.client.post(f"/console/escalations/{item.id}/claim", data=data)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Escalation, item.id).claimed_by is None


def test_another_sessions_token_is_not_this_sessions(console_staff, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    amy, bob = console_staff("agent", "amy"), console_staff("agent", "bob")
    from tests.console.conftest import csrf_token

    bobs = csrf_token(bob.client, "/console/escalations")
    assert amy.client.post(f"/console/escalations/{item.id}/claim", data={"csrf_token": bobs}).status_code == 400
    session.expire_all()
    assert session.get(Escalation, item.id).claimed_by is None


def test_the_webhooks_and_the_bearer_api_need_no_csrf_token(client, agent, new_ticket, session, clock):
    item = _item(session, clock, new_ticket())
    assert client.post(f"/api/v1/escalations/{item.id}/claim", headers=agent).status_code == 200
