"""The issue's acceptance: real SDK, the stand-in, the API, the webhooks, the job; both databases."""
from __future__ import annotations

from app.messaging.outbox import queue_text
from tests.sms.conftest import PUBLIC

PHONE = "+8613800138000"
CONTEXT = {"serial_tail": "8321", "hotline": "400 675 7888", "season_label": "制冷"}


def message_posts(standin) -> list[dict]:
    return [r for r in standin.requests if r["method"] == "POST" and r["path"].endswith("/Messages.json")]


def test_a_ticket_from_the_api_is_texted_once_and_its_delivery_shows_in_the_messages_api(
        client, agent, standin, dispatch, signed_post):
    created = client.post("/api/v1/tickets", headers=agent,
                          json={"kind": "repair", "product_line": "home_ac", "phone": "138 0013 8000"})
    assert created.status_code == 201
    dispatch()
    dispatch()  # a second pass sends nothing again

    (post,) = message_posts(standin)
    assert post["form"]["To"] == PHONE and post["form"]["Body"].startswith("【志高】")
    assert created.json["number"] in post["form"]["Body"]
    assert post["form"]["StatusCallback"] == f"{PUBLIC}/twilio/sms/status"

    sid = standin.messages[0]["sid"]
    answer = signed_post("/twilio/sms/status", {"MessageSid": sid, "MessageStatus": "delivered", "To": PHONE,
                                                "AccountSid": standin.account_sid})
    assert answer.status_code == 200
    (shown,) = client.get("/api/v1/messages?phone=13800138000", headers=agent).json["items"]
    assert (shown["direction"], shown["sid"], shown["status"]) == ("out", sid, "delivered")


def test_after_tuiding_no_reminder_or_marketing_reaches_the_number_and_after_start_they_do(
        app, session, clock, standin, dispatch, text_in):
    def queue(template: str, category: str, key: str) -> None:
        queue_text(session, phone=PHONE, template=template, context=CONTEXT, now=clock.now(), category=category,
                   dedupe_key=key)
        session.commit()

    queue("maintenance_reminder", "reminder", "queued-before")  # queued before the opt-out, sent after it
    assert text_in("退订", sid="SM" + "1" * 32).status_code == 200
    queue("seasonal_alert", "marketing", "after-opt-out")
    dispatch()
    assert [m["body"] for m in standin.messages if m["to"] == PHONE] == [
        "【志高】您已退订提醒及推广短信，工单相关通知仍会照常发送。如需恢复订阅，请回复“订阅”或START，或致电400 675 7888。"]

    assert text_in("START", sid="SM" + "2" * 32).status_code == 200
    queue("maintenance_reminder", "reminder", "after-start")
    queue("idle_poweroff_reminder", "marketing", "marketing-after-start")
    dispatch()
    templates_sent = [m["body"] for m in standin.messages if m["to"] == PHONE][1:]
    assert len(templates_sent) == 3  # the opt-in confirmation, the reminder, the marketing text
    assert any("免费上门保养" in body for body in templates_sent)
    assert any(body.startswith("【志高】温馨提示") and body.endswith("回T退订") for body in templates_sent)
