"""Importing a dealer's install list: customers, their numbers, addresses and units.

Idempotent: a customer is found by phone and a unit by serial, so importing the same file twice
changes nothing. A bad row is reported with its line number and skipped; good rows are kept.

An optional last column, `marketing_consent` (yes/no, 1/0, true/false, 是/否; empty: not asked),
records the owner's consent to marketing texts (P-PRIV-1) with source `import` and the importer
as actor, through `app.customers.records.record_consent`, when it changes it.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.customers.models import Address, Customer, CustomerPhone
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.customers.records import record_consent
from app.product_lines import PRODUCT_LINES
from app.units.models import Unit

HEADER = ("name", "phone", "province", "city", "address", "product_line", "model", "serial", "installed_on")
CONSENT_COLUMN = "marketing_consent"  # optional, after the others
_CONSENT_VALUES = {"yes": True, "y": True, "1": True, "true": True, "是": True,
                   "no": False, "n": False, "0": False, "false": False, "否": False}


class BadHeader(ValueError):
    """The file is not an install list in the agreed shape."""


@dataclass
class ImportReport:
    """What an import did, line by line where it refused something."""

    customers_created: int = 0
    consents_recorded: int = 0
    units_created: int = 0
    units_updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class InstallRow:
    line: int
    name: str
    phone: str
    phone_kind: str
    province: str
    city: str
    address: str
    product_line: str
    model: str
    serial: str
    installed_on: date | None
    marketing_consent: bool | None = None  # None: the list does not say


def read_rows(stream: IO[str]) -> Iterator[tuple[int, dict]]:
    """Rows of the CSV, each with the line it starts on (the header is line 1); the header must match.

    A quoted value may hold a line break (Alt+Enter in a spreadsheet), so a row's first line is
    counted from where the previous row ended. Blank lines and rows of empty cells are not rows.
    Values past the header's columns are kept under the key None, as `csv.DictReader` does.
    """
    reader = csv.reader(stream)
    header = tuple(h.lstrip("\ufeff").strip() for h in next(reader, ()))
    if header not in (HEADER, (*HEADER, CONSENT_COLUMN)):
        raise BadHeader(f"the header must be {','.join(HEADER)} (then, optionally, {CONSENT_COLUMN}); "
                        f"found {','.join(header) or 'nothing'}")
    ended = reader.line_num
    for values in reader:
        first_line, ended = ended + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        record: dict = dict(zip(header, values))
        if len(values) > len(header):
            record[None] = values[len(header):]
        yield first_line, record


def parse_row(line: int, record: dict, today: date) -> InstallRow:
    """One validated row, or ValueError with every problem of the row in one sentence."""
    if None in record:
        raise ValueError("the row has more columns than the header")
    values = {k: (record.get(k) or "").strip() for k in HEADER}
    problems = [f"{k} is empty" for k in ("name", "phone", "province", "city", "product_line", "model", "serial")
                if not values[k]]
    phone, kind = "", ""
    if values["phone"]:
        try:
            number = normalise_phone(values["phone"])
            phone, kind = number.e164, number.kind
        except InvalidPhoneNumber as exc:
            problems.append(str(exc))
    if values["product_line"] and values["product_line"] not in PRODUCT_LINES:
        problems.append(f"product_line must be one of {', '.join(PRODUCT_LINES)}")
    installed_on = None
    if values["installed_on"]:
        try:
            installed_on = date.fromisoformat(values["installed_on"])
            if installed_on > today:
                problems.append("installed_on is in the future")
        except ValueError:
            problems.append("installed_on must be YYYY-MM-DD")
    if len(values["serial"]) > 40 or len(values["name"]) > 120 or len(values["address"]) > 200:
        problems.append("a value is too long")
    consent_text = (record.get(CONSENT_COLUMN) or "").strip().casefold()
    consent = _CONSENT_VALUES.get(consent_text) if consent_text else None
    if consent_text and consent is None:
        problems.append(f"{CONSENT_COLUMN} must be yes or no (or empty: not asked)")
    if problems:
        raise ValueError("; ".join(problems))
    return InstallRow(line, values["name"], phone, kind, values["province"], values["city"], values["address"],
                      values["product_line"], values["model"], values["serial"].upper(), installed_on, consent)


def _customer_for(session: Session, row: InstallRow, now: datetime, report: ImportReport) -> Customer:
    customer = session.scalar(select(Customer).join(CustomerPhone).where(CustomerPhone.e164 == row.phone))
    if customer is None:
        customer = Customer(name=row.name, created_at=now)
        customer.phones.append(CustomerPhone(e164=row.phone, kind=row.phone_kind))
        session.add(customer)
        session.flush()
        report.customers_created += 1
    return customer


def _address_for(customer: Customer, row: InstallRow) -> Address:
    for address in customer.addresses:
        if (address.province, address.city, address.line) == (row.province, row.city, row.address):
            return address
    address = Address(province=row.province, city=row.city, line=row.address)
    customer.addresses.append(address)
    return address


def import_row(session: Session, row: InstallRow, now: datetime, report: ImportReport, actor: str = "import") -> None:
    """Upsert one row; a serial owned by another customer is refused, not silently moved."""
    unit = session.scalar(select(Unit).where(Unit.serial == row.serial))
    if unit is not None:
        owner_phones = {p.e164 for p in unit.customer.phones}
        if row.phone not in owner_phones:
            raise ValueError(f"serial {row.serial} belongs to another customer; change owners through staff, not an import")
    customer = _customer_for(session, row, now, report)
    if row.marketing_consent is not None and row.marketing_consent != customer.marketing_consent:
        record_consent(session, customer, marketing=row.marketing_consent, source="import", actor=actor, now=now,
                       note=f"install list line {row.line}")
        report.consents_recorded += 1
    address = _address_for(customer, row)
    session.flush()
    if unit is None:
        session.add(Unit(serial=row.serial, customer_id=customer.id, address_id=address.id,
                         product_line=row.product_line, model=row.model, installed_on=row.installed_on,
                         created_at=now))
        report.units_created += 1
        return
    wanted = {"address_id": address.id, "product_line": row.product_line, "model": row.model,
              "installed_on": row.installed_on or unit.installed_on}
    if all(getattr(unit, k) == v for k, v in wanted.items()):
        report.unchanged += 1
        return
    for key, value in wanted.items():
        setattr(unit, key, value)
    report.units_updated += 1


def import_install_list(session: Session, rows: Iterable[tuple[int, dict]], *, now: datetime, today: date,
                        on_row=None, actor: str = "import") -> ImportReport:
    """Import rows, each in its own savepoint so a refused row leaves nothing behind; `actor` is
    who imports (recorded on any consent the list gives)."""
    report = ImportReport()
    for line, record in rows:
        try:
            row = parse_row(line, record, today)
            with session.begin_nested():
                import_row(session, row, now, report, actor)
        except ValueError as exc:
            report.skipped.append((line, str(exc)))
        if on_row is not None:
            on_row()
    return report
