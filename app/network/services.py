"""Keeping the service network current (admin): outlets with their contract and review (P-NET-1),
technicians with their certificate, 上岗证, and the product lines they may work on (P-NET-2).
The caller commits; values arrive parsed (app/api/params.py) and are checked against each other here.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import MAX_ROW_ID
from app.errors import Conflict, NotFound, ValidationFailed
from app.network.models import Outlet, Technician

CONTRACT_STATUSES = ("signed", "pending", "terminated")
REVIEW_STATUSES = ("passed", "pending", "failed")


def _dates_in_order(first: date | None, last: date | None, first_name: str, last_name: str) -> None:
    if first is not None and last is not None and last < first:
        raise ValidationFailed(f"{last_name} must not be before {first_name}", {last_name: f"on or after {first_name}"})


def _unique_name(session: Session, name: str, outlet_id: int | None) -> None:
    holder = session.scalar(select(Outlet.id).where(Outlet.name == name))
    if holder is not None and holder != outlet_id:
        raise Conflict(f"outlet {holder} already has the name {name!r}", {"name": f"used by outlet {holder}"})


def create_outlet(session: Session, values: dict) -> Outlet:
    """A new outlet; it takes jobs once its contract is signed and its review passed (P-NET-1)."""
    _unique_name(session, values["name"], None)
    _dates_in_order(values.get("contract_signed_on"), values.get("contract_ends_on"), "contract_signed_on",
                    "contract_ends_on")
    outlet = Outlet(**{"contract_status": "pending", "review_status": "pending", **values})
    session.add(outlet)
    session.flush()
    return outlet


def amend_outlet(session: Session, outlet_id: int, values: dict) -> Outlet:
    outlet = session.get(Outlet, outlet_id) if 1 <= outlet_id <= MAX_ROW_ID else None
    if outlet is None:
        raise NotFound(f"no outlet {outlet_id}")
    if "name" in values:
        _unique_name(session, values["name"], outlet.id)
    _dates_in_order(values.get("contract_signed_on", outlet.contract_signed_on),
                    values.get("contract_ends_on", outlet.contract_ends_on), "contract_signed_on", "contract_ends_on")
    for name, value in values.items():
        setattr(outlet, name, value)
    session.flush()
    return outlet


def _outlet_exists(session: Session, outlet_id: int) -> None:
    if session.get(Outlet, outlet_id) is None:
        raise NotFound(f"no outlet {outlet_id}", {"outlet_id": f"no outlet {outlet_id}"})


def create_technician(session: Session, values: dict) -> Technician:
    """A new technician of an outlet; dispatch refuses them until they hold a valid certificate (P-NET-2)."""
    _outlet_exists(session, values["outlet_id"])
    _dates_in_order(values.get("certificate_issued_on"), values.get("certificate_expires_on"),
                    "certificate_issued_on", "certificate_expires_on")
    technician = Technician(**{"product_lines": [], **values})
    session.add(technician)
    session.flush()
    return technician


def amend_technician(session: Session, technician_id: int, values: dict) -> Technician:
    technician = session.get(Technician, technician_id) if 1 <= technician_id <= MAX_ROW_ID else None
    if technician is None:
        raise NotFound(f"no technician {technician_id}")
    if "outlet_id" in values:
        _outlet_exists(session, values["outlet_id"])
    _dates_in_order(values.get("certificate_issued_on", technician.certificate_issued_on),
                    values.get("certificate_expires_on", technician.certificate_expires_on),
                    "certificate_issued_on", "certificate_expires_on")
    for name, value in values.items():
        setattr(technician, name, value)
    session.flush()
    return technician
