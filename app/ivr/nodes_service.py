"""Executors of the nodes that do the work through the domain services: the caller, warranty, fee
card, ticket progress, tickets, texts and survey answers.

Every write is keyed by the call and the node's visit (`call:<CallSid>:<node>:<visit>`), so a
step Twilio sends twice creates nothing twice.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time

from sqlalchemy import bindparam, select

from app.closed_loop.answers import record_survey_answer
from app.customers.models import CustomerPhone
from app.customers.records import consent_by_phone
from app.errors import DomainError, ValidationFailed
from app.ivr.flows import Node
from app.ivr.progress import recent_tickets
from app.ivr.prompts import fill, spell_digits, spoken_time
from app.ivr.step import Step, enters
from app.messaging.outbox import queue_text
from app.tickets.models import Ticket
from app.tickets.promises import next_milestone
from app.product_lines import HOTLINE_BY_LINE
from app.tickets.services import NewTicket, create_ticket
from app.tickets.urging import open_repair, urge_ticket
from app.units.models import Unit
from app.warranty.fee_card import fee_card, price_words
from app.warranty.ledger import unit_warranty

log = logging.getLogger(__name__)
MAX_UNITS = 8


def write_key(step: Step, node: Node) -> str:
    """The idempotency key of a write made by `node` on this visit of it in this call."""
    return f"call:{step.call.call_sid}:{node.id}:{step.visits(node)}"


# The number's owner and their units of the hotline's line, in one round trip: this runs on every
# welcome, so the statement is built once.
_CALLER_UNITS = (
    select(CustomerPhone.customer_id, Unit.id, Unit.model, Unit.serial)
    .outerjoin(Unit, (Unit.customer_id == CustomerPhone.customer_id) & (Unit.product_line == bindparam("line")))
    .where(CustomerPhone.e164 == bindparam("phone")).order_by(Unit.id).limit(MAX_UNITS))


@enters("lookup_caller")
def enter_lookup_caller(node: Node, step: Step) -> str:
    """Known by caller ID: remember that, and the caller's units of this line (never their name)."""
    rows = []
    if step.call.caller:
        # Core, not the ORM: a query that loads no objects needs none of its machinery.
        rows = step.read(_CALLER_UNITS, {"phone": step.call.caller, "line": step.flow.product_line or ""})
    step.vars["caller_known"] = bool(rows)
    step.vars["units"] = [{"id": uid, "model": model, "serial_tail": serial[-4:]}
                          for _customer, uid, model, serial in rows if uid is not None]
    return node["next"]


@enters("check_warranty")
def enter_check_warranty(node: Node, step: Step) -> str:
    unit = step.session.get(Unit, step.vars["unit_id"]) if step.vars.get("unit_id") else None
    step.vars.update(warranty_known=False, in_warranty=False, warranty_end="")
    if unit is not None:
        status = unit_warranty(step.session, unit, on=step.now.astimezone(step.tz).date(), tz=step.tz)
        whole = status.part("whole_unit")
        step.vars.update(warranty_known=status.basis != "unknown", in_warranty=whole.covered,
                         warranty_end=whole.ends_on.isoformat() if whole.ends_on else "")
    return node["next"]


@enters("fee_card")
def enter_fee_card(node: Node, step: Step) -> str:
    """Read out the fee card of this hotline's product line (P-WAR-9)."""
    step.say(node["prompt"])
    for item in fee_card(step.flow.product_line):
        service, condition, per = item.words(step.call.lang)
        price = fill(step.word("price_format"), {"amount": price_words(item.price), "per": per}.get)
        step.say(node["item"], {"service": service, "condition": condition, "price": price})
    return node["next"]


def _promise(step: Step, ticket: Ticket) -> str:
    """The ticket's next milestone in the call's words, with its time."""
    stone = next_milestone(ticket, step.now)
    when = spoken_time(stone.due, step.tz, step.word("time_format"), step.word("month_names")) if stone.due else ""
    return fill(step.word(stone.word), {"time": when}.get)


@enters("read_tickets")
def enter_read_tickets(node: Node, step: Step) -> str:
    """State and next milestone of the entered ticket, or of the caller's recent ones."""
    if node["source"] == "entered":
        number = step.vars.get("ticket_entered")
        found = [t for t in [step.session.scalar(select(Ticket).where(Ticket.number == number))] if t] if number else []
    else:
        phone = step.contact_phone()
        found = recent_tickets(step.session, phone, step.now) if phone else []
    if not found:
        step.say(node["none"])
    for ticket in found:
        step.say(node["item"], {
            "ticket_digits": spell_digits(ticket.number or "", step.word("digits")),
            "kind_label": step.word(f"kind_{ticket.kind}"), "status_label": step.word(f"status_{ticket.status}"),
            "milestone": _promise(step, ticket)})
    return node["next"]


