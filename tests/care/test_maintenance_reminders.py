"""P-CARE-1: the free visit every 3 months during the warranty, offered once per due visit."""
from datetime import date

import pytest

from app.care.maintenance import add_months, due_visit
from app.messaging.suppressions import suppress
from tests.factories import make_customer, make_unit
from tests.surveys.support import at, texts_to

PHONE = "+8613800138000"
TODAY = at(7, 10)  # 2026-07-07


@pytest.fixture
def owner(session):
    customer = make_customer(session, phone=PHONE)
    session.commit()
    return customer


def unit_for(session, owner, *, last_maintenance_on=None, **fields):
    unit = make_unit(session, owner, **fields)
    unit.last_maintenance_on = last_maintenance_on
    session.commit()
    return unit


def test_an_owner_whose_unit_was_installed_4_months_ago_is_texted_how_to_book(session, run_job, owner):
    unit = unit_for(session, owner, installed_on=date(2026, 3, 1))
    run_job("maintenance_reminders", TODAY)
    [text] = texts_to(session, PHONE, "maintenance_reminder")
    assert unit.serial[-4:] in text.body and "预约" in text.body and "按4" in text.body and "400 675 7888" in text.body
    assert text.category == "reminder"


def test_the_next_days_run_sends_nothing_again(session, run_job, owner):
    unit_for(session, owner, installed_on=date(2026, 3, 1))
    run_job("maintenance_reminders", TODAY)
    run_job("maintenance_reminders", at(8, 10))
    assert len(texts_to(session, PHONE, "maintenance_reminder")) == 1


def test_the_next_due_visit_three_months_later_is_offered_again(session, run_job, owner):
    unit_for(session, owner, installed_on=date(2026, 3, 1))
    run_job("maintenance_reminders", TODAY)
    run_job("maintenance_reminders", at(7, 10).replace(month=9, day=2))
    assert len(texts_to(session, PHONE, "maintenance_reminder")) == 2


@pytest.mark.parametrize("fields", [
    {"installed_on": date(2026, 5, 1)},                                      # not 3 months yet
    {"installed_on": date(2025, 1, 1), "last_maintenance_on": date(2026, 6, 1)},  # visited last month
    {"installed_on": date(2018, 1, 1)},                                      # warranty ended in 2024
])
def test_no_reminder_before_the_visit_is_due_or_after_the_warranty(session, run_job, owner, fields):
    unit_for(session, owner, **fields)
    run_job("maintenance_reminders", TODAY)
    assert texts_to(session, PHONE, "maintenance_reminder") == []


def test_an_owner_with_only_a_landline_is_not_texted(session, run_job):
    landline_owner = make_customer(session, phone="+867712345678", kind="fixed_line")
    unit_for(session, landline_owner, installed_on=date(2026, 3, 1))
    run_job("maintenance_reminders", TODAY)
    assert texts_to(session, "+867712345678") == []


def test_an_owner_who_opted_out_gets_no_reminder(session, run_job, owner):
    unit_for(session, owner, installed_on=date(2026, 3, 1))
    suppress(session, PHONE, source="sms", reason="退订", now=TODAY)
    session.commit()
    run_job("maintenance_reminders", TODAY)
    assert [t.status for t in texts_to(session, PHONE, "maintenance_reminder")] == ["suppressed"]


def test_a_reminder_due_at_night_waits_for_the_morning(session, run_job, owner):
    unit_for(session, owner, installed_on=date(2026, 3, 1))
    run_job("maintenance_reminders", at(7, 21))
    [text] = texts_to(session, PHONE, "maintenance_reminder")
    assert text.send_after >= at(8, 8)


@pytest.mark.parametrize("last, today, due", [
    (date(2026, 3, 1), date(2026, 5, 31), None),
    (date(2026, 3, 1), date(2026, 6, 1), date(2026, 6, 1)),
    (date(2026, 3, 1), date(2026, 8, 31), date(2026, 6, 1)),
    (date(2026, 3, 1), date(2026, 9, 1), date(2026, 9, 1)),
    (date(2025, 11, 30), date(2026, 2, 28), date(2026, 2, 28)),  # the month's last day stands in for the 30th
])
def test_the_due_visit_is_the_latest_3_monthly_date_on_or_before_today(last, today, due):
    assert due_visit(last, today) == due


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28) and add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
