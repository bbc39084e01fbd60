"""Every change to a customer's record is written down: who, when, what before and after."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.customers.models import Customer, CustomerAudit


def record_change(session: Session, customer: Customer, *, action: str, actor: str, now: datetime,
                  changes: dict | None = None) -> CustomerAudit:
    """Add the audit row of one change; `changes` maps each field to [before, after]."""
    entry = CustomerAudit(customer_id=customer.id, action=action, actor=actor, at=now, changes=changes or {})
    session.add(entry)
    return entry


def changed_fields(target, values: dict) -> dict:
    """Set each attribute of `target` in `values`; returns {field: [before, after]} of those that changed."""
    changes = {}
    for name, value in values.items():
        before = getattr(target, name)
        if before != value:
            changes[name] = [before, value]
            setattr(target, name, value)
    return changes
