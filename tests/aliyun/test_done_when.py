"""Issue 12's acceptance on the `aliyun` route: the real SDK, the stand-in, the API, the pushes, the jobs."""
from __future__ import annotations

from sqlalchemy import select

from app.messaging.aliyun_templates import registry
from app.messaging.models import Message, Suppression
from app.messaging.outbox import queue_text
from tests.aliyun.conftest import PHONE
from tests.aliyun_standin import SIGN_NAME
from tests.surveys.support import resolved_job, run_job, survey_of  # noqa: F401 - run_job is a fixture


def sends(aliyun) -> list[dict]:
    return [r for r in aliyun.requests if r["action"] in ("SendSms", "SendBatchSms")]


def test_a_new_tickets_confirmation_reaches_alibaba_once_with_the_sign_name_and_template_code(
        client, agent, aliyun, dispatch):
    created = client.post("/api/v1/tickets", headers=agent,
                          json={"kind": "repair", "product_line": "home_ac", "phone": "138 0013 8000"})
    assert created.status_code == 201
    dispatch()
    dispatch()  # a second pass sends nothing again

    (request,) = sends(aliyun)
    assert request["query"]["SignName"] == SIGN_NAME and request["signature_ok"]
    assert request["query"]["TemplateCode"] == registry().get("zh", "ticket_created").code
    (sent,) = aliyun.sent
    assert sent["phone"] == "13800138000" and created.json["number"] in sent["content"]
    (shown,) = client.get("/api/v1/messages?phone=13800138000", headers=agent).json["items"]
    assert shown["body"] == sent["content"]  # what we record is what Alibaba composed


def test_a_pushed_report_marks_the_text_delivered(client, agent, aliyun, dispatch, push):
    client.post("/api/v1/tickets", headers=agent, json={"kind": "repair", "product_line": "home_ac", "phone": PHONE})
    dispatch()
    answer = push("report", aliyun.report_payload(aliyun.sent[0]))
    assert (answer.status_code, answer.json) == (200, {"code": 0, "msg": "成功"})
    (shown,) = client.get(f"/api/v1/messages?phone={PHONE}", headers=agent).json["items"]
    assert shown["status"] == "delivered"


def test_a_pushed_reply_5_to_an_open_survey_verifies_its_ticket(session, clock, aliyun, dispatch, push, run_job):
    ticket = resolved_job(session, clock.now(), phone=PHONE)
    session.commit()
    run_job("survey_send", clock.now())
    dispatch()
    assert [s["template_code"] for s in aliyun.sent][-1] == registry().get("zh", "survey_request").code

    answer = push("reply", aliyun.reply_payload(PHONE, "5"))
    assert answer.json == {"code": 0, "msg": "成功"}
    assert survey_of(session, ticket).ticket.status == "verified"


def test_a_pushed_r_stops_marketing_to_that_number(session, clock, aliyun, dispatch, push):
    assert push("reply", aliyun.reply_payload(PHONE, "R")).status_code == 200
    queue_text(session, phone=PHONE, template="seasonal_alert", context={"season_label": "制冷"}, now=clock.now(),
               category="marketing", dedupe_key="after-r")
    session.commit()
    dispatch()
    assert session.get(Suppression, PHONE) is not None
    assert [s["template_code"] for s in aliyun.sent] == [registry().get("zh", "opt_out_confirmed").code]
    assert session.scalar(select(Message.status).where(Message.dedupe_key == "after-r")) == "suppressed"


def test_a_push_without_the_token_is_403_and_changes_nothing(session, aliyun, push):
    assert push("reply", aliyun.reply_payload(PHONE, "R"), token=None).status_code == 403
    assert push("reply", aliyun.reply_payload(PHONE, "R"), token="guess").status_code == 403
    assert push("report", [], token=None).status_code == 403
    assert session.scalars(select(Message)).all() == [] and session.get(Suppression, PHONE) is None
