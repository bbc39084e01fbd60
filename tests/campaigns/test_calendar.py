"""The calendar drafts by itself: season warnings per region from the table, the cleaning drive in
February, power-off reminders before the Spring Festival from the official holiday schedule."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from app.campaigns.calendar import draft_idle_poweroff, draft_seasonal_alerts
from app.campaigns.models import Campaign
from app.campaigns.services import move
from app.errors import Conflict
from tests.conftest import SHANGHAI


def drafts(session) -> dict[str, Campaign]:
    return {c.origin_key: c for c in session.scalars(select(Campaign))}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_guangxi_is_warned_of_cooling_in_april_and_beijing_not_yet(session, policy):
    draft_seasonal_alerts(session, now=at(2026, 4, 10, 9, 0), policy=policy)
    keys = set(drafts(session))
    assert "pre_season_cooling:2026:广西壮族自治区:*" in keys
    assert not any("北京市" in key for key in keys)


def test_beijing_is_warned_in_the_two_weeks_before_late_may(session, policy):
    draft_seasonal_alerts(session, now=at(2026, 5, 15, 9, 0), policy=policy)
    campaign = drafts(session)["pre_season_cooling:2026:北京市:*"]
    assert (campaign.status, campaign.ends_by.astimezone(SHANGHAI)) == ("draft", at(2026, 5, 24, 19, 0))


def test_a_city_with_its_own_dates_is_left_out_of_its_provinces_warning(session, policy):
    draft_seasonal_alerts(session, now=at(2026, 4, 10, 9, 0), policy=policy)
    assert drafts(session)["pre_season_cooling:2026:广西壮族自治区:*"].audience["exclude_cities"] == ["桂林市"]


def test_places_without_a_summer_get_no_cooling_warning(session, policy):
    for month in range(3, 8):
        draft_seasonal_alerts(session, now=at(2026, month, 1, 9, 0), policy=policy)
        draft_seasonal_alerts(session, now=at(2026, month, 20, 9, 0), policy=policy)
    cooling = [key for key in drafts(session) if key.startswith("pre_season_cooling")]
    assert cooling and not any(p in key for key in cooling for p in ("西藏自治区", "青海省", "云南省:*"))


def test_a_rerun_drafts_nothing_twice(session, policy):
    draft_seasonal_alerts(session, now=at(2026, 4, 10, 9, 0), policy=policy)
    again = draft_seasonal_alerts(session, now=at(2026, 4, 11, 9, 0), policy=policy)
    assert again.drafted == 0


def test_the_cleaning_drive_is_drafted_in_february_for_mid_march(session, policy):
    draft_seasonal_alerts(session, now=at(2026, 2, 3, 9, 0), policy=policy)
    campaign = drafts(session)["cleaning_drive:2026"]
    assert campaign.starts_at.astimezone(SHANGHAI) == at(2026, 3, 10, 10, 0)


def test_the_spring_festival_reminder_takes_its_dates_from_the_official_schedule(session, policy):
    draft_idle_poweroff(session, now=at(2026, 1, 20, 9, 0), policy=policy)
    campaign = drafts(session)["idle_poweroff:spring_festival:2026"]
    # The 2026 holiday runs from 15 February; the reminder runs the five days before it.
    assert campaign.starts_at.astimezone(SHANGHAI) == at(2026, 2, 10, 10, 0)
    assert campaign.ends_by.astimezone(SHANGHAI) == at(2026, 2, 14, 19, 0)


def test_a_year_the_holiday_package_does_not_know_waits_with_the_reason(session, policy):
    result = draft_idle_poweroff(session, now=at(2026, 12, 3, 9, 0), policy=policy)
    campaign = drafts(session)["idle_poweroff:spring_festival:2027"]
    assert result.waiting == 1 and campaign.starts_at is None
    assert "does not know 2027" in campaign.waiting_reason


def test_a_waiting_draft_cannot_be_approved(session, policy):
    draft_idle_poweroff(session, now=at(2026, 12, 3, 9, 0), policy=policy)
    with pytest.raises(Conflict):
        move(session, drafts(session)["idle_poweroff:spring_festival:2027"], "approve", actor="li",
             role="supervisor", now=at(2026, 12, 3, 9, 0))


def test_auto_approval_approves_calendar_drafts(session, policy):
    draft_seasonal_alerts(session, now=at(2026, 4, 10, 9, 0), policy=replace(policy, auto_approve=True))
    assert drafts(session)["pre_season_cooling:2026:广西壮族自治区:*"].status == "approved"
