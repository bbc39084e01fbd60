"""Customers and their units as staff keep them: found however the number is typed, created,
amended, given units, and their marketing consent recorded (P-PRIV-1). Every change is audited.
The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.customers.audit import changed_fields, record_change
from app.customers.models import Address, ConsentRecord, Customer, CustomerPhone
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.database import MAX_ROW_ID
from app.errors import Conflict, NotFound, ValidationFailed
from app.product_lines import PRODUCT_LINES
from app.units.models import Unit

# How consent was recorded: staff through the API (hotline ... email), the install list (`import`),
# a text (`sms`: 订阅 gives it, any refusal word withdraws it) and the IVR's offer (`ivr`).
STAFF_CONSENT_SOURCES = ("hotline", "sms", "paper_form", "web", "counter", "email")  # what staff may record
CONSENT_SOURCES = (*STAFF_CONSENT_SOURCES, "import", "ivr")


@dataclass(frozen=True)
class NewCustomer:
    name: str
    phone: str
    province: str
    city: str
    address: str


@dataclass(frozen=True)
class NewUnit:
    serial: str
    model: str
    product_line: str
    installed_on: date | None


def _loaded():
    return (selectinload(Customer.phones), selectinload(Customer.addresses))


def find_customers(session: Session, *, phone: str | None = None, name: str | None = None,
                   serial: str | None = None, limit: int, offset: int = 0) -> list[Customer]:
    """Customers matching every given filter: a number (any form), a name prefix, a unit's serial."""
    query = select(Customer).where(Customer.erased_at.is_(None))
    if phone is not None:
        try:
            e164 = normalise_phone(phone).e164
        except InvalidPhoneNumber as exc:
            raise ValidationFailed(str(exc), {"phone": str(exc)}) from None
        query = query.where(Customer.id.in_(select(CustomerPhone.customer_id).where(CustomerPhone.e164 == e164)))
    if name is not None:
        # A prefix: staff type the surname first (王, 王伟); it keeps to the index on name.
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Customer.name.like(f"{escaped}%", escape="\\"))
    if serial is not None:
        query = query.where(Customer.id.in_(select(Unit.customer_id).where(Unit.serial == serial.strip().upper())))
    query = query.order_by(Customer.id).offset(offset).limit(limit).options(*_loaded())
    return list(session.scalars(query))


def get_customer(session: Session, customer_id: int) -> Customer:
    """The customer, or NotFound; an erased customer is still found (their history is kept)."""
    # Beyond INTEGER keys no customer can exist, and binding the id would fail on PostgreSQL.
    customer = session.get(Customer, customer_id, options=_loaded()) if 1 <= customer_id <= MAX_ROW_ID else None
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def units_of(session: Session, customer: Customer) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.customer_id == customer.id).order_by(Unit.id)))


def _phone(raw: str) -> tuple[str, str]:
    try:
        number = normalise_phone(raw)
    except InvalidPhoneNumber as exc:
        raise ValidationFailed(str(exc), {"phone": str(exc)}) from None
    return number.e164, number.kind


def create_customer(session: Session, new: NewCustomer, *, actor: str, now: datetime) -> Customer:
    """A new customer with one number and one address; a number already on file is a 409 naming its owner."""
    e164, kind = _phone(new.phone)
    owner = session.scalar(select(CustomerPhone.customer_id).where(CustomerPhone.e164 == e164))
    if owner is not None:
        raise Conflict(f"that number belongs to customer {owner} already", {"phone": f"on file for customer {owner}"})
    customer = Customer(name=new.name.strip(), created_at=now, marketing_consent=False)
    customer.phones.append(CustomerPhone(e164=e164, kind=kind))
    customer.addresses.append(Address(province=new.province.strip(), city=new.city.strip(), line=new.address.strip()))
    session.add(customer)
    session.flush()
    record_change(session, customer, action="created", actor=actor, now=now,
                  changes={"name": [None, customer.name], "phone": [None, e164]})
    return customer


