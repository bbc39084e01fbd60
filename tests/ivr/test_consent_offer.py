"""The IVR's offer after a ticket is logged (P-PRIV-1): a known mobile caller without consent is
offered marketing texts once; key 1 records consent with source `ivr`."""
from __future__ import annotations

from sqlalchemy import select

from app.customers.models import ConsentRecord


def log_a_repair(phone):
    call = phone()
    call.dial()
    for key in ("1", "1", "1"):
        call.press(key)
    return call


def test_key_1_at_the_offer_records_consent_from_the_ivr(phone, session, known_customer):
    call = log_a_repair(phone)
    assert "优惠活动短信" in call.press("2").text
    reply = call.press("1")
    assert reply.hung_up and "已为您登记接收优惠短信" in reply.text
    session.expire_all()
    [record] = session.scalars(select(ConsentRecord))
    assert (record.customer_id, record.marketing, record.source, record.recorded_by) == (
        known_customer.id, True, "ivr", "customer:ivr")
    assert known_customer.marketing_consent is True


def test_key_2_at_the_offer_records_nothing(phone, session, known_customer):
    call = log_a_repair(phone)
    call.press("2")
    assert call.press("2").hung_up
    assert session.scalars(select(ConsentRecord)).all() == []


def test_a_caller_who_consented_already_is_not_asked_again(phone, session, known_customer):
    known_customer.marketing_consent = True
    session.commit()
    call = log_a_repair(phone)
    reply = call.press("2")
    assert reply.hung_up and "优惠" not in reply.text
