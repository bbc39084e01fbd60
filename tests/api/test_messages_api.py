"""GET /api/v1/messages?phone=: texts in and out for a number, newest first."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.factories import make_message

T0 = datetime(2026, 7, 7, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai


@pytest.fixture
def conversation(session) -> None:
    """A customer's text in, a reply out (sent and delivered), and a stranger's text."""
    make_message(session, phone="+8613800138000", direction="in", body="空调漏水", at=T0, sid="SM" + "1" * 32)
    reply = make_message(session, phone="+8613800138000", direction="out", body="【志高】已受理", at=T0 + timedelta(minutes=1),
                         status="delivered", sid="SM" + "2" * 32, template="ticket_created")
    reply.sent_at = T0 + timedelta(minutes=2)
    reply.status_updated_at = T0 + timedelta(minutes=3)
    make_message(session, phone="+8613900139000", direction="in", body="别人的短信", at=T0)
    session.commit()


def test_texts_come_newest_first_with_direction_body_status_and_sid(desk, conversation):
    items = desk.get("/messages", phone="13800138000").json["items"]
    assert [(m["direction"], m["body"], m["status"], m["sid"]) for m in items] == [
        ("out", "【志高】已受理", "delivered", "SM" + "2" * 32), ("in", "空调漏水", "received", "SM" + "1" * 32)]


def test_each_text_carries_its_times_in_business_time(desk, conversation):
    reply = desk.get("/messages", phone="13800138000").json["items"][0]
    assert (reply["created_at"], reply["sent_at"], reply["status_updated_at"]) == (
        "2026-07-07T09:01:00+08:00", "2026-07-07T09:02:00+08:00", "2026-07-07T09:03:00+08:00")


@pytest.mark.parametrize("form", ["+8613800138000", "013800138000", "0086 138 0013 8000", "１３８００１３８０００"])
def test_any_form_of_the_number_finds_its_texts(desk, conversation, form):
    assert len(desk.get("/messages", phone=form).json["items"]) == 2


def test_a_number_without_texts_has_none(desk, conversation):
    assert desk.get("/messages", phone="13700137000").json["items"] == []


def test_texts_page(desk, conversation):
    body = desk.get("/messages", phone="13800138000", per_page=1, page=2).json
    assert ([m["direction"] for m in body["items"]], body["next_page"]) == (["in"], None)


@pytest.mark.parametrize("query", [{}, {"phone": ""}], ids=["no phone", "empty phone"])
def test_the_phone_is_required(desk, query):
    response = desk.get("/messages", **query)
    assert response.status_code == 400 and response.json["fields"]["phone"] == "required"


def test_an_invalid_phone_is_400(desk):
    response = desk.get("/messages", phone="12345")
    assert response.status_code == 400 and "12345" in response.json["fields"]["phone"]