def amend_customer(session: Session, customer: Customer, values: dict, *, actor: str, now: datetime) -> dict:
    """Change the name or the first address (`province`, `city`, `address`); returns what changed."""
    _refuse_erased(customer)
    changes = changed_fields(customer, {k: v.strip() for k, v in values.items() if k == "name"})
    address_values = {{"address": "line"}.get(k, k): v.strip() for k, v in values.items()
                      if k in ("province", "city", "address")}
    if address_values:
        if not customer.addresses:
            customer.addresses.append(Address(province="", city="", line=""))
        changes.update(changed_fields(customer.addresses[0], address_values))
    if changes:
        record_change(session, customer, action="amended", actor=actor, now=now, changes=changes)
    session.flush()
    return changes


def add_unit(session: Session, customer: Customer, new: NewUnit, *, actor: str, now: datetime) -> Unit:
    """Register a unit sold to the customer (a counter sale, a unit missing from the dealer's list)."""
    _refuse_erased(customer)
    if new.product_line not in PRODUCT_LINES:
        raise ValidationFailed(f"product_line must be one of {', '.join(PRODUCT_LINES)}",
                               {"product_line": f"one of {', '.join(PRODUCT_LINES)}"})
    serial = new.serial.strip().upper()
    holder = session.scalar(select(Unit.customer_id).where(Unit.serial == serial))
    if holder is not None:
        raise Conflict(f"unit {serial} is registered to customer {holder}", {"serial": f"registered to customer {holder}"})
    unit = Unit(serial=serial, customer_id=customer.id, address_id=customer.addresses[0].id if customer.addresses else None,
                product_line=new.product_line, model=new.model.strip(), installed_on=new.installed_on, created_at=now)
    session.add(unit)
    session.flush()
    record_change(session, customer, action="unit_added", actor=actor, now=now,
                  changes={"unit": [None, serial], "installed_on": [None, new.installed_on and new.installed_on.isoformat()]})
    return unit


def record_consent(session: Session, customer: Customer, *, marketing: bool, source: str, actor: str,
                   now: datetime, note: str = "") -> ConsentRecord:
    """Record the customer's own word on marketing texts (P-PRIV-1): given or withdrawn, how and by whom.

    The one way consent changes, whatever the source (API, install list, text, IVR): a
    ConsentRecord with source, time and actor, and `Customer.marketing_consent` as the current state."""
    _refuse_erased(customer)
    if source not in CONSENT_SOURCES:
        raise ValidationFailed(f"source must be one of {', '.join(CONSENT_SOURCES)}",
                               {"source": f"one of {', '.join(CONSENT_SOURCES)}"})
    entry = ConsentRecord(customer_id=customer.id, marketing=marketing, source=source, note=note.strip(),
                          recorded_by=actor, recorded_at=now)
    session.add(entry)
    record_change(session, customer, action="consent", actor=actor, now=now,
                  changes={"marketing_consent": [customer.marketing_consent, marketing], "source": [None, source]})
    customer.marketing_consent = marketing
    session.flush()
    return entry


def consent_by_phone(session: Session, phone: str, *, marketing: bool, source: str, actor: str, now: datetime,
                     note: str = "") -> ConsentRecord | None:
    """Record consent for the customer owning `phone` (a text, a call), when it changes anything;
    None for a number no customer (or an erased one) owns, or when it was already so."""
    customer = session.scalar(select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == phone))
    if customer is None or customer.erased_at is not None or customer.marketing_consent == marketing:
        return None
    return record_consent(session, customer, marketing=marketing, source=source, actor=actor, now=now, note=note)


def latest_consent(session: Session, customer: Customer) -> ConsentRecord | None:
    return session.scalar(select(ConsentRecord).where(ConsentRecord.customer_id == customer.id)
                          .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()).limit(1))


def reveal_phones(session: Session, customer: Customer, *, actor: str, now: datetime) -> list[str]:
    """The customer's numbers in full for `actor`, written down as a `phone_revealed` audit entry:
    lists show numbers masked, and every look at a whole one is on record (P-PRIV)."""
    _refuse_erased(customer)
    phones = [p.e164 for p in customer.phones]
    record_change(session, customer, action="phone_revealed", actor=actor, now=now)
    session.flush()
    return phones


def customer_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0


def _refuse_erased(customer: Customer) -> None:
    if customer.erased_at is not None:
        raise Conflict(f"customer {customer.id} was erased; their record can no longer change")
