"""Finding customers by any of their numbers."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.customers.models import Customer, CustomerPhone

_BY_PHONE = select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == bindparam("e164"))  # built once


def customer_by_phone(session: Session, e164: str) -> Customer | None:
    """The customer who owns `e164`, or None for an unknown caller."""
    return session.scalar(_BY_PHONE, {"e164": e164})
