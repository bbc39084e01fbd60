"""GET /api/v1/units/<serial>/warranty: the cover of each part on a day, by rule (P-WAR-1..7)."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_unit

INSTALLED = date(2020, 6, 15)

# rule, product line, installed_on, purchased_on, on, part -> status, covered, starts_on, ends_on
COVER_ROWS = [
    ("P-WAR-1 home AC whole unit, last covered day", "home_ac", INSTALLED, None, "2026-06-14", "whole_unit",
     "in_warranty", True, "2020-06-15", "2026-06-14"),
    ("P-WAR-1 home AC whole unit, the day after", "home_ac", INSTALLED, None, "2026-06-15", "whole_unit",
     "expired", False, "2020-06-15", "2026-06-14"),
    ("P-WAR-2 home AC compressor, last covered day", "home_ac", INSTALLED, None, "2026-06-14", "compressor",
     "in_warranty", True, "2020-06-15", "2026-06-14"),
    ("P-WAR-2 home AC compressor, the day after", "home_ac", INSTALLED, None, "2026-06-15", "compressor",
     "expired", False, "2020-06-15", "2026-06-14"),
    ("P-WAR-3 home AC parts, free for life", "home_ac", INSTALLED, None, "2045-01-01", "parts",
     "lifetime", True, "2020-06-15", None),
    ("P-WAR-4 commercial AC whole unit, last covered day", "commercial_ac", INSTALLED, None, "2026-06-14",
     "whole_unit", "in_warranty", True, "2020-06-15", "2026-06-14"),
    ("P-WAR-4 commercial AC whole unit, the day after", "commercial_ac", INSTALLED, None, "2026-06-15",
     "whole_unit", "expired", False, "2020-06-15", "2026-06-14"),
    ("P-WAR-4 commercial AC parts are not for life", "commercial_ac", INSTALLED, None, "2026-06-15", "parts",
     "expired", False, "2020-06-15", "2026-06-14"),
    ("P-WAR-5 water heater main unit, last covered day", "water_heater", INSTALLED, None, "2025-06-14",
     "whole_unit", "in_warranty", True, "2020-06-15", "2025-06-14"),
    ("P-WAR-5 water heater main unit, the day after", "water_heater", INSTALLED, None, "2025-06-15",
     "whole_unit", "expired", False, "2020-06-15", "2025-06-14"),
    ("P-WAR-6 water heater tank outlives the main unit", "water_heater", INSTALLED, None, "2025-06-15", "tank",
     "in_warranty", True, "2020-06-15", "2028-06-14"),
    ("P-WAR-6 water heater tank, last covered day", "water_heater", INSTALLED, None, "2028-06-14", "tank",
     "in_warranty", True, "2020-06-15", "2028-06-14"),
    ("P-WAR-6 water heater tank, the day after", "water_heater", INSTALLED, None, "2028-06-15", "tank",
     "expired", False, "2020-06-15", "2028-06-14"),
    ("an AC has no tank", "home_ac", INSTALLED, None, "2022-01-01", "tank",
     "not_applicable", False, None, None),
    ("purchase date stands in when the install date is unknown", "home_ac", None, date(2021, 3, 1), "2027-02-28",
     "whole_unit", "in_warranty", True, "2021-03-01", "2027-02-28"),
    ("the install date wins over the purchase date", "home_ac", INSTALLED, date(2020, 1, 1), "2026-06-14",
     "whole_unit", "in_warranty", True, "2020-06-15", "2026-06-14"),
    ("no date at all: cover unknown until proof of purchase", "home_ac", None, None, "2022-01-01", "whole_unit",
     "unknown", False, None, None),
]


@pytest.mark.parametrize("line, installed, purchased, on, part, status, covered, starts, ends",
                         [r[1:] for r in COVER_ROWS], ids=[r[0] for r in COVER_ROWS])
def test_cover_of_each_part_by_rule(desk, session, line, installed, purchased, on, part, status, covered, starts, ends):
    unit = make_unit(session, product_line=line, installed_on=installed, purchased_on=purchased)
    session.commit()
    view = desk.get(f"/units/{unit.serial}/warranty", on=on).json
    cover = next(p for p in view["parts"] if p["part"] == part)
    assert (cover["status"], cover["covered"], cover["starts_on"], cover["ends_on"]) == (status, covered, starts, ends)


@pytest.mark.parametrize("line, rules", [
    ("home_ac", {"whole_unit": ["P-WAR-1"], "compressor": ["P-WAR-2"], "parts": ["P-WAR-3"], "tank": []}),
    ("commercial_ac", {"whole_unit": ["P-WAR-4"], "compressor": ["P-WAR-4"], "parts": ["P-WAR-4"], "tank": []}),
    ("water_heater", {"whole_unit": ["P-WAR-5"], "compressor": ["P-WAR-5"], "parts": ["P-WAR-5"], "tank": ["P-WAR-6"]}),
])
def test_every_part_names_the_rule_that_decides_it(desk, session, line, rules):
    unit = make_unit(session, product_line=line, installed_on=INSTALLED)
    session.commit()
    view = desk.get(f"/units/{unit.serial}/warranty", on="2022-01-01").json
    assert {p["part"]: p["rule_ids"] for p in view["parts"]} == rules


def test_the_view_names_its_basis_and_day(desk, session):
    unit = make_unit(session, installed_on=None, purchased_on=date(2021, 3, 1))
    session.commit()
    view = desk.get(f"/units/{unit.serial}/warranty", on="2022-01-01").json
    assert (view["serial"], view["product_line"], view["on"], view["basis"], view["in_warranty"]) == (
        unit.serial, "home_ac", "2022-01-01", "purchased_on", True)


def test_without_a_day_the_view_is_for_today_in_business_time(desk, session):
    unit = make_unit(session)
    session.commit()
    assert desk.get(f"/units/{unit.serial}/warranty").json["on"] == "2026-07-07"


def test_the_serial_is_found_whatever_its_case(desk, session):
    unit = make_unit(session, serial="HA20260001")
    session.commit()
    assert desk.get("/units/ha20260001/warranty").json["serial"] == "HA20260001"


def test_an_unknown_serial_is_404(desk):
    response = desk.get("/units/NOSUCH0001/warranty")
    assert response.status_code == 404
    assert "NOSUCH0001" in response.json["message"]


@pytest.mark.parametrize("on", ["2026-13-01", "07/07/2026", "yesterday"])
def test_a_day_that_is_not_a_date_is_400(desk, session, on):
    unit = make_unit(session)
    session.commit()
    response = desk.get(f"/units/{unit.serial}/warranty", on=on)
    assert response.status_code == 400
    assert "on" in response.json["fields"]


# --- P-WAR-7: more than 20 days out of use through its own fault restarts the warranty ---

def _repair_out_of_use_for(desk, session, clock, *, users_fault: bool = False, **out_of_use) -> tuple[str, str]:
    """File a repair of a home AC installed 2024-05-01, fix it after `out_of_use`; return (serial, ticket number)."""
    unit = make_unit(session, installed_on=date(2024, 5, 1))
    session.commit()
    number = desk.open(serial=unit.serial, phone="13800138000")["number"]
    desk.walk(number, "acknowledge", "dispatch", "arrive")
    clock.advance(**out_of_use)
    resolved = desk.event(number, "resolve", users_fault=users_fault)
    assert resolved.status_code == 201, resolved.json
    return unit.serial, number


def _whole_unit(view: dict) -> dict:
    return next(p for p in view["parts"] if p["part"] == "whole_unit")


def test_p_war_7_twenty_days_and_a_minute_restarts_cover_from_the_resolution_day(desk, session, clock):
    serial, number = _repair_out_of_use_for(desk, session, clock, days=20, minutes=1)
    view = desk.get(f"/units/{serial}/warranty", on="2026-07-27").json
    whole = _whole_unit(view)
    assert (whole["starts_on"], whole["ends_on"]) == ("2026-07-27", "2032-07-26")
    assert whole["rule_ids"] == ["P-WAR-1", "P-WAR-7"]
    assert view["period_start_on"] == "2026-07-27"


def test_p_war_7_the_restart_is_recorded_with_its_ticket(desk, session, clock):
    serial, number = _repair_out_of_use_for(desk, session, clock, days=20, minutes=1)
    recorded = desk.get(f"/units/{serial}/warranty", on="2026-07-27").json["restarts_recorded"]
    assert [(r["restarted_on"], r["ticket_number"]) for r in recorded] == [("2026-07-27", number)]


def test_p_war_7_the_customer_is_texted_the_new_end_date(desk, session, clock):
    _repair_out_of_use_for(desk, session, clock, days=20, minutes=1)
    texts = desk.get("/messages", phone="13800138000").json["items"]
    restarted = [m for m in texts if m["template"] == "warranty_restarted"]
    assert len(restarted) == 1
    assert "2032-07-26" in restarted[0]["body"] and restarted[0]["direction"] == "out"


def test_p_war_7_exactly_twenty_days_does_not_restart(desk, session, clock):
    serial, _ = _repair_out_of_use_for(desk, session, clock, days=20)
    view = desk.get(f"/units/{serial}/warranty", on="2026-07-27").json
    whole = _whole_unit(view)
    assert (whole["starts_on"], whole["ends_on"], whole["rule_ids"]) == ("2024-05-01", "2030-04-30", ["P-WAR-1"])
    assert view["restarts_recorded"] == []
    assert not [m for m in desk.get("/messages", phone="13800138000").json["items"]
                if m["template"] == "warranty_restarted"]


def test_p_war_7_downtime_through_the_users_fault_does_not_count(desk, session, clock):
    serial, _ = _repair_out_of_use_for(desk, session, clock, users_fault=True, days=20, minutes=1)
    view = desk.get(f"/units/{serial}/warranty", on="2026-07-27").json
    assert (_whole_unit(view)["ends_on"], view["restarts_recorded"]) == ("2030-04-30", [])


def test_p_war_7_a_day_before_the_restart_still_shows_the_original_period(desk, session, clock):
    serial, _ = _repair_out_of_use_for(desk, session, clock, days=20, minutes=1)
    view = desk.get(f"/units/{serial}/warranty", on="2026-07-26").json
    assert (_whole_unit(view)["ends_on"], _whole_unit(view)["rule_ids"]) == ("2030-04-30", ["P-WAR-1"])


def test_p_war_7_a_reopened_repair_counts_only_the_days_out_of_use(desk, session, clock):
    unit = make_unit(session, installed_on=date(2024, 5, 1))
    session.commit()
    number = desk.open(serial=unit.serial)["number"]
    desk.walk(number, "acknowledge", "dispatch", "arrive")
    clock.advance(days=2)
    desk.walk(number, "resolve", "record_callback", "close")
    clock.advance(days=30)  # working again all this time
    desk.walk(number, "reopen", "dispatch", "arrive")
    clock.advance(days=1)
    desk.walk(number, "resolve")
    view = desk.get(f"/units/{unit.serial}/warranty").json
    assert (_whole_unit(view)["ends_on"], view["restarts_recorded"]) == ("2030-04-30", [])
    assert view["downtime_in_period_days"] == 3.0


def test_p_war_7_the_spells_of_a_reopened_repair_add_up(desk, session, clock):
    unit = make_unit(session, installed_on=date(2024, 5, 1))
    session.commit()
    number = desk.open(serial=unit.serial)["number"]
    desk.walk(number, "acknowledge", "dispatch", "arrive")
    clock.advance(days=15)
    desk.walk(number, "resolve")
    clock.advance(days=7)
    desk.walk(number, "reopen", "dispatch", "arrive")
    clock.advance(days=5, minutes=1)
    desk.walk(number, "resolve")  # 15 d + 5 d 1 min out of use: over 20 days on 2026-08-03
    recorded = desk.get(f"/units/{unit.serial}/warranty").json["restarts_recorded"]
    assert [(r["restarted_on"], r["ticket_number"]) for r in recorded] == [("2026-08-03", number)]


def test_a_cancelled_repair_is_no_downtime(desk, session, clock):
    unit = make_unit(session, installed_on=date(2024, 5, 1))
    session.commit()
    number = desk.open(serial=unit.serial)["number"]
    clock.advance(days=25)
    desk.walk(number, "cancel")
    assert desk.get(f"/units/{unit.serial}/warranty").json["downtime_in_period_days"] == 0


def test_an_open_repair_counts_as_downtime_until_today(desk, session, clock):
    unit = make_unit(session, installed_on=date(2024, 5, 1))
    session.commit()
    desk.open(serial=unit.serial)
    clock.advance(days=3)
    view = desk.get(f"/units/{unit.serial}/warranty", on="2026-07-09").json
    assert view["downtime_in_period_days"] == 2.583  # 10:00 on 07-07 to the end of 07-09
