"""Campaigns in the console (draft, live preview with exclusions, approval by another, pause, cancel,
progress) and the dashboard (every report of app.reports, the charts, the settlement CSV)."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.campaigns.models import Campaign
from app.messaging.models import Suppression
from tests.campaigns.conftest import make_owner

DRAFT = {"kind": "pre_season_cooling", "name": "入夏提醒", "template": "天气转热，请检查您的{{ product_label }}。",
         "provinces": "广西壮族自治区", "product_lines": "home_ac", "starts_at": "2026-07-07T10:00",
         "ends_by": "2026-07-07T18:00", "rate_per_minute": "600"}


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_live_preview_counts_the_audience_and_its_exclusions(console_staff, session, clock):
    make_owner(session)
    make_owner(session)
    refused = make_owner(session)
    session.add(Suppression(phone=refused.phones[0].e164, source="sms", created_at=clock.now()))
    make_owner(session, phone=None)
    make_owner(session, province="广东省")
    session.commit()
    mo = console_staff("marketing", "mo")
    query = "&".join(f"{k}={v}" for k, v in DRAFT.items() if k not in ("template",))
    fragment = mo.page(f"/console/campaigns/preview?{query}")
    assert '<span id="preview-audience">2</span>' in fragment
    excluded = dict(re.findall(r"<tr><td>([a-z_]+)</td><td>(\d+)</td></tr>", fragment))
    assert excluded["suppressed"] == "1" and excluded["no_mobile"] == "1"
    bad = mo.page("/console/campaigns/preview?kind=nonsense")
    assert "kind must be one of" in bad


def test_a_campaign_drafted_by_marketing_is_approved_by_a_supervisor_never_its_drafter(console_staff, session):
    make_owner(session)
    session.commit()
    mo = console_staff("marketing", "mo")
    drafted = mo.post("/console/campaigns", DRAFT, token_from="/console/campaigns/new")
    assert drafted.status_code == 302
    campaign = session.scalar(select(Campaign))
    assert (campaign.created_by, campaign.status, campaign.audience) == (
        "mo", "draft", {"product_lines": ["home_ac"], "provinces": ["广西壮族自治区"]})
    page = mo.page(f"/console/campaigns/{campaign.id}")
    assert "1 条短信将发送" in page
    assert "approval is a supervisor's or an admin's, not a marketing's" in _text(
        mo.post(f"/console/campaigns/{campaign.id}/approve", follow=True))
    sue = console_staff("supervisor", "sue")
    approved = sue.post(f"/console/campaigns/{campaign.id}/approve", follow=True)
    assert 'id="campaign-status">approved<' in _text(approved)
    session.expire_all()
    assert (session.get(Campaign, campaign.id).approved_by) == "sue"
    assert "cannot be approved" in _text(sue.post(f"/console/campaigns/{campaign.id}/approve", follow=True))
    mo.post(f"/console/campaigns/{campaign.id}/pause")
    mo.post(f"/console/campaigns/{campaign.id}/cancel")
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == "cancelled"
    assert "mo" in mo.page("/console/campaigns") and "cancelled" in mo.page("/console/campaigns")


def test_a_supervisor_may_not_approve_their_own_draft(console_staff, session):
    sue = console_staff("supervisor", "sue")
    sue.post("/console/campaigns", DRAFT, token_from="/console/campaigns/new")
    campaign = session.scalar(select(Campaign))
    text = _text(sue.post(f"/console/campaigns/{campaign.id}/approve", follow=True))
    assert "the campaign's drafter may not approve it" in text


def test_a_refused_draft_shows_the_form_again_with_the_reason(console_staff, session):
    mo = console_staff("marketing", "mo")
    for change, reason in (({"template": "详情见 t.cn/abc"}, "template"), ({"ends_by": "2026-07-07T09:00"}, "ends_by"),
                           ({"starts_at": "tomorrow"}, "starts_at"), ({"kind": "x"}, "kind must be one of"),
                           ({"rate_per_minute": "a lot"}, "rate_per_minute")):
        response = mo.post("/console/campaigns", {**DRAFT, **change}, token_from="/console/campaigns/new")
        assert response.status_code == 400 and reason in _text(response), change
        assert 'value="入夏提醒"' in _text(response)
    assert session.scalar(select(Campaign)) is None
    assert mo.client.post("/console/campaigns", data=DRAFT).status_code == 400


def test_the_dashboard_shows_the_reports_and_draws_its_charts(console_staff, new_ticket, session):
    new_ticket()
    new_ticket(kind="complaint", summary="师傅态度差")
    page = console_staff("supervisor").page("/console/dashboard")
    assert '<svg class="chart" id="chart-sla"' in page and "P-SLA-1" in page
    assert "<td>supervisor</td><td>complaint</td><td>1</td>" in page
    assert "2 张工单" in page
    english = console_staff("supervisor").page("/console/dashboard?lang=en")
    assert "SLA compliance per milestone" in english


def test_a_bad_window_is_a_400_page(console_staff):
    response = console_staff("supervisor").client.get("/console/dashboard?from=2026-07-10&to=2026-07-01")
    assert response.status_code == 400 and "from must not be after to" in _text(response)


def test_the_settlement_csv_is_the_reports_own(console_staff, session):
    from tests.factories import make_outlet

    outlet = make_outlet(session)
    session.commit()
    staff = console_staff("supervisor")
    response = staff.client.get(f"/console/reports/settlement.csv?outlet={outlet.id}&month=2026-07")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'settlement-{outlet.id}-2026-07.csv' in response.headers["Content-Disposition"]
    assert staff.client.get("/console/reports/settlement.csv?outlet=x&month=2026-07").status_code == 400
    assert staff.client.get(f"/console/reports/settlement.csv?outlet={outlet.id}&month=July").status_code == 400


def test_the_dashboard_reads_the_refresh_jobs_snapshot_with_its_time_and_a_custom_range_live(
        console_staff, new_ticket, session, clock):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from app.reports.dashboard import refresh_dashboard

    tz = ZoneInfo("Asia/Shanghai")
    new_ticket()
    staff = console_staff("supervisor")
    assert "实时计算" in staff.page("/console/dashboard") and "1 张工单" in staff.page("/console/dashboard")
    refresh_dashboard(session, now=clock.now(), tz=tz)
    session.commit()
    new_ticket(phone="13800138001")  # after the snapshot: the snapshot does not count it yet
    page = staff.page("/console/dashboard")
    assert f"数据截至 {clock.now().astimezone(tz):%H:%M}" in page and "1 张工单" in page
    today = clock.now().astimezone(tz).date()
    live = staff.page(f"/console/dashboard?from={today - timedelta(days=2)}&to={today}")  # 3 days: no snapshot
    assert "实时计算" in live and "2 张工单" in live
    assert "As of" in staff.page("/console/dashboard?lang=en")


def test_a_drafts_preview_is_counted_when_saved_shown_with_its_time_and_counted_again_on_recount(
        console_staff, session, clock, app):
    from app.campaigns.reports import preview_campaign
    from app.campaigns.policy import CampaignPolicy

    make_owner(session)
    second = make_owner(session)
    session.commit()
    mo = console_staff("marketing", "mo")
    assert mo.post("/console/campaigns", DRAFT, token_from="/console/campaigns/new").status_code == 302
    campaign = session.scalar(select(Campaign))
    assert campaign.preview_at == clock.now() and campaign.preview["audience"] == 2
    session.add(Suppression(phone=second.phones[0].e164, source="sms", created_at=clock.now()))
    session.commit()
    page = mo.page(f"/console/campaigns/{campaign.id}")  # the stored count, with its time
    assert "2 条短信将发送" in page and 'id="preview-at">统计于' in page
    recounted = _text(mo.post(f"/console/campaigns/{campaign.id}/recount", token_from=f"/console/campaigns/{campaign.id}",
                              follow=True))
    assert "1 条短信将发送" in recounted and "预览已重新统计" in recounted
    session.expire_all()
    stored = session.get(Campaign, campaign.id)
    policy = CampaignPolicy.from_settings(app.extensions["settings"])
    assert stored.preview == preview_campaign(session, stored, now=clock.now(), policy=policy)
    assert stored.preview["excluded"]["suppressed"] == 1
    assert mo.client.post(f"/console/campaigns/{campaign.id}/recount").status_code == 400  # no CSRF token
