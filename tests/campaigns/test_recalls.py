"""Recalls (P-CARE-3): owners no text reaches are called through Twilio (the real SDK against the
stand-in) once each, at the campaign's rate; an answer by text or key 1 logs one repair ticket
linked to the recall; the stats count called, reached, answered and fixed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.campaigns.models import CampaignRecipient
from app.campaigns.reports import stats
from app.campaigns.services import move
from app.config import DEFAULT_HOTLINES, Settings
from app.messaging.models import Message, Suppression
from app.tickets.models import Ticket
from scheduler.jobs import JOBS, JobContext
from tests.campaigns.conftest import T0, approved, make_owner
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN

PUBLIC = "https://cc.example.com"
LINE = "+12025550100"  # the Twilio number the home-AC hotline forwards to
RECALL = "志高安全召回通知：您的{{ product_label }}需免费检修，请回复1或预约。"
SHORT = timedelta(hours=8)


@pytest.fixture
def settings(database_url, standin) -> Settings:
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID, twilio_auth_token=TWILIO_TEST_TOKEN,
                    sms_backend="log", twilio_api_url=standin.url, public_base_url=PUBLIC, voice_backend="twilio",
                    hotlines={**DEFAULT_HOTLINES, LINE: "home_ac"})


@pytest.fixture
def dispatch(app, settings):
    """`dispatch(when)`: the job campaign_dispatch as the scheduler runs it."""
    context = JobContext(app.extensions["database"], settings)
    return lambda when: JOBS["campaign_dispatch"](context, when)


@pytest.fixture
def post(twilio_post):
    return lambda path, params: twilio_post(path, params, base=PUBLIC)


def refusing_owner(session):
    owner = make_owner(session)
    session.add(Suppression(phone=owner.phones[0].e164, source="sms", reason="退订", created_at=T0))
    return owner


def landline_owner(session, n: int):
    return make_owner(session, phone=f"+8677123456{n:02d}", kind="fixed_line")


def rows(session, campaign):
    session.expire_all()
    return list(session.scalars(select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
                                .order_by(CampaignRecipient.id)))


def called(session, campaign):
    return [r for r in rows(session, campaign) if r.reason == "needs_call"]


def test_owners_who_refused_texts_or_have_no_mobile_are_called_once_from_the_hotlines_number(
        session, clock, standin, dispatch):
    make_owner(session)
    refused, landline = refusing_owner(session), landline_owner(session, 1)
    recall = approved(session, clock, kind="recall", template=RECALL, hours=8)
    dispatch(clock.now())
    dispatch(clock.now() + timedelta(minutes=5))
    calls = sorted(standin.calls, key=lambda c: c["to"])
    assert [c["to"] for c in calls] == sorted([refused.phones[0].e164, landline.phones[0].e164])
    by_phone = {r.phone: r for r in called(session, recall)}
    for call in calls:
        row = by_phone[call["to"]]
        assert call["from"] == LINE and (row.call_status, row.call_sid) == ("placed", call["sid"])
        assert call["url"] == f"{PUBLIC}/twilio/voice/recall?r={row.id}"
        assert call["status_callback"] == f"{PUBLIC}/twilio/voice/recall/status?r={row.id}"
    assert texts(session) == {make_owner_phone(session, recall): 1}


def texts(session) -> dict[str, int]:
    return dict(session.execute(select(Message.phone, func.count()).where(Message.direction == "out")
                                .group_by(Message.phone)).all())


def make_owner_phone(session, campaign) -> str:
    [row] = [r for r in rows(session, campaign) if r.status == "queued"]
    return row.phone


def test_calls_are_placed_at_the_campaigns_rate(session, clock, standin, dispatch):
    for n in range(5):
        landline_owner(session, n)
    approved(session, clock, kind="recall", template=RECALL, rate=2)
    dispatch(clock.now())
    assert len(standin.calls) == 1
    dispatch(clock.now() + timedelta(minutes=1))
    assert len(standin.calls) == 3
    dispatch(clock.now() + timedelta(minutes=1))  # the same minute again: nothing more is due
    assert len(standin.calls) == 3


def test_quiet_hours_hold_the_calls_until_the_morning(session, clock, standin, dispatch):
    landline_owner(session, 1)
    clock.set(clock.now().replace(hour=21))
    recall = approved(session, clock, kind="recall", template=RECALL, hours=14)
    dispatch(clock.now())
    assert standin.calls == [] and called(session, recall)[0].call_status is None
    dispatch(clock.now().replace(hour=8) + timedelta(days=1))
    assert len(standin.calls) == 1


def test_a_recall_is_done_only_when_its_calls_are_placed(session, clock, standin, dispatch):
    landline_owner(session, 1)
    landline_owner(session, 2)
    recall = approved(session, clock, kind="recall", template=RECALL, rate=1)
    dispatch(clock.now())
    session.expire_all()
    assert recall.status == "running"
    dispatch(clock.now() + timedelta(minutes=1))
    dispatch(clock.now() + timedelta(minutes=2))
    session.expire_all()
    assert recall.status == "done" and len(standin.calls) == 2


def test_cancel_and_ends_by_leave_the_unplaced_calls_unplaced_and_say_why(session, clock, standin, dispatch):
    for n in range(3):
        landline_owner(session, n)
    cancelled = approved(session, clock, kind="recall", template=RECALL, rate=1)
    dispatch(clock.now())
    move(session, cancelled, "cancel", actor="boss", role="supervisor", now=clock.now())
    session.commit()
    dispatch(clock.now() + timedelta(minutes=5))
    assert len(standin.calls) == 1
    assert sorted(r.call_status for r in called(session, cancelled)) == ["cancelled", "cancelled", "placed"]


def test_unplaced_calls_expire_at_ends_by(session, clock, standin, dispatch):
    for n in range(3):
        landline_owner(session, n)
    recall = approved(session, clock, kind="recall", template=RECALL, rate=1, hours=1)
    dispatch(clock.now())
    dispatch(clock.now() + timedelta(hours=1))
    assert len(standin.calls) == 1
    assert sorted(r.call_status for r in called(session, recall)) == ["expired", "expired", "placed"]


def test_a_call_twilio_refuses_is_marked_refused_and_not_placed_again(session, clock, standin, dispatch):
    landline_owner(session, 1)
    standin.fail_next(resource="Calls", http_status=400, code=21215)
    recall = approved(session, clock, kind="recall", template=RECALL)
    dispatch(clock.now())
    dispatch(clock.now() + timedelta(minutes=5))
    assert [r.call_status for r in called(session, recall)] == ["refused"]
    assert len([r for r in standin.requests if r["path"].endswith("/Calls.json")]) == 1


def placed(session, clock, standin, dispatch):
    landline_owner(session, 1)
    recall = approved(session, clock, kind="recall", template=RECALL)
    dispatch(clock.now())
    [call] = standin.calls
    [row] = called(session, recall)
    return recall, row, {"CallSid": call["sid"], "From": LINE, "To": row.phone, "AccountSid": TWILIO_TEST_SID}


def test_the_call_says_the_recall_and_listens_for_key_1(session, clock, standin, dispatch, post):
    recall, row, call = placed(session, clock, standin, dispatch)
    answer = post(f"/twilio/voice/recall?r={row.id}", {**call, "CallStatus": "in-progress"})
    xml = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<Gather" in xml and f"/twilio/voice/recall/key?r={row.id}" in xml
    assert "需免费检修" in xml and "家用空调" in xml and "请按1" in xml and 'language="zh-CN"' in xml
    assert xml.index("</Gather>") < xml.index("<Hangup")  # silence falls through to the hotline, then ends
    assert rows(session, recall)[0].reached_at is not None


def test_key_1_logs_one_repair_ticket_linked_to_the_recall_even_pressed_twice(session, clock, standin, dispatch, post):
    recall, row, call = placed(session, clock, standin, dispatch)
    first = post(f"/twilio/voice/recall/key?r={row.id}", {**call, "Digits": "1"})
    second = post(f"/twilio/voice/recall/key?r={row.id}", {**call, "Digits": "1"})
    [ticket] = session.scalars(select(Ticket))
    assert (ticket.kind, ticket.unit_id, ticket.source) == ("repair", row.unit_id, "voice")
    assert ticket.number in first.get_data(as_text=True) and ticket.number in second.get_data(as_text=True)
    assert rows(session, recall)[0].ticket_id == ticket.id


def test_another_key_logs_nothing_and_gives_the_hotline(session, clock, standin, dispatch, post):
    _recall, row, call = placed(session, clock, standin, dispatch)
    answer = post(f"/twilio/voice/recall/key?r={row.id}", {**call, "Digits": "2"})
    assert "400" in answer.get_data(as_text=True) and session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_webhooks_refuse_a_bad_signature_and_a_call_that_is_not_the_rows(
        session, clock, standin, dispatch, post, twilio_post):
    _recall, row, call = placed(session, clock, standin, dispatch)
    assert twilio_post(f"/twilio/voice/recall/key?r={row.id}", {**call, "Digits": "1"}, token_ok=False,
                       base=PUBLIC).status_code == 403
    assert post(f"/twilio/voice/recall/key?r={row.id}", {**call, "CallSid": "CA" + "f" * 32,
                                                          "Digits": "1"}).status_code == 404
    assert post("/twilio/voice/recall?r=99999999", call).status_code == 404
    assert post("/twilio/voice/recall?r=abc", call).status_code == 404
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_status_callback_records_the_calls_end(session, clock, standin, dispatch, post):
    recall, row, call = placed(session, clock, standin, dispatch)
    assert post(f"/twilio/voice/recall/status?r={row.id}", {**call, "CallStatus": "no-answer"}).status_code == 200
    got = rows(session, recall)[0]
    assert (got.call_status, got.reached_at) == ("no-answer", None)


def inbound(post, phone: str, body: str, sid: str):
    return post("/twilio/sms", {"MessageSid": sid, "From": phone, "To": LINE, "Body": body,
                                "AccountSid": TWILIO_TEST_SID})


@pytest.mark.parametrize("word", ["1", "预约", "１"])
def test_a_text_answer_logs_one_ticket_linked_to_the_recall(session, clock, standin, dispatch, post, word):
    owner = make_owner(session)
    recall = approved(session, clock, kind="recall", template=RECALL)
    dispatch(clock.now())
    phone = owner.phones[0].e164
    inbound(post, phone, word, "SM" + "1" * 32)
    inbound(post, phone, "预约", "SM" + "2" * 32)  # asked twice: still one ticket
    [ticket] = session.scalars(select(Ticket))
    [row] = rows(session, recall)
    assert (row.ticket_id, ticket.source, ticket.phone) == (ticket.id, "sms", phone)


def test_a_1_from_a_number_no_recall_reached_is_not_a_recall_answer(session, clock, standin, dispatch, post):
    owner = make_owner(session)
    inbound(post, owner.phones[0].e164, "1", "SM" + "3" * 32)
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_stats_count_called_reached_answered_and_fixed(session, clock, standin, dispatch, post, staff, client):
    texted = make_owner(session)
    recall, row, call = placed(session, clock, standin, dispatch)
    post(f"/twilio/voice/recall?r={row.id}", call)
    post(f"/twilio/voice/recall/key?r={row.id}", {**call, "Digits": "1"})
    inbound(post, texted.phones[0].e164, "预约", "SM" + "4" * 32)
    counts = stats(session, recall)
    assert (counts["called"], counts["reached"], counts["answered"], counts["fixed"]) == (1, 2, 2, 0)
    ticket = session.get(Ticket, rows(session, recall)[-1].ticket_id)
    session.execute(Ticket.__table__.update().where(Ticket.id == ticket.id)
                    .values(status="resolved", resolved_at=clock.now()))
    session.commit()
    api = client.get(f"/api/v1/campaigns/{recall.id}/stats", headers=staff("marketing")).get_json()
    assert (api["called"], api["answered"], api["fixed"]) == (1, 2, 1)
