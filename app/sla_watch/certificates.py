"""Certificates (上岗证) about to expire (P-NET-2): a supervisor hears of each once, 30 days ahead,
while dispatch goes on refusing a technician whose certificate has expired."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.escalations.models import Escalation
from app.escalations.services import raise_escalation
from app.network.models import Technician

RENEWAL_NOTICE = timedelta(days=30)


def flag_certificate_renewals(session: Session, *, today: date, now) -> int:
    """One supervisor escalation per certificate expiring within 30 days (or expired); returns how many are new."""
    due = session.scalars(select(Technician).options(selectinload(Technician.outlet))
                          .where(Technician.certificate_expires_on.is_not(None),
                                 Technician.certificate_expires_on <= today + RENEWAL_NOTICE)
                          .order_by(Technician.id))
    new = 0
    for technician in due:
        expires = technician.certificate_expires_on
        key = f"certificate:{technician.id}:{expires.isoformat()}"  # a renewed certificate is a new expiry
        state = "expired" if expires < today else "expires"
        if session.scalar(select(Escalation.id).where(Escalation.dedupe_key == key)) is not None:
            continue
        raise_escalation(
            session, reason="certificate_renewal", queue="supervisor", now=now, dedupe_key=key,
            detail=f"technician {technician.id} {technician.name} of {technician.outlet.name}: certificate "
                   f"{technician.certificate_number or '(none)'} {state} on {expires.isoformat()} (P-NET-2)")
        new += 1
    return new
