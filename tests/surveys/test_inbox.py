"""The staff inbox (GET /api/v1/inbox): inbound texts no handler took, oldest first, with the customer
and their open tickets; done needs a note (and the claim, or a supervisor); a reply goes through the outbox."""
from __future__ import annotations

import pytest

from app.escalations.services import raise_escalation
from tests.conftest import TWILIO_TEST_SID
from tests.factories import make_customer
from tests.surveys.support import PUBLIC_BASE_URL, at, open_ticket, resolved_job, texts_to

PHONE = "+8613800138000"
_sids = iter(range(1, 10**6))


@pytest.fixture
def text_in(twilio_post):
    """`text_in(body, phone=...)`: a customer's text arriving on the home AC hotline, each with its own sid."""

    def send(body: str, *, phone: str = PHONE):
        sid = f"SM{next(_sids):032d}"
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": TWILIO_TEST_SID, "From": phone,
                  "To": "+864006757888", "Body": body, "NumMedia": "0"}
        response = twilio_post("/twilio/sms", params, base=PUBLIC_BASE_URL)
        assert response.status_code == 200
        return response

    return send


def _inbox(client, headers) -> list[dict]:
    response = client.get("/api/v1/inbox", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["items"]


def _done(client, headers, item_id, **body):
    return client.post(f"/api/v1/inbox/{item_id}/done", json=body, headers=headers)


def _claim(client, headers, item_id):
    assert client.post(f"/api/v1/escalations/{item_id}/claim", headers=headers).status_code == 200


def test_a_free_text_is_an_item_with_its_customer_and_open_tickets(client, agent, session, text_in, clock):
    customer = make_customer(session, phone=PHONE, name="王伟")
    ticket = open_ticket(session, clock.now(), phone=PHONE)
    session.commit()
    text_in("师傅什么时候来？")
    [item] = _inbox(client, agent)
    assert (item["reason"], item["phone"], item["text"]) == ("sms_inbound", PHONE, "师傅什么时候来？")
    assert item["customer"] == {"id": customer.id, "name": "王伟"}
    assert [(t["number"], t["status"]) for t in item["open_tickets"]] == [(ticket.number, "received")]


def test_a_stranger_is_an_item_without_a_customer(client, agent, text_in):
    text_in("你好", phone="+8613900139000")
    [item] = _inbox(client, agent)
    assert (item["customer"], item["open_tickets"]) == (None, [])


def test_closed_tickets_are_not_listed_as_open(client, agent, session, text_in, clock):
    done = open_ticket(session, clock.now(), phone=PHONE)
    done.status = "closed"
    session.commit()
    text_in("谢谢")
    assert _inbox(client, agent)[0]["open_tickets"] == []


def test_items_come_oldest_first(client, agent, text_in, clock):
    text_in("第一条")
    clock.advance(minutes=3)
    text_in("第二条", phone="+8613900139000")
    assert [i["text"] for i in _inbox(client, agent)] == ["第一条", "第二条"]


def test_a_booking_word_with_no_visit_offered_is_an_item(client, agent, text_in):
    text_in("预约")
    assert [i["text"] for i in _inbox(client, agent)] == ["预约"]


def test_a_survey_reply_unreadable_after_the_re_ask_is_an_item_naming_the_ticket(client, agent, session, run_job,
                                                                                   text_in):
    ticket = resolved_job(session, at(7, 10), phone=PHONE)
    session.commit()
    run_job("survey_send", at(7, 10, 5))
    text_in("师傅人不错")
    assert _inbox(client, agent) == []  # re-asked once first
    text_in("就是来得有点晚")
    [item] = _inbox(client, agent)
    assert (item["reason"], item["text"], item["ticket_number"]) == ("survey_unreadable", "就是来得有点晚", ticket.number)


def test_a_text_a_handler_took_is_no_item(client, agent, text_in):
    text_in("帮助")
    assert _inbox(client, agent) == []


def test_an_item_without_a_text_is_not_in_the_inbox(client, agent, session, clock):
    raise_escalation(session, reason="ivr_no_callback_number", queue="staff_inbox", now=clock.now(),
                     dedupe_key="call:CA1:no_number", detail="a caller left no number")
    session.commit()
    assert _inbox(client, agent) == []


def test_done_takes_the_item_out_of_the_inbox(client, agent, text_in):
    text_in("师傅什么时候来？")
    [item] = _inbox(client, agent)
    _claim(client, agent, item["id"])
    response = _done(client, agent, item["id"], note="已电话告知上门时间")
    assert (response.status_code, response.json["status"], response.json["reply"]) == (200, "resolved", None)
    assert _inbox(client, agent) == []


def test_done_needs_a_note(client, agent, text_in):
    text_in("师傅什么时候来？")
    [item] = _inbox(client, agent)
    _claim(client, agent, item["id"])
    response = _done(client, agent, item["id"], note=" ")
    assert response.status_code == 400 and "note" in response.json["fields"]
    assert len(_inbox(client, agent)) == 1


def test_an_agent_marks_done_only_an_item_they_hold(client, agent, text_in):
    text_in("师傅什么时候来？")
    [item] = _inbox(client, agent)
    assert _done(client, agent, item["id"], note="已处理").status_code == 409


def test_a_reply_is_queued_in_the_outbox_to_the_sender(client, staff, session, text_in):
    text_in("师傅什么时候来？")
    [item] = _inbox(client, staff("supervisor"))
    response = _done(client, staff("supervisor"), item["id"], note="已回复", reply="师傅今天下午三点前上门。")
    assert response.json["reply"]["status"] == "queued"
    [sent] = texts_to(session, PHONE, "staff_reply")
    assert sent.body.endswith("师傅今天下午三点前上门。") and sent.status == "queued"


def test_a_reply_that_cannot_be_texted_is_a_400_and_the_item_stays(client, staff, session, text_in):
    text_in("师傅什么时候来？")
    [item] = _inbox(client, staff("supervisor"))
    response = _done(client, staff("supervisor"), item["id"], note="已回复", reply="详见 www.example.com")
    assert response.status_code == 400 and "reply" in response.json["fields"]
    assert len(_inbox(client, staff("supervisor"))) == 1 and texts_to(session, PHONE, "staff_reply") == []


def test_done_on_an_escalation_that_is_no_inbox_item_is_a_404(client, staff, session, clock):
    complaint = raise_escalation(session, reason="complaint", queue="supervisor", now=clock.now(),
                                 dedupe_key="test:complaint", detail="师傅迟到")
    session.commit()
    assert _done(client, staff("supervisor"), complaint.id, note="已处理").status_code == 404


def test_a_marketing_user_may_not_read_the_inbox(client, staff):
    assert client.get("/api/v1/inbox", headers=staff("marketing")).status_code == 403
