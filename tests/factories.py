"""Builders for test data: each takes a session and only the values a test cares about."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from app.customers.models import Address, Customer, CustomerPhone
from app.network.models import Outlet, Technician
from app.units.models import Unit

_seq = itertools.count(1)
_T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def make_customer(session, *, phone: str = "+8613800138000", name: str = "王伟", kind: str = "mobile") -> Customer:
    customer = Customer(name=name, created_at=_T0)
    customer.phones.append(CustomerPhone(e164=phone, kind=kind))
    customer.addresses.append(Address(province="广西壮族自治区", city="南宁市", line="民族大道1号"))
    session.add(customer)
    session.flush()
    return customer


def make_unit(session, customer: Customer | None = None, *, product_line: str = "home_ac", serial: str | None = None,
              installed_on: date | None = date(2024, 5, 1), purchased_on: date | None = None) -> Unit:
    customer = customer or make_customer(session, phone=f"+861380013{next(_seq) % 10000:04d}")
    unit = Unit(serial=serial or f"SN{next(_seq):08d}", customer_id=customer.id,
                address_id=customer.addresses[0].id if customer.addresses else None, product_line=product_line,
                model="KFR-35GW", installed_on=installed_on, purchased_on=purchased_on, created_at=_T0)
    session.add(unit)
    session.flush()
    return unit


def make_outlet(session, *, name: str | None = None, contract_status: str = "signed",
                review_status: str = "passed") -> Outlet:
    outlet = Outlet(name=name or f"南宁网点{next(_seq)}", province="广西壮族自治区", city="南宁市", phone=None,
                    contract_status=contract_status, review_status=review_status)
    session.add(outlet)
    session.flush()
    return outlet


def make_technician(session, outlet: Outlet | None = None, *, certificate_number: str | None = "GX-001",
                    expires_on: date | None = date(2030, 1, 1)) -> Technician:
    outlet = outlet or make_outlet(session)
    technician = Technician(outlet_id=outlet.id, name=f"技师{next(_seq)}", phone=None,
                            certificate_number=certificate_number, certificate_expires_on=expires_on)
    session.add(technician)
    session.flush()
    return technician


def add_phone(session, customer: Customer, e164: str, *, kind: str = "mobile") -> CustomerPhone:
    """Give `customer` one more number (a customer may call from several)."""
    phone = CustomerPhone(customer_id=customer.id, e164=e164, kind=kind)
    session.add(phone)
    session.flush()
    return phone


def make_message(session, *, phone: str, direction: str = "in", body: str = "你好", at: datetime = _T0,
                 status: str | None = None, sid: str | None = None, template: str | None = None):
    """A text in or out for `phone` at `at` (inbound rows are `received`, outbound `queued` by default)."""
    from app.messaging.models import Message

    message = Message(direction=direction, phone=phone, body=body, template=template, category="transactional",
                      priority=0, status=status or ("received" if direction == "in" else "queued"), sid=sid,
                      attempts=0, created_at=at, send_after=at)
    session.add(message)
    session.flush()
    return message
