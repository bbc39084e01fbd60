"""Sending through Alibaba: business Codes mapped to retry, permanent, suppress or halt; batches; signatures."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from app.messaging.dispatch import OutboxDispatcher
from app.messaging.models import Message, SmsBlock, Suppression
from app.messaging.outbox import queue_text
from app.messaging.policy import SendingPolicy
from tests.aliyun.conftest import PHONE

TICKET = {"ticket_number": "10012342", "kind_label": "报修", "hotline": "400 675 7888"}


def queue(session, settings, clock, phone=PHONE, key=None) -> Message:
    message = queue_text(session, phone=phone, template="ticket_created", context=TICKET, now=clock.now(),
                         dedupe_key=key, policy=SendingPolicy.from_settings(settings))
    session.commit()
    return message


def dispatcher(app, settings, clock, **overrides) -> OutboxDispatcher:
    return OutboxDispatcher(app.extensions["database"], replace(settings, **overrides), wall=clock)


def stored(session, message) -> Message:
    session.expire_all()
    return session.get(Message, message.id)


def test_a_sent_text_keeps_its_outid_key_and_alibabas_bizid(app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    assert dispatcher(app, settings, clock).run_pass()["sent"] == 1
    row, (sent,) = stored(session, message), aliyun.sent
    assert (row.status, row.sid, row.provider_ref) == ("sent", f"{sent['out_id']}/13800138000", sent["biz_id"])


def test_flow_control_is_tried_again_later(app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    aliyun.fail_next(code="isv.BUSINESS_LIMIT_CONTROL")
    assert dispatcher(app, settings, clock).run_pass()["retry"] == 1
    row = stored(session, message)
    assert row.status == "queued" and row.send_after > clock.now() and "BUSINESS_LIMIT_CONTROL" in row.error_message


def test_an_illegal_number_fails_for_good_and_blocks_the_number(app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    aliyun.fail_next(code="isv.MOBILE_NUMBER_ILLEGAL")
    assert dispatcher(app, settings, clock).run_pass()["failed"] == 1
    assert stored(session, message).status == "failed" and session.get(SmsBlock, PHONE).reason == "invalid"


def test_a_refusal_at_the_provider_suppresses_the_number_as_the_customers_own(app, session, settings, clock, aliyun):
    queue(session, settings, clock)
    aliyun.fail_next(code="isv.BLACK_LIST")
    dispatcher(app, settings, clock).run_pass()
    assert session.get(Suppression, PHONE).source == "aliyun"


def test_an_empty_balance_stops_the_dispatcher_and_leaves_the_text_queued(app, session, settings, clock, aliyun):
    first, second = queue(session, settings, clock, key="a"), queue(session, settings, clock, phone="+8613900139000")
    aliyun.fail_next(code="isv.AMOUNT_NOT_ENOUGH")
    counts = dispatcher(app, settings, clock, aliyun_batch_size=1).run_pass()
    assert counts["halt"] == 1 and counts["released"] == 1 and aliyun.sent == []
    assert [(stored(session, m).status, stored(session, m).attempts) for m in (first, second)] == [
        ("queued", 0), ("queued", 0)]


def test_a_wrong_secret_is_refused_by_the_signature_check_and_stops_the_dispatcher(app, session, settings, clock,
                                                                                   aliyun):
    message = queue(session, settings, clock)
    counts = dispatcher(app, settings, clock, aliyun_access_key_secret="not-the-secret").run_pass()
    assert counts["halt"] == 1 and aliyun.sent == [] and aliyun.requests[0]["signature_ok"] is False
    assert stored(session, message).status == "queued"


def test_texts_of_one_template_to_several_numbers_go_as_one_batch(app, session, settings, clock, aliyun):
    for n in range(3):
        queue(session, settings, clock, phone=f"+861390013900{n}")
    assert dispatcher(app, settings, clock).run_pass()["sent"] == 3
    assert [r["action"] for r in aliyun.requests] == ["SendBatchSms"]
    assert len({s["biz_id"] for s in aliyun.sent}) == 1
    rows = session.scalars(select(Message)).all()
    assert len({r.sid for r in rows}) == 3 and all(r.status == "sent" for r in rows)


def test_a_batch_refused_for_one_number_is_sent_one_by_one(app, session, settings, clock, aliyun):
    good = [queue(session, settings, clock, phone=f"+861390013900{n}") for n in range(2)]
    bad = queue(session, settings, clock, phone="+8610001390000")  # not a mobile: Alibaba refuses the whole batch
    counts = dispatcher(app, settings, clock).run_pass()
    assert (counts["sent"], counts["failed"]) == (2, 1)
    assert [r["action"] for r in aliyun.requests] == ["SendBatchSms", "SendSms", "SendSms", "SendSms"]
    assert [stored(session, m).status for m in (*good, bad)] == ["sent", "sent", "failed"]


def test_two_texts_to_one_number_never_share_a_batch(app, session, settings, clock, aliyun):
    queue(session, settings, clock, key="a")
    queue(session, settings, clock, key="b")
    assert dispatcher(app, settings, clock).run_pass()["sent"] == 2
    assert [r["action"] for r in aliyun.requests] == ["SendSms", "SendSms"]
