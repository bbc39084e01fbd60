"""`flask --app wsgi demo seed`: demo customers and units on every product line, in and out of warranty on
the clock's date, Guangxi outlets with technicians whose certificates are partly expired; seeding twice
changes nothing."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.customers.models import Address, Customer, CustomerPhone
from app.network.models import Outlet, Technician
from app.units.models import Unit
from app.warranty.ledger import unit_warranty

SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result


def warranty_by_line(session, today: date) -> dict[str, set[bool]]:
    """For each product line, whether its units are in warranty on `today` (a set of True/False)."""
    seen: dict[str, set[bool]] = {}
    for unit in session.scalars(select(Unit)):
        seen.setdefault(unit.product_line, set()).add(unit_warranty(session, unit, on=today, tz=SHANGHAI).in_warranty)
    return seen


def snapshot(session) -> dict[str, list[tuple]]:
    """Every seeded row, as plain values."""
    session.expire_all()
    tables = (Customer, CustomerPhone, Address, Unit, Outlet, Technician)
    return {model.__tablename__: sorted(tuple(row) for row in session.execute(select(model.__table__)))
            for model in tables}


def test_seed_puts_units_on_all_three_product_lines(runner, session):
    seed(runner)
    assert set(session.scalars(select(Unit.product_line))) == {"home_ac", "commercial_ac", "water_heater"}


def test_every_product_line_has_units_in_and_out_of_warranty_on_the_clocks_date(runner, session, clock):
    seed(runner)
    today = clock.now().astimezone(SHANGHAI).date()
    assert warranty_by_line(session, today) == {line: {True, False}
                                                for line in ("home_ac", "commercial_ac", "water_heater")}


@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 2, 28), date(2026, 12, 31)])
def test_every_product_line_has_units_in_and_out_of_warranty_whatever_the_day_of_the_year(
        runner, session, clock, day):
    clock.set(datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI))
    seed(runner)
    assert warranty_by_line(session, day) == {line: {True, False}
                                              for line in ("home_ac", "commercial_ac", "water_heater")}


def test_the_api_shows_a_seeded_unit_in_warranty_and_one_out_of_it(runner, session, client, staff):
    seed(runner)
    covered = {}
    for serial in session.scalars(select(Unit.serial).where(Unit.product_line == "water_heater")):
        body = client.get(f"/api/v1/units/{serial}/warranty", headers=staff("agent")).json
        whole = next(part for part in body["parts"] if part["part"] == "whole_unit")
        covered[serial] = whole["covered"]
    assert set(covered.values()) == {True, False}


def test_seeded_customers_have_numbers_in_e164_and_addresses(runner, session):
    seed(runner)
    assert all(e164.startswith("+86") and e164[1:].isdigit() for e164 in session.scalars(select(CustomerPhone.e164)))
    assert all(customer.addresses for customer in session.scalars(select(Customer)))


def test_seeded_outlets_are_in_guangxi(runner, session):
    seed(runner)
    provinces = set(session.scalars(select(Outlet.province)))
    assert provinces == {"广西壮族自治区"}


def test_every_seeded_outlet_has_technicians(runner, session):
    seed(runner)
    assert all(outlet.technicians for outlet in session.scalars(select(Outlet)))


def test_some_seeded_outlets_may_serve_and_some_may_not(runner, session):
    seed(runner)
    assert {outlet.may_serve for outlet in session.scalars(select(Outlet))} == {True, False}


def test_the_api_lists_seeded_technicians_without_a_valid_certificate(runner, client, staff, clock):
    seed(runner)
    body = client.get("/api/v1/technicians?certified=false", headers=staff("agent")).json
    today = clock.now().astimezone(SHANGHAI).date().isoformat()
    expired = [t for t in body["items"] if t["certificate_number"] and t["certificate_expires_on"] < today]
    assert expired and not any(t["certified"] for t in body["items"])


def test_the_api_lists_seeded_technicians_with_a_valid_certificate(runner, client, staff):
    seed(runner)
    body = client.get("/api/v1/technicians?certified=true", headers=staff("agent")).json
    assert body["items"] and all(t["certified"] for t in body["items"])


def test_seeding_twice_changes_nothing(runner, session):
    seed(runner)
    first = snapshot(session)
    seed(runner)
    assert snapshot(session) == first


def test_seeding_twice_reports_nothing_created_the_second_time(runner, session):
    seed(runner)
    units = len(session.scalars(select(Unit)).all())
    second = seed(runner).output
    assert ("customers created 0, units created 0, units updated 0, "
            f"unchanged {units}; outlets created 0, technicians created 0") in second


def test_seeding_again_later_in_the_year_changes_nothing(runner, session, clock):
    seed(runner)
    first = snapshot(session)
    clock.set(datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI))
    seed(runner)
    assert snapshot(session) == first
