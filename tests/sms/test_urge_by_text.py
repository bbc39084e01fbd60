"""催办 by text: the newest open repair of the number is urged and the customer told its next promise;
past the promised time a supervisor hears of it at once; with no open repair a person reads the text."""
from __future__ import annotations

from sqlalchemy import select

from app.escalations.models import Escalation
from app.messaging.models import Message
from app.tickets.models import TicketEvent
from app.tickets.services import NewTicket, create_ticket
from tests.factories import make_customer

PHONE = "+8613800138000"


def _repair(session, clock, phone=PHONE, **fields):
    ticket = create_ticket(session, NewTicket(kind="repair", product_line="home_ac", phone=phone, **fields),
                           actor="agent", now=clock.now()).ticket
    session.commit()
    return ticket


def _urges(session) -> list[TicketEvent]:
    session.expire_all()
    return list(session.scalars(select(TicketEvent).where(TicketEvent.type == "urge")))


def _replies(session) -> list[Message]:
    session.expire_all()
    return list(session.scalars(select(Message).where(Message.template.startswith("urge_received_"))))


def _escalations(session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.reason, e.queue) for e in session.scalars(select(Escalation).order_by(Escalation.id))]


def test_a_text_urge_records_an_urge_on_the_open_repair(session, clock, text_in):
    ticket = _repair(session, clock)
    text_in("催办")
    [urge] = _urges(session)
    assert (urge.ticket_id, urge.actor) == (ticket.id, "customer:sms") and "sms" in urge.note


def test_the_customer_is_told_the_ticket_and_its_next_promise(session, clock, text_in):
    ticket = _repair(session, clock)
    text_in(" 催办！")
    [reply] = _replies(session)
    assert (reply.phone, reply.ticket_id) == (PHONE, ticket.id)
    assert ticket.number in reply.body and "我们将在7月7日11:00前与您联系" in reply.body


def test_an_urge_past_the_promised_time_raises_a_supervisor_escalation(session, clock, text_in):
    _repair(session, clock)
    clock.advance(hours=2)
    text_in("催单")
    assert _escalations(session) == [("urged_overdue", "supervisor")]
    assert "已超过承诺时间" in _replies(session)[0].body


def test_an_urge_within_the_promise_raises_no_escalation(session, clock, text_in):
    _repair(session, clock)
    text_in("催办")
    assert _escalations(session) == []


def test_the_newest_open_repair_of_the_customer_is_urged(session, clock, text_in):
    customer = make_customer(session, phone=PHONE)
    session.commit()
    _repair(session, clock)
    clock.advance(minutes=5)
    newer = _repair(session, clock, phone="+8613900139000")  # logged from the customer's other number
    newer.customer_id = customer.id
    session.commit()
    text_in("催办")
    assert [u.ticket_id for u in _urges(session)] == [newer.id]


def test_with_no_open_repair_the_text_goes_to_the_staff_inbox(session, text_in):
    text_in("催办")
    assert _urges(session) == [] and _escalations(session) == [("sms_inbound", "staff_inbox")]


def test_a_longer_text_mentioning_urging_is_read_by_a_person(session, clock, text_in):
    _repair(session, clock)
    text_in("请帮我催办一下，谢谢")
    assert _urges(session) == [] and ("sms_inbound", "staff_inbox") in _escalations(session)


def test_twilio_retrying_the_same_text_urges_once(session, clock, text_in):
    _repair(session, clock)
    text_in("催办", sid="SM" + "7" * 32)
    clock.advance(minutes=1)
    text_in("催办", sid="SM" + "7" * 32)
    assert len(_urges(session)) == 1 and len(_replies(session)) == 1
