"""campaign_dispatch: every recipient texted once, or marked with why not, whatever happens to a run."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.campaigns.models import CampaignRecipient
from app.campaigns.sending import run_campaign_dispatch
from app.campaigns.services import move
from app.messaging.models import Message, Suppression
from tests.campaigns.conftest import T0, approved, make_owner


class Crash(Exception):
    """The dispatcher dying mid-batch."""


def texts_per_phone(session) -> dict[str, int]:
    rows = session.execute(select(Message.phone, func.count()).where(Message.direction == "out")
                           .group_by(Message.phone))
    return dict(rows.all())


def statuses(session, campaign) -> dict[str, int]:
    session.expire_all()
    rows = session.execute(select(CampaignRecipient.status, func.count())
                           .where(CampaignRecipient.campaign_id == campaign.id).group_by(CampaignRecipient.status))
    return dict(rows.all())


def owners(session, n):
    return [make_owner(session).phones[0].e164 for _ in range(n)]


def test_a_run_that_dies_mid_batch_and_is_rerun_texts_everyone_once(session, database, clock, policy):
    phones = owners(session, 30)
    campaign = approved(session, clock, rate=6000)
    handed = []

    def die_after_twelve(recipient):
        handed.append(recipient.phone)
        if len(handed) == 12:
            raise Crash

    with pytest.raises(Crash):
        run_campaign_dispatch(database, now=clock.now(), policy=policy, observer=die_after_twelve)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert texts_per_phone(session) == {phone: 1 for phone in phones}
    assert statuses(session, campaign) == {"queued": 30}


def test_texts_are_handed_over_at_the_campaign_rate(session, database, clock, policy):
    owners(session, 25)
    campaign = approved(session, clock, rate=10)
    result = run_campaign_dispatch(database, now=clock.now(), policy=policy)
    send_times = sorted(session.scalars(select(Message.send_after)))
    assert (result.started, result.queued) == (25, 11)  # rows written; now and every 6 s for a minute ahead
    assert all(b - a == timedelta(seconds=6) for a, b in zip(send_times, send_times[1:]))
    clock.advance(seconds=60)
    assert run_campaign_dispatch(database, now=clock.now(), policy=policy).queued == 10
    assert statuses(session, campaign) == {"queued": 21, "pending": 4}


def test_pause_stops_handing_over_and_resume_goes_on_without_repeats(session, database, clock, policy):
    phones = owners(session, 20)
    campaign = approved(session, clock, rate=10)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    move(session, campaign, "pause", actor="boss", role="supervisor", now=clock.now())
    session.commit()
    clock.advance(minutes=5)
    assert run_campaign_dispatch(database, now=clock.now(), policy=policy).queued == 0
    move(session, campaign, "resume", actor="boss", role="supervisor", now=clock.now())
    session.commit()
    for _ in range(3):
        run_campaign_dispatch(database, now=clock.now(), policy=policy)
        clock.advance(minutes=1)
    assert texts_per_phone(session) == {phone: 1 for phone in phones}


def test_cancel_marks_the_unsent_and_sends_nothing_more(session, database, clock, policy):
    owners(session, 20)
    campaign = approved(session, clock, rate=10)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    move(session, campaign, "cancel", actor="boss", role="supervisor", now=clock.now())
    session.commit()
    clock.advance(minutes=5)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert statuses(session, campaign) == {"queued": 11, "cancelled": 9}


def test_what_is_unsent_at_ends_by_expires_and_is_withdrawn_from_the_outbox(session, database, clock, policy):
    owners(session, 20)
    campaign = approved(session, clock, rate=10, hours=1)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    clock.advance(hours=1)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    session.expire_all()
    assert campaign.status == "done"
    assert statuses(session, campaign) == {"queued": 11, "expired": 9}
    assert set(session.scalars(select(Message.status))) == {"expired"}  # none was sent: none goes late


def test_nothing_is_handed_over_in_quiet_hours_and_the_morning_takes_it_up(session, database, clock, policy):
    owners(session, 3)
    clock.set(clock.now().replace(hour=21))
    campaign = approved(session, clock, kind="recall", template="志高安全召回通知：请停用并致电。", hours=20)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert statuses(session, campaign) == {"pending": 3}
    clock.set(clock.now().replace(hour=8) + timedelta(days=1))
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert statuses(session, campaign) == {"queued": 3}


def test_a_number_texted_by_one_campaign_is_capped_for_the_next(session, database, clock, policy):
    owners(session, 2)
    first = approved(session, clock)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    clock.advance(days=2)
    second = approved(session, clock, kind="idle_poweroff", template="请断电。")
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert statuses(session, first) == {"queued": 2}
    assert statuses(session, second) == {"excluded": 2}


def test_a_recall_is_not_capped(session, database, clock, policy):
    owners(session, 2)
    approved(session, clock)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    recall = approved(session, clock, kind="recall", template="志高安全召回通知：请停用并致电。")
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert statuses(session, recall) == {"queued": 2}


def test_a_refusal_after_the_recipients_were_written_is_honoured_before_the_next_batch(session, database, clock, policy):
    phones = owners(session, 15)
    campaign = approved(session, clock, rate=10)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    late = sorted(phones)[-1]
    session.add(Suppression(phone=late, source="sms", reason="退订", created_at=T0))
    session.commit()
    clock.advance(minutes=1)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert late not in texts_per_phone(session)
    assert statuses(session, campaign) == {"queued": 14, "excluded": 1}


def test_a_recall_calls_owners_who_refused_texts_or_have_no_mobile(session, database, clock, policy):
    make_owner(session)
    refused = make_owner(session)
    session.add(Suppression(phone=refused.phones[0].e164, source="sms", reason="退订", created_at=T0))
    make_owner(session, phone="+867712345678", kind="fixed_line")
    recall = approved(session, clock, kind="recall", template="志高安全召回通知：请停用并致电。")
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert statuses(session, recall) == {"queued": 1, "excluded": 2}
    reasons = set(session.scalars(select(CampaignRecipient.reason).where(CampaignRecipient.status == "excluded")))
    assert reasons == {"needs_call"}


def test_a_campaign_pauses_itself_when_too_much_of_a_batch_failed(session, database, clock, policy):
    owners(session, 30)
    campaign = approved(session, clock, rate=10)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    first_batch = select(CampaignRecipient.message_id).where(CampaignRecipient.batch == 1)
    failed = list(session.scalars(first_batch))[:3]
    session.execute(Message.__table__.update().where(Message.id.in_(failed)).values(status="failed"))
    session.execute(Message.__table__.update().where(Message.id.in_(first_batch), Message.status == "queued")
                    .values(status="delivered"))
    session.commit()
    clock.advance(minutes=1)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    session.expire_all()
    assert campaign.status == "paused" and "batch 1" in campaign.paused_reason
    assert statuses(session, campaign)["pending"] == 19


def test_an_owner_who_refuses_texts_during_a_recall_is_called_instead(session, database, clock, policy):
    phones = owners(session, 15)
    recall = approved(session, clock, kind="recall", template="志高安全召回通知：请停用并致电。", rate=10)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    late = sorted(phones)[-1]
    session.add(Suppression(phone=late, source="sms", reason="退订", created_at=T0))
    session.commit()
    clock.advance(minutes=1)
    run_campaign_dispatch(database, now=clock.now(), policy=policy)
    assert late not in texts_per_phone(session)
    row = session.scalar(select(CampaignRecipient).where(CampaignRecipient.phone == late))
    assert (row.status, row.reason) == ("excluded", "needs_call")
