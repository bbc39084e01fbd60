"""Who a campaign reaches, and who is left out and why (one test per rule, on both databases)."""
from __future__ import annotations

from datetime import date, timedelta

from app.campaigns.audience import Audience, Rules, count_audience
from app.campaigns.models import CampaignRecipient
from app.messaging.models import SmsBlock, Suppression
from tests.campaigns.conftest import T0, approved, make_owner


def preview(session, clock, audience=Audience(), kind="pre_season_cooling"):
    now = clock.now()
    return count_audience(session, audience, Rules(kind=kind, now=now, today=now.date(), cap_days=7))


def test_a_suppressed_number_is_left_out_of_a_service_notice(session, clock):
    make_owner(session)
    refused = make_owner(session)
    session.add(Suppression(phone=refused.phones[0].e164, source="sms", reason="退订", created_at=T0))
    result = preview(session, clock)
    assert (result.audience, result.excluded["suppressed"]) == (1, 1)


def test_an_owner_with_only_a_landline_counts_as_no_mobile(session, clock):
    make_owner(session)
    make_owner(session, phone="+867712345678", kind="fixed_line")
    make_owner(session, phone=None)
    result = preview(session, clock)
    assert (result.audience, result.excluded["no_mobile"]) == (1, 2)


def test_a_mobile_twilio_called_a_landline_counts_as_no_mobile(session, clock):
    blocked = make_owner(session)
    session.add(SmsBlock(phone=blocked.phones[0].e164, reason="landline", error_code=21614, created_at=T0))
    result = preview(session, clock)
    assert (result.audience, result.excluded["no_mobile"]) == (0, 1)


def test_an_owner_of_three_units_gets_one_text(session, clock):
    make_owner(session, units=3)
    result = preview(session, clock)
    assert (result.audience, result.excluded["duplicate_phone"]) == (1, 2)


def test_marketing_reaches_only_recorded_consent(session, clock):
    make_owner(session, consent=True)
    make_owner(session, consent=False)
    result = preview(session, clock, kind="cleaning_drive")
    assert (result.audience, result.excluded["no_consent"]) == (1, 1)


def test_a_service_notice_needs_no_consent(session, clock):
    make_owner(session, consent=False)
    assert preview(session, clock, kind="idle_poweroff").audience == 1


def test_region_filters_by_province_and_city(session, clock):
    make_owner(session, province="广西壮族自治区", city="南宁市")
    make_owner(session, province="广西壮族自治区", city="桂林市")
    make_owner(session, province="北京市", city="北京市")
    assert preview(session, clock, Audience(provinces=("广西壮族自治区",))).audience == 2
    assert preview(session, clock, Audience(cities=("桂林市",))).audience == 1
    assert preview(session, clock, Audience(provinces=("广西壮族自治区",), exclude_cities=("桂林市",))).audience == 1


def test_serial_range_and_model_pick_the_recalled_units(session, clock):
    for serial in ("KF2025A0001", "KF2025A0500", "KF2025A0999", "KF2026B0001"):
        make_owner(session, serial=serial, model="KFR-72LW")
    make_owner(session, serial="KF2025A0600", model="KFR-35GW")
    audience = Audience(models=("KFR-72LW",), serial_from="KF2025A0500", serial_to="KF2025A0999")
    assert preview(session, clock, audience, kind="recall").audience == 2


def test_install_dates_and_warranty_narrow_the_audience(session, clock):
    make_owner(session, installed_on=date(2025, 6, 1))
    make_owner(session, installed_on=date(2012, 6, 1))  # long out of warranty
    assert preview(session, clock, Audience(installed_from=date(2025, 1, 1))).audience == 1
    assert preview(session, clock, Audience(in_warranty_only=True)).audience == 1


def test_a_number_handed_a_capped_text_within_the_cap_is_left_out(session, clock):
    texted = make_owner(session)
    make_owner(session)
    earlier = approved(session, clock)
    session.add(CampaignRecipient(campaign_id=earlier.id, phone=texted.phones[0].e164, customer_id=texted.id,
                                  unit_id=0, status="queued", capped=True, queued_at=clock.now() - timedelta(days=6)))
    result = preview(session, clock)
    assert (result.audience, result.excluded["frequency_cap"]) == (1, 1)


def test_the_cap_lapses_after_its_days(session, clock):
    texted = make_owner(session)
    earlier = approved(session, clock)
    session.add(CampaignRecipient(campaign_id=earlier.id, phone=texted.phones[0].e164, customer_id=texted.id,
                                  unit_id=0, status="queued", capped=True, queued_at=clock.now() - timedelta(days=8)))
    assert preview(session, clock).audience == 1
