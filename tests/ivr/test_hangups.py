"""Nothing lost (P-REC-1): hang-ups mid-service leave a callback ticket; abandoned calls are counted."""
from __future__ import annotations

import pytest

from tests.ivr.conftest import HOTLINES, STRANGER, call_row, tickets


def test_a_hang_up_after_choosing_a_service_leaves_a_callback_ticket(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")                       # repair, choosing the unit
    call.hang_up()
    [ticket] = tickets(session)
    assert (ticket.kind, ticket.product_line, ticket.phone) == ("callback", "home_ac", known_customer.phones[0].e164)
    assert "报修" in ticket.summary and call.sid in ticket.summary
    row = call_row(session, call.sid)
    assert row.abandoned and row.callback_ticket_id == ticket.id


def test_a_hang_up_after_the_ticket_leaves_nothing_more(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    call.press("1")
    call.press("1")
    call.hang_up()
    assert [t.kind for t in tickets(session)] == ["repair"]


def test_a_hang_up_before_choosing_is_counted_but_owes_no_ticket(phone, session):
    call = phone(from_=STRANGER)
    call.dial()
    call.press("*")
    call.hang_up()
    assert tickets(session) == [] and call_row(session, call.sid).abandoned


def test_a_hang_up_during_the_welcome_is_recorded_as_abandoned(phone, session):
    call = phone(to=HOTLINES["water_heater"], from_=STRANGER)
    call.dial()
    call.hang_up()
    row = call_row(session, call.sid)
    assert row.abandoned and row.product_line == "water_heater" and row.end_status == "completed"


def test_a_call_that_reaches_goodbye_is_not_abandoned(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    call.press("1")
    call.press("1")
    assert "优惠" in call.press("2").text  # the known caller is offered marketing texts once
    assert call.press("2").hung_up
    call.hang_up()
    assert not call_row(session, call.sid).abandoned


def test_a_repeated_status_callback_leaves_one_callback_ticket(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("4")
    call.hang_up()
    call.hang_up()
    assert [t.kind for t in tickets(session)] == ["callback"]


def test_a_status_that_is_not_the_end_changes_nothing(phone, session, known_customer):
    call = phone()
    call.dial()
    call.press("1")
    call.hang_up(status="ringing")
    assert tickets(session) == [] and call_row(session, call.sid).ended_at is None


@pytest.mark.parametrize("status", ["busy", "failed", "canceled"])
def test_any_final_status_settles_the_call(phone, session, known_customer, status):
    call = phone()
    call.dial()
    call.press("3")
    call.hang_up(status=status)
    assert [t.kind for t in tickets(session)] == ["callback"]


def test_staff_read_the_counts_of_calls_and_abandoned_calls(phone, client, agent, known_customer):
    for keys in (["1"], ["1", "1", "1", "2", "2"], []):
        call = phone()
        call.dial()
        for key in keys:
            call.press(key)
        call.hang_up()
    other = phone(to=HOTLINES["water_heater"], from_=STRANGER)
    other.dial()
    other.hang_up()
    report = client.get("/api/v1/reports/calls", headers=agent).json
    assert report["total"] == {"calls": 4, "abandoned": 3, "callback_tickets": 1}
    assert report["by_product_line"] == [
        {"product_line": "home_ac", "calls": 3, "abandoned": 2, "callback_tickets": 1},
        {"product_line": "water_heater", "calls": 1, "abandoned": 1, "callback_tickets": 0}]


def test_the_calls_report_needs_a_staff_token_and_a_sane_range(client, agent):
    assert client.get("/api/v1/reports/calls").status_code == 401
    bad = client.get("/api/v1/reports/calls?from=2026-07-08&to=2026-07-01", headers=agent)
    assert bad.status_code == 400 and bad.json["fields"]["from"]