@enters("find_open_repair")
def enter_find_open_repair(node: Node, step: Step) -> str:
    """A repeat caller: the unit (or, with none known, the number) has an open repair already."""
    ticket = open_repair(step.session, phone=step.contact_phone(), product_line=step.flow.product_line,
                         unit_id=step.vars.get("unit_id"))
    step.vars.pop("open_ticket_number", None)
    step.vars.pop("open_promise", None)
    if ticket is None:
        return node["none"]
    step.vars.update(open_ticket_number=ticket.number, open_promise=_promise(step, ticket))
    return node["found"]


@enters("urge_ticket")
def enter_urge_ticket(node: Node, step: Step) -> str:
    """Urge the open repair found (once a call); past its promised time a supervisor hears of it at once."""
    number = step.vars.get("open_ticket_number")
    ticket = step.session.scalar(select(Ticket).where(Ticket.number == number)) if number else None
    urged = list(step.vars.get("urged", []))
    if ticket is not None and number not in urged:
        result = urge_ticket(step.session, ticket, actor="ivr", channel="phone", now=step.now)
        step.vars.update(urged=[*urged, number], urge_escalated=result.escalation is not None)
    step.call.service_done = True  # the caller was served: no callback ticket at hang-up
    return node["next"]


def _appointment(step: Step) -> datetime | None:
    day = step.vars.get("preferred_day")
    if not day:
        return None
    return datetime.combine(date.fromisoformat(day), time(step.settings.ivr_appointment_hour), tzinfo=step.tz)


@enters("create_ticket")
def enter_create_ticket(node: Node, step: Step) -> str:
    """Log the request through `create_ticket` (SLA clocks, confirmation text, complaint escalation)."""
    phone = step.contact_phone()
    if not phone:
        return node["on_error"]
    unit = step.session.get(Unit, step.vars["unit_id"]) if step.vars.get("unit_id") else None
    summary = fill(node["summary"], lambda name: step.vars.get(name) or "-")
    request = NewTicket(
        kind=node["ticket_kind"], product_line=step.flow.product_line, phone=phone,
        serial=unit.serial if unit is not None and unit.product_line == step.flow.product_line else None,
        summary=summary[:2000], appointment_at=_appointment(step) if node.get("appointment") else None,
        source="ivr", idempotency_key=write_key(step, node))
    try:
        result = create_ticket(step.session, request, actor="ivr", now=step.now, signature=step.settings.sms_signature)
    except ValidationFailed as exc:
        log.warning("ivr %s: ticket not created at %s: %s", step.call.call_sid, node.id, exc.message)
        return node["on_error"]
    ticket = result.ticket
    if result.created and not step.vars.get("caller_known"):
        # Caller ID is not a customer's number: staff confirm who and where before dispatching.
        ticket.needs_verification_call = True
    step.vars["ticket_number"] = ticket.number
    step.vars["tickets"] = [*step.vars.get("tickets", []), ticket.number]
    step.call.service_done = True
    return node["next"]


@enters("send_text")
def enter_send_text(node: Node, step: Step) -> str:
    """Queue the `fee_card` text to a mobile caller (landlines cannot take texts)."""
    step.vars["texted"] = False
    if not step.contact_is_mobile():
        return node["next"]
    line = step.flow.product_line
    queue_text(step.session, phone=step.contact_phone(), template=node["template"], now=step.now,
               lang=step.call.lang, signature=step.settings.sms_signature, dedupe_key=write_key(step, node),
               context={"product_label": step.word("product_label"), "hotline": HOTLINE_BY_LINE[line]})
    step.vars["texted"] = True
    return node["next"]


@enters("record_consent")
def enter_record_consent(node: Node, step: Step) -> str:
    """The caller accepted the offer of marketing texts (P-PRIV-1): consent recorded for the caller
    ID's customer, source `ivr`; a replayed step finds it recorded and records nothing twice."""
    if step.call.caller:
        consent_by_phone(step.session, step.call.caller, marketing=True, source="ivr", actor="customer:ivr",
                         now=step.now, note=f"call {step.call.call_sid}, node {node.id}")
    return node["next"]


@enters("survey_answer")
def enter_survey_answer(node: Node, step: Step) -> str:
    """Give the key pressed to the survey (issue 5's service); its own rules decide what it means."""
    try:
        record_survey_answer(step.session, survey_id=int(step.vars["survey_id"]), answer=str(step.vars[node["store"]]),
                             channel="voice", now=step.now, tz=step.tz, signature=step.settings.sms_signature)
    except DomainError as exc:
        log.warning("ivr %s: survey answer refused: %s", step.call.call_sid, exc.message)
        return node["on_error"]
    return node["next"]
