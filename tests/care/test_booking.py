"""Booking the free visit by replying 预约 (P-CARE-1), and what a finished visit does to the next one."""
from datetime import date

import pytest
from sqlalchemy import select

from app.care.booking import is_booking
from app.escalations.models import Escalation
from app.tickets.models import Ticket
from app.units.models import Unit
from tests.factories import make_customer, make_technician, make_unit
from tests.surveys.support import PUBLIC_BASE_URL, at, move, texts_to

PHONE = "+8613800138000"


@pytest.fixture
def reminded(session, run_job):
    """An owner whose unit (installed 2026-03-01) was offered its visit on 2026-07-07."""
    unit = make_unit(session, make_customer(session, phone=PHONE), installed_on=date(2026, 3, 1))
    session.commit()
    run_job("maintenance_reminders", at(7, 10))
    return unit


def text_in(twilio_post, body, sid, phone=PHONE):
    response = twilio_post("/twilio/sms", {"MessageSid": sid, "From": phone, "To": "+864006757888", "Body": body},
                           base=PUBLIC_BASE_URL)
    assert response.status_code == 200


def maintenance_tickets(session):
    session.expire_all()
    return session.scalars(select(Ticket).where(Ticket.kind == "maintenance")).all()


@pytest.mark.parametrize("body", ["预约", " 预约。", "预约保养", "BOOK", "ｂｏｏｋ"])
def test_booking_words_are_read_forgivingly(body):
    assert is_booking(body)


@pytest.mark.parametrize("body", ["预约了吗？我上周约的师傅没来", "5", ""])
def test_other_texts_are_not_bookings(body):
    assert not is_booking(body)


def test_replying_yuyue_books_a_maintenance_visit_for_the_reminded_unit(session, twilio_post, reminded):
    text_in(twilio_post, "预约", "SM" + "a" * 32)
    [ticket] = maintenance_tickets(session)
    assert (ticket.unit_id, ticket.product_line, ticket.phone, ticket.source) == (reminded.id, "home_ac", PHONE, "sms")
    [confirmation] = texts_to(session, PHONE, "ticket_created")
    assert ticket.number in confirmation.body


def test_a_second_yuyue_books_nothing_more(session, twilio_post, reminded):
    text_in(twilio_post, "预约", "SM" + "a" * 32)
    text_in(twilio_post, "预约", "SM" + "b" * 32)
    assert len(maintenance_tickets(session)) == 1


def test_yuyue_from_a_number_that_got_no_reminder_goes_to_a_person(session, twilio_post, reminded):
    text_in(twilio_post, "预约", "SM" + "c" * 32, phone="+8613900139000")
    assert maintenance_tickets(session) == []
    assert session.scalar(select(Escalation.queue).where(Escalation.reason == "sms_inbound")) == "staff_inbox"


def test_a_finished_visit_moves_the_next_reminder_three_months_on(session, run_job, twilio_post, reminded):
    text_in(twilio_post, "预约", "SM" + "a" * 32)
    [ticket] = maintenance_tickets(session)
    technician = make_technician(session)
    move(session, ticket, "dispatch", at(8, 9), technician_id=technician.id)
    move(session, ticket, "arrive", at(8, 10))
    move(session, ticket, "resolve", at(8, 11))
    session.commit()
    assert session.get(Unit, reminded.id).last_maintenance_on == date(2026, 7, 8)
    run_job("maintenance_reminders", at(7, 10).replace(month=9, day=2))
    assert len(texts_to(session, PHONE, "maintenance_reminder")) == 1
    run_job("maintenance_reminders", at(7, 10).replace(month=10, day=8))
    assert len(texts_to(session, PHONE, "maintenance_reminder")) == 2
