"""Erasing a customer (P-PRIV-3): personal data anonymised, the service history kept for settlement.

Name, numbers and street address go; tickets, their events, fees and parts stay (the installer's
and the outlet's fees are settled on them, P-INS-3, P-REP-2) with the number replaced by a tag.
A refusal the number had given survives as the number's hash, so the erased customer still gets
nothing the refusal forbids (P-PRIV-2). Texts keep their status and lose their body.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.customers.audit import record_change
from app.customers.models import ConsentRecord, Customer, CustomerPhone
from app.errors import Conflict
from app.escalations.models import Escalation
from app.ivr.models import IvrCall
from app.messaging.models import ErasedSuppression, Message, Suppression, SuppressionLift
from app.messaging.suppressions import number_hash
from app.surveys.models import Survey
from app.tickets.models import Ticket

ERASED_NAME = "已删除客户"


def erased_tag(e164: str) -> str:
    """What stands where the number stood: 20 characters, the same for the same number, not reversible."""
    return "#" + number_hash(e164)[:19]


def erase_customer(session: Session, customer: Customer, *, actor: str, now: datetime) -> dict:
    """Anonymise the customer; returns how many rows of each kind were changed. The caller commits."""
    if customer.erased_at is not None:
        raise Conflict(f"customer {customer.id} was erased already")
    counts: dict[str, int] = {}
    for phone in list(customer.phones):
        for name, n in _erase_number(session, phone.e164).items():
            counts[name] = counts.get(name, 0) + n
    session.execute(delete(CustomerPhone).where(CustomerPhone.customer_id == customer.id))
    session.execute(update(ConsentRecord).where(ConsentRecord.customer_id == customer.id).values(note=""))
    customer.name = f"{ERASED_NAME} {customer.id}"
    for address in customer.addresses:
        address.line = ""  # province and city stay: the outlet's area, no one's home
    customer.marketing_consent = False
    customer.erased_at = now
    session.expire(customer, ["phones"])
    record_change(session, customer, action="erased", actor=actor, now=now, changes={"rows": [None, counts]})
    session.flush()
    return counts


def _erase_number(session: Session, e164: str) -> dict[str, int]:
    tag = erased_tag(e164)
    refusal = session.get(Suppression, e164)
    if refusal is not None:
        if session.get(ErasedSuppression, number_hash(e164)) is None:
            session.add(ErasedSuppression(phone_hash=number_hash(e164), source=refusal.source,
                                          created_at=refusal.created_at))
        session.delete(refusal)
    counts = {
        "tickets": session.execute(update(Ticket).where(Ticket.phone == e164).values(phone=tag)).rowcount,
        "texts": session.execute(update(Message).where(Message.phone == e164).values(phone=tag, body="")).rowcount,
        "surveys": session.execute(update(Survey).where(Survey.phone == e164).values(phone=tag)).rowcount,
        "calls": session.execute(update(IvrCall).where(IvrCall.caller == e164).values(caller=tag)).rowcount,
        "suppression_lifts": session.execute(update(SuppressionLift).where(SuppressionLift.phone == e164)
                                             .values(phone=tag, note="")).rowcount,
    }
    # An escalation's detail may quote the customer's text beside their number: both go.
    counts["escalations"] = session.execute(update(Escalation).where(Escalation.detail.contains(e164))
                                            .values(detail=f"(details erased with customer {tag})")).rowcount
    return counts
