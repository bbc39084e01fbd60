"""The SMS webhooks as Twilio calls them: signed, idempotent, answering TwiML or 200."""
from __future__ import annotations

from sqlalchemy import func, select

from app.escalations.models import Escalation
from app.messaging.models import Message, Suppression
from app.messaging.outbox import queue_text

PHONE = "+8613800138000"
SID = "SM" + "1" * 32


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_an_unsigned_text_is_refused_and_stores_nothing(session, twilio_post):
    params = {"MessageSid": SID, "From": PHONE, "To": "+864006757888", "Body": "退订"}
    assert twilio_post("/twilio/sms", params, token_ok=False, base="https://cc.example.com").status_code == 403
    assert count(session, Message) == 0 and count(session, Suppression) == 0


def test_a_text_is_answered_with_empty_twiml(text_in):
    answer = text_in("空调不制冷")
    assert answer.status_code == 200 and answer.mimetype == "text/xml"
    assert answer.get_data(as_text=True).endswith("<Response />")


def test_a_retried_webhook_creates_nothing_twice(session, text_in):
    text_in("空调不制冷")
    text_in("空调不制冷")
    assert count(session, Message) == 1 and count(session, Escalation) == 1


def test_an_opt_out_reply_goes_through_the_outbox_not_the_twiml(session, text_in):
    answer = text_in("ＴＤ")
    assert "<Message" not in answer.get_data(as_text=True)
    assert session.get(Suppression, PHONE) is not None
    reply = session.scalar(select(Message).where(Message.direction == "out"))
    assert (reply.template, reply.status) == ("opt_out_confirmed", "queued")


def test_the_confirmation_names_the_hotline_the_customer_texted(session, text_in):
    text_in("退订", To="+15005550006", ForwardedFrom="+864000757112")
    reply = session.scalar(select(Message).where(Message.direction == "out"))
    assert "400 075 7112" in reply.body


def test_a_registered_reply_handler_receives_the_text(app, session, text_in):
    app.extensions["sms_reply_handlers"].append(lambda s, inbound: inbound.body.strip() == "5")
    text_in("5")
    assert count(session, Escalation) == 0


def test_a_text_nobody_handles_reaches_the_staff_inbox(client, agent, text_in):
    text_in("师傅什么时候到？")
    (item,) = client.get("/api/v1/escalations?queue=staff_inbox", headers=agent).json["items"]
    assert item["reason"] == "sms_inbound" and "师傅什么时候到" in item["detail"]


def test_an_internal_error_still_keeps_the_text_for_staff_and_answers_twiml(session, text_in, monkeypatch):
    import app.webhooks.sms as webhook

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(webhook, "receive_text", broken)
    answer = text_in("空调漏水")
    assert answer.status_code == 200 and answer.mimetype == "text/xml"
    assert session.scalar(select(Message.body)) == "空调漏水"
    assert session.scalar(select(Escalation.reason)) == "sms_unprocessed"


def test_a_text_without_message_sid_is_a_bad_request(signed_post):
    assert signed_post("/twilio/sms", {"From": PHONE, "Body": "hi"}).status_code == 400


def test_the_inbound_text_shows_in_the_messages_api(client, agent, text_in):
    text_in("你好")
    (item,) = client.get(f"/api/v1/messages?phone={PHONE}", headers=agent).json["items"]
    assert (item["direction"], item["body"], item["sid"]) == ("in", "你好", SID)


def sent_text(session, clock, sid="SM" + "9" * 32) -> Message:
    message = queue_text(session, phone=PHONE, template="ticket_resolved", context={"ticket_number": "10012342"},
                         now=clock.now())
    message.status, message.sid, message.twilio_status = "sent", sid, "queued"
    session.commit()
    return message


def status(signed_post, sid, value, **extra):
    return signed_post("/twilio/sms/status", {"MessageSid": sid, "MessageStatus": value, "To": PHONE, **extra})


def test_an_unsigned_status_callback_is_refused(session, clock, twilio_post):
    message = sent_text(session, clock)
    params = {"MessageSid": message.sid, "MessageStatus": "delivered"}
    assert twilio_post("/twilio/sms/status", params, token_ok=False, base="https://cc.example.com").status_code == 403
    session.expire_all()
    assert session.get(Message, message.id).status == "sent"


def test_delivered_after_sent_and_sent_after_delivered_leave_it_delivered(session, clock, signed_post):
    message = sent_text(session, clock)
    for value in ("delivered", "sent", "sent"):
        assert status(signed_post, message.sid, value).status_code == 200
    session.expire_all()
    assert session.get(Message, message.id).status == "delivered"


def test_an_error_code_in_a_callback_is_kept(session, clock, signed_post):
    message = sent_text(session, clock)
    status(signed_post, message.sid, "undelivered", ErrorCode="30005")
    session.expire_all()
    stored = session.get(Message, message.id)
    assert (stored.status, stored.error_code) == ("undelivered", 30005)


def test_an_unknown_sid_is_answered_200_and_logged_masked(signed_post, caplog):
    caplog.set_level("INFO")
    assert status(signed_post, "SM" + "0" * 32, "delivered").status_code == 200
    assert "unknown message" in caplog.text and "+86138****8000" in caplog.text and PHONE not in caplog.text


def test_a_status_callback_without_its_fields_is_a_bad_request(signed_post):
    assert signed_post("/twilio/sms/status", {"MessageSid": "SMx"}).status_code == 400
