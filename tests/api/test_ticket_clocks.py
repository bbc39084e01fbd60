"""P-SLA-1..3 through the API: the deadlines a ticket shows, and how its first milestone is met."""
from __future__ import annotations

from datetime import datetime

from tests.api.readers import milestone


def test_a_repair_received_at_ten_is_due_a_response_at_eleven_a_visit_at_noon_and_a_fix_next_morning(desk):
    ticket = desk.open(kind="repair")
    assert ticket["created_at"] == "2026-07-07T10:00:00+08:00"
    assert (ticket["respond_by"], ticket["arrive_by"], ticket["resolve_by"]) == (
        "2026-07-07T11:00:00+08:00", "2026-07-07T12:00:00+08:00", "2026-07-08T10:00:00+08:00")


def test_the_deadlines_read_back_the_same_from_the_database(desk):
    number = desk.open()["number"]
    ticket = desk.get(f"/tickets/{number}").json
    assert (ticket["created_at"], ticket["respond_by"], ticket["arrive_by"], ticket["resolve_by"]) == (
        "2026-07-07T10:00:00+08:00", "2026-07-07T11:00:00+08:00", "2026-07-07T12:00:00+08:00",
        "2026-07-08T10:00:00+08:00")


def test_a_new_ticket_has_every_milestone_pending(desk):
    ticket = desk.open()
    assert [(m["name"], m["rule_id"], m["state"]) for m in ticket["milestones"]] == [
        ("respond", "P-SLA-1", "pending"), ("arrive", "P-SLA-2", "pending"), ("resolve", "P-SLA-3", "pending")]


def test_acknowledging_at_ten_forty_meets_the_first_milestone(desk, clock):
    number = desk.open()["number"]
    clock.advance(minutes=40)
    ticket = desk.event(number, "acknowledge").json
    respond = milestone(ticket, "respond")
    assert (respond["state"], respond["met_at"], respond["breached"]) == ("met", "2026-07-07T10:40:00+08:00", False)
    assert ticket["respond_breached"] is False


def test_acknowledging_exactly_at_eleven_is_still_on_time(desk, clock):
    number = desk.open()["number"]
    clock.advance(hours=1)
    ticket = desk.event(number, "acknowledge").json
    assert milestone(ticket, "respond")["state"] == "met"
    assert ticket["respond_breached"] is False


def test_acknowledging_at_one_minute_past_eleven_is_met_late_and_breached(desk, clock):
    number = desk.open()["number"]
    clock.advance(minutes=61)
    ticket = desk.event(number, "acknowledge").json
    respond = milestone(ticket, "respond")
    assert (respond["state"], respond["met_at"], respond["breached"]) == ("met_late", "2026-07-07T11:01:00+08:00", True)
    assert ticket["respond_breached"] is True


def test_the_late_acknowledgement_records_the_breach_in_its_event(desk, clock):
    number = desk.open()["number"]
    clock.advance(minutes=61)
    ack = desk.event(number, "acknowledge").json["events"][-1]
    assert ack["changes"]["respond_breached"] == [False, True]
    assert ack["changes"]["responded_at"][0] is None
    assert datetime.fromisoformat(ack["changes"]["responded_at"][1]) == datetime.fromisoformat("2026-07-07T11:01:00+08:00")


def test_an_unanswered_ticket_shows_the_response_breached_once_past_due(desk, clock):
    number = desk.open()["number"]
    clock.advance(minutes=61)
    assert milestone(desk.get(f"/tickets/{number}").json, "respond")["state"] == "breached"


def test_an_install_is_due_on_site_within_two_hours_of_its_appointment(desk):
    ticket = desk.open(kind="install", appointment_at="2026-07-09T14:00:00+08:00")
    assert (ticket["appointment_at"], ticket["respond_by"], ticket["arrive_by"], ticket["resolve_by"]) == (
        "2026-07-09T14:00:00+08:00", "2026-07-07T11:00:00+08:00", "2026-07-09T16:00:00+08:00",
        "2026-07-10T14:00:00+08:00")


def test_an_appointment_given_in_utc_shows_in_business_time(desk):
    ticket = desk.open(kind="maintenance", appointment_at="2026-07-09T06:00:00Z")
    assert ticket["appointment_at"] == "2026-07-09T14:00:00+08:00"


def test_an_enquiry_owes_only_a_response(desk):
    ticket = desk.open(kind="inquiry")
    assert (ticket["respond_by"], ticket["arrive_by"], ticket["resolve_by"]) == ("2026-07-07T11:00:00+08:00", None, None)


def test_a_main_equipment_repair_shows_when_a_loaner_is_owed(desk, clock):
    number = desk.open(kind="repair")["number"]
    clock.advance(hours=24, minutes=1)
    ticket = desk.get(f"/tickets/{number}").json
    assert (ticket["loaner_due_at"], ticket["loaner_owed"]) == ("2026-07-08T10:00:00+08:00", True)


def test_dispatching_straight_from_received_counts_as_the_response(desk, clock):
    number = desk.open()["number"]
    clock.advance(minutes=30)
    ticket = desk.event(number, "dispatch").json
    assert (milestone(ticket, "respond")["state"], ticket["status"]) == ("met", "dispatched")


def test_arriving_after_noon_breaches_the_visit_but_not_the_response(desk, clock):
    number = desk.open()["number"]
    desk.walk(number, "acknowledge", "dispatch")
    clock.advance(hours=2, seconds=1)
    ticket = desk.event(number, "arrive").json
    assert (milestone(ticket, "arrive")["state"], ticket["arrive_breached"], ticket["respond_breached"]) == (
        "met_late", True, False)


def test_resolving_the_next_morning_at_ten_is_on_time(desk, clock):
    number = desk.open()["number"]
    desk.walk(number, "acknowledge", "dispatch", "arrive")
    clock.advance(hours=24)
    ticket = desk.event(number, "resolve").json
    assert (milestone(ticket, "resolve")["state"], ticket["resolve_breached"], ticket["loaner_owed"]) == (
        "met", False, False)
