"""Exactly once through Alibaba: an uncertain send is looked up with QuerySendDetails before anything is resent."""
from __future__ import annotations

from datetime import timedelta

from app.database import begin_write
from app.messaging.claims import claim_due
from app.messaging.dispatch import OutboxDispatcher
from app.messaging.models import Message
from tests.aliyun.test_sending import queue, stored

PAST_GRACE = timedelta(seconds=60 + 120 + 1)  # default lease and grace


def make(app, settings, clock) -> OutboxDispatcher:
    return OutboxDispatcher(app.extensions["database"], settings, wall=clock)


def test_a_text_sent_before_alibabas_answer_failed_is_found_and_never_sent_again(app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    aliyun.fail_next(http_status=500, after_send=True)
    dispatcher = make(app, settings, clock)
    assert dispatcher.run_pass()["unknown"] == 1
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.run_pass()["found"] == 1
    dispatcher.run_pass()
    row = stored(session, message)
    assert len(aliyun.sent) == 1 and (row.status, row.reconciliation) == ("delivered", "found")
    assert row.sid == f"{aliyun.sent[0]['out_id']}/13800138000"
    assert any(r["action"] == "QuerySendDetails" and r["signature_ok"] for r in aliyun.requests)


def test_a_text_alibaba_never_sent_is_sent_once_after_the_lookup_proves_it(app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    aliyun.fail_next(http_status=500)  # refused before sending, but the dispatcher cannot know
    dispatcher = make(app, settings, clock)
    dispatcher.run_pass()
    assert aliyun.sent == []
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.reconcile() == {"resent": 1}
    clock.advance(hours=2)  # past the backoff
    dispatcher.run_pass()
    assert len(aliyun.sent) == 1 and stored(session, message).status == "sent"


def test_a_dispatcher_that_died_after_alibaba_sent_is_settled_by_the_outid_it_wrote_first(
        app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    dispatcher = make(app, settings, clock)
    claim, _settled = dispatcher.claim()  # claimed, OutId written, committed
    dispatcher.backend.send_group(claim.texts)  # Alibaba sent it; the answer was never written
    assert stored(session, message).status == "sending"
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.run_pass()["found"] == 1
    assert len(aliyun.sent) == 1 and stored(session, message).reconciliation == "found"


def test_alibaba_unreachable_for_the_lookup_leaves_the_row_unsent_until_it_answers(
        app, session, settings, clock, aliyun):
    message = queue(session, settings, clock)
    dispatcher = make(app, settings, clock)
    begin_write(session)
    claim_due(session, now=clock.now(), token="dead", limit=10, lease=timedelta(seconds=60), quiet_hours=None)
    session.commit()
    aliyun.stop()
    clock.advance(seconds=PAST_GRACE.total_seconds())
    assert dispatcher.reconcile() == {"lookup_failed": 1}
    assert stored(session, message).status == "sending" and aliyun.sent == []
    session.expire_all()
    assert session.get(Message, message.id).error_message.startswith("reconciliation lookup failed")
