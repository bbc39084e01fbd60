"""The campaigns API: maker-checker, quiet hours answered plainly, preview and stats."""
from __future__ import annotations

import pytest

from app.campaigns.policy import CampaignPolicy
from app.campaigns.sending import run_campaign_dispatch
from app.staff.tokens import create_user
from tests.campaigns.conftest import make_owner

BODY = {"kind": "cleaning_drive", "name": "3·15 清洗", "template": "志高免费清洗：您的{{ product_label }}可免费清洗。",
        "audience": {"provinces": ["广西壮族自治区"]}, "starts_at": "2026-07-07T10:00:00+08:00",
        "ends_by": "2026-07-07T18:00:00+08:00", "rate_per_minute": 600}


@pytest.fixture
def token(session, clock):
    """`token(name, role)` -> headers of a new user."""
    def headers(name: str, role: str) -> dict:
        _user, raw = create_user(session, name, role, now=clock.now())
        session.commit()
        return {"Authorization": f"Bearer {raw}"}
    return headers


def draft(client, headers, **changes):
    response = client.post("/api/v1/campaigns", json={**BODY, **changes}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_a_supervisor_may_not_approve_the_campaign_they_drafted(client, token):
    boss = token("li", "supervisor")
    campaign = draft(client, boss)
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/approve", headers=boss).status_code == 403


def test_marketing_may_not_approve(client, token):
    campaign = draft(client, token("mk", "marketing"))
    assert client.post(f"/api/v1/campaigns/{campaign['id']}/approve", headers=token("mk2", "marketing")).status_code == 403


def test_another_supervisor_approves_and_the_event_names_them(client, token):
    campaign = draft(client, token("mk", "marketing"))
    response = client.post(f"/api/v1/campaigns/{campaign['id']}/approve", headers=token("li", "supervisor"))
    assert response.status_code == 200
    assert (response.json["status"], response.json["approved_by"]) == ("approved", "li")
    assert [e["type"] for e in response.json["events"]] == ["drafted", "approved"]


def test_an_agent_may_not_draft(client, token):
    assert client.post("/api/v1/campaigns", json=BODY, headers=token("ag", "agent")).status_code == 403


def test_a_start_at_21_00_is_answered_with_the_first_send_at_08_00(client, token):
    campaign = draft(client, token("mk", "marketing"), starts_at="2026-07-07T21:00:00+08:00",
                     ends_by="2026-07-08T12:00:00+08:00")
    assert campaign["first_send_at"] == "2026-07-08T08:00:00+08:00"


def test_a_window_inside_quiet_hours_is_refused_naming_ends_by(client, token):
    response = client.post("/api/v1/campaigns", headers=token("mk", "marketing"),
                           json={**BODY, "starts_at": "2026-07-07T21:00:00+08:00", "ends_by": "2026-07-07T23:00:00+08:00"})
    assert response.status_code == 400 and "ends_by" in response.json["fields"]


def test_a_template_with_a_link_is_refused_naming_template(client, token):
    response = client.post("/api/v1/campaigns", headers=token("mk", "marketing"),
                           json={**BODY, "template": "详情见 t.cn/abc"})
    assert response.status_code == 400 and "template" in response.json["fields"]


def test_an_unknown_audience_key_is_refused(client, token):
    response = client.post("/api/v1/campaigns", headers=token("mk", "marketing"),
                           json={**BODY, "audience": {"province": ["广西壮族自治区"]}})
    assert response.status_code == 400 and "audience" in response.json["fields"]


def test_the_preview_counts_and_shows_marketing_texts_with_the_refusal_line(client, token, session):
    make_owner(session, consent=True)
    make_owner(session, consent=False)
    make_owner(session, consent=True, province="北京市", city="北京市")
    session.commit()
    campaign = draft(client, token("mk", "marketing"))
    preview = client.get(f"/api/v1/campaigns/{campaign['id']}/preview", headers=token("mk2", "marketing")).json
    assert (preview["audience"], preview["excluded"]["no_consent"]) == (1, 1)
    assert preview["sample"][0]["body"].startswith("【志高】") and preview["sample"][0]["body"].endswith("回T退订")
    assert "****" in preview["sample"][0]["phone"]


def test_stats_count_the_texts_handed_over(client, token, session, app, clock):
    for _ in range(3):
        make_owner(session, consent=True)
    session.commit()
    campaign = draft(client, token("mk", "marketing"))
    client.post(f"/api/v1/campaigns/{campaign['id']}/approve", headers=token("li", "supervisor"))
    run_campaign_dispatch(app.extensions["database"], now=clock.now(), policy=app_policy(app))
    stats = client.get(f"/api/v1/campaigns/{campaign['id']}/stats", headers=token("mk2", "marketing")).json
    assert (stats["audience"], stats["queued"], stats["pending"]) == (3, 3, 0)


def app_policy(app):
    return CampaignPolicy.from_settings(app.extensions["settings"])
