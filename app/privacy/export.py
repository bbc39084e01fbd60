"""Everything held about one customer, as one JSON document (PIPL access request, P-PRIV-3)."""
from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.customers.audit import record_change
from app.customers.models import ConsentRecord, Customer, CustomerAudit
from app.messaging.models import Message
from app.tickets.models import Ticket
from app.units.models import Unit


def _iso(value, tz: tzinfo):
    return value.astimezone(tz).isoformat() if isinstance(value, datetime) else (value.isoformat() if value else None)


def tickets_of(session: Session, customer: Customer, phones: list[str]) -> list[Ticket]:
    """The customer's tickets: linked to them, or filed from one of their numbers."""
    owned = Ticket.customer_id == customer.id
    query = select(Ticket).where(or_(owned, Ticket.phone.in_(phones)) if phones else owned)
    return list(session.scalars(query.order_by(Ticket.id).options(selectinload(Ticket.events))))


def export_customer(session: Session, customer: Customer, *, actor: str, now: datetime, tz: tzinfo) -> dict:
    """The customer's data: record, numbers, addresses, units, consent history, tickets, texts, audit trail."""
    phones = [p.e164 for p in customer.phones]
    units = session.scalars(select(Unit).where(Unit.customer_id == customer.id).order_by(Unit.id))
    consents = session.scalars(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id)
                               .order_by(ConsentRecord.id))
    audits = session.scalars(select(CustomerAudit).where(CustomerAudit.customer_id == customer.id)
                             .order_by(CustomerAudit.id))
    messages = session.scalars(select(Message).where(Message.phone.in_(phones)).order_by(Message.id)) if phones else []
    document = {
        "customer": {"id": customer.id, "name": customer.name, "created_at": _iso(customer.created_at, tz),
                     "marketing_consent": customer.marketing_consent, "erased_at": _iso(customer.erased_at, tz)},
        "phones": [{"e164": p.e164, "kind": p.kind} for p in customer.phones],
        "addresses": [{"province": a.province, "city": a.city, "address": a.line} for a in customer.addresses],
        "units": [{"serial": u.serial, "model": u.model, "product_line": u.product_line,
                   "installed_on": _iso(u.installed_on, tz), "purchased_on": _iso(u.purchased_on, tz)} for u in units],
        "consent_history": [{"marketing": c.marketing, "source": c.source, "note": c.note, "recorded_by": c.recorded_by,
                             "recorded_at": _iso(c.recorded_at, tz)} for c in consents],
        "tickets": [{"number": t.number, "kind": t.kind, "product_line": t.product_line, "status": t.status,
                     "summary": t.summary, "created_at": _iso(t.created_at, tz),
                     "events": [{"type": e.type, "at": _iso(e.at, tz), "note": e.note} for e in t.events]}
                    for t in tickets_of(session, customer, phones)],
        "texts": [{"direction": m.direction, "phone": m.phone, "body": m.body, "status": m.status,
                   "created_at": _iso(m.created_at, tz)} for m in messages],
        "changes": [{"action": a.action, "actor": a.actor, "at": _iso(a.at, tz), "changes": a.changes} for a in audits],
        "exported_at": _iso(now, tz),
    }
    record_change(session, customer, action="exported", actor=actor, now=now)
    return document
