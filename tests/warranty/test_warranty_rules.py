"""Table-driven tests for the warranty rules P-WAR-1 .. P-WAR-8."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.warranty import (
    PARTS_ORDER,
    DowntimeSpell,
    add_years,
    is_covered,
    warranty_restarts,
    warranty_status,
)

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
D = date


def sh(y, m, d, h=0, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=SH)


def spell(ticket, start, end, users_fault=False):
    return DowntimeSpell(ticket, start, end, users_fault)


def status(line, on, installed=None, purchased=None, spells=(), tz=SH):
    return warranty_status(line, installed_on=installed, purchased_on=purchased,
                           spells=spells, on=on, tz=tz)


# --- P-WAR-1 .. P-WAR-6: cover terms ----------------------------------------

INSTALL = D(2020, 6, 15)
TERM_CASES = [
    # id, line, part, on, status, ends_on, rule_ids
    ("P-WAR-1 home_ac whole unit day before install not started", "home_ac", "whole_unit", D(2020, 6, 14), "not_started", D(2026, 6, 14), ("P-WAR-1",)),
    ("P-WAR-1 home_ac whole unit first day covered", "home_ac", "whole_unit", D(2020, 6, 15), "in_warranty", D(2026, 6, 14), ("P-WAR-1",)),
    ("P-WAR-1 home_ac whole unit last day covered", "home_ac", "whole_unit", D(2026, 6, 14), "in_warranty", D(2026, 6, 14), ("P-WAR-1",)),
    ("P-WAR-1 home_ac whole unit first day after expired", "home_ac", "whole_unit", D(2026, 6, 15), "expired", D(2026, 6, 14), ("P-WAR-1",)),
    ("P-WAR-2 home_ac compressor first day covered", "home_ac", "compressor", D(2020, 6, 15), "in_warranty", D(2026, 6, 14), ("P-WAR-2",)),
    ("P-WAR-2 home_ac compressor last day covered", "home_ac", "compressor", D(2026, 6, 14), "in_warranty", D(2026, 6, 14), ("P-WAR-2",)),
    ("P-WAR-2 home_ac compressor first day after expired", "home_ac", "compressor", D(2026, 6, 15), "expired", D(2026, 6, 14), ("P-WAR-2",)),
    ("P-WAR-3 home_ac parts day before install not started", "home_ac", "parts", D(2020, 6, 14), "not_started", None, ("P-WAR-3",)),
    ("P-WAR-3 home_ac parts first day lifetime", "home_ac", "parts", D(2020, 6, 15), "lifetime", None, ("P-WAR-3",)),
    ("P-WAR-3 home_ac parts day after whole unit expiry lifetime", "home_ac", "parts", D(2026, 6, 15), "lifetime", None, ("P-WAR-3",)),
    ("P-WAR-3 home_ac parts 30 years later lifetime", "home_ac", "parts", D(2050, 6, 15), "lifetime", None, ("P-WAR-3",)),
    ("P-WAR-4 commercial_ac whole unit first day covered", "commercial_ac", "whole_unit", D(2020, 6, 15), "in_warranty", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-4 commercial_ac whole unit last day covered", "commercial_ac", "whole_unit", D(2026, 6, 14), "in_warranty", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-4 commercial_ac whole unit first day after expired", "commercial_ac", "whole_unit", D(2026, 6, 15), "expired", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-4 commercial_ac compressor last day covered", "commercial_ac", "compressor", D(2026, 6, 14), "in_warranty", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-4 commercial_ac compressor first day after expired", "commercial_ac", "compressor", D(2026, 6, 15), "expired", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-4 commercial_ac parts last day covered", "commercial_ac", "parts", D(2026, 6, 14), "in_warranty", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-4 commercial_ac parts first day after expired not lifetime", "commercial_ac", "parts", D(2026, 6, 15), "expired", D(2026, 6, 14), ("P-WAR-4",)),
    ("P-WAR-5 water_heater main unit first day covered", "water_heater", "whole_unit", D(2020, 6, 15), "in_warranty", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-5 water_heater main unit last day covered", "water_heater", "whole_unit", D(2025, 6, 14), "in_warranty", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-5 water_heater main unit first day after expired", "water_heater", "whole_unit", D(2025, 6, 15), "expired", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-5 water_heater compressor last day covered", "water_heater", "compressor", D(2025, 6, 14), "in_warranty", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-5 water_heater compressor first day after expired", "water_heater", "compressor", D(2025, 6, 15), "expired", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-5 water_heater parts last day covered", "water_heater", "parts", D(2025, 6, 14), "in_warranty", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-5 water_heater parts first day after expired", "water_heater", "parts", D(2025, 6, 15), "expired", D(2025, 6, 14), ("P-WAR-5",)),
    ("P-WAR-6 water_heater tank first day covered", "water_heater", "tank", D(2020, 6, 15), "in_warranty", D(2028, 6, 14), ("P-WAR-6",)),
    ("P-WAR-6 water_heater tank covered after main unit expired", "water_heater", "tank", D(2025, 6, 15), "in_warranty", D(2028, 6, 14), ("P-WAR-6",)),
    ("P-WAR-6 water_heater tank last day covered", "water_heater", "tank", D(2028, 6, 14), "in_warranty", D(2028, 6, 14), ("P-WAR-6",)),
    ("P-WAR-6 water_heater tank first day after expired", "water_heater", "tank", D(2028, 6, 15), "expired", D(2028, 6, 14), ("P-WAR-6",)),
]


@pytest.mark.parametrize(
    "line, part, on, want_status, want_ends, want_rules",
    [c[1:] for c in TERM_CASES], ids=[c[0] for c in TERM_CASES],
)
def test_cover_terms(line, part, on, want_status, want_ends, want_rules):
    cover = status(line, on, installed=INSTALL).part(part)
    assert (cover.status, cover.covered, cover.ends_on, cover.rule_ids) == (
        want_status, want_status in ("in_warranty", "lifetime"), want_ends, want_rules)


@pytest.mark.parametrize("line", ["home_ac", "commercial_ac"],
                         ids=["P-WAR-6 tank not applicable on home_ac",
                              "P-WAR-6 tank not applicable on commercial_ac"])
def test_tank_not_applicable_on_ac(line):
    cover = status(line, D(2021, 1, 1), installed=INSTALL).part("tank")
    assert (cover.status, cover.covered, cover.ends_on) == ("not_applicable", False, None)


@pytest.mark.parametrize("line", ["home_ac", "commercial_ac", "water_heater"],
                         ids=["parts order home_ac", "parts order commercial_ac", "parts order water_heater"])
def test_every_part_reported_in_order(line):
    assert tuple(p.part for p in status(line, D(2021, 1, 1), installed=INSTALL).parts) == PARTS_ORDER


# --- basis --------------------------------------------------------------------

BASIS_CASES = [
    ("basis installed_on preferred over purchase date", D(2020, 6, 15), D(2020, 5, 1), "installed_on", D(2020, 6, 15)),
    ("basis purchased_on when install date unknown", None, D(2020, 5, 1), "purchased_on", D(2020, 5, 1)),
]


@pytest.mark.parametrize("installed, purchased, want_basis, want_start",
                         [c[1:] for c in BASIS_CASES], ids=[c[0] for c in BASIS_CASES])
def test_basis(installed, purchased, want_basis, want_start):
    st = status("home_ac", D(2021, 1, 1), installed=installed, purchased=purchased)
    assert (st.basis, st.original_start_on, st.part("whole_unit").starts_on) == (want_basis, want_start, want_start)


def test_basis_purchased_on_counts_term_from_purchase():
    st = status("home_ac", D(2026, 5, 1), purchased=D(2020, 5, 1))
    assert (st.part("whole_unit").status, st.part("whole_unit").ends_on) == ("expired", D(2026, 4, 30))


@pytest.mark.parametrize("part", ["whole_unit", "compressor", "parts", "tank"],
                         ids=lambda p: f"basis unknown water_heater {p} unknown not covered")
def test_basis_unknown_every_part_unknown(part):
    st = status("water_heater", D(2021, 1, 1))
    cover = st.part(part)
    assert (st.basis, st.in_warranty, cover.status, cover.covered, cover.starts_on, cover.ends_on) == (
        "unknown", False, "unknown", False, None, None)


def test_basis_unknown_home_ac_lifetime_parts_not_assumed():
    assert status("home_ac", D(2021, 1, 1)).part("parts").status == "unknown"


# --- 29 February ----------------------------------------------------------------

LEAP_CASES = [
    ("add_years 2020-02-29 + 6 lands on 1 March", D(2020, 2, 29), 6, D(2026, 3, 1)),
    ("add_years 2024-02-29 + 4 stays on 29 February", D(2024, 2, 29), 4, D(2028, 2, 29)),
    ("add_years ordinary day", D(2020, 6, 15), 5, D(2025, 6, 15)),
]


@pytest.mark.parametrize("start, years, want", [c[1:] for c in LEAP_CASES], ids=[c[0] for c in LEAP_CASES])
def test_add_years(start, years, want):
    assert add_years(start, years) == want


LEAP_STATUS_CASES = [
    ("P-WAR-1 install 2020-02-29 last covered day 2026-02-28", "home_ac", "whole_unit", D(2020, 2, 29), D(2026, 2, 28), "in_warranty", D(2026, 2, 28)),
    ("P-WAR-1 install 2020-02-29 expired on 2026-03-01", "home_ac", "whole_unit", D(2020, 2, 29), D(2026, 3, 1), "expired", D(2026, 2, 28)),
    ("P-WAR-5 install 2024-02-29 last covered day 2029-02-28", "water_heater", "whole_unit", D(2024, 2, 29), D(2029, 2, 28), "in_warranty", D(2029, 2, 28)),
    ("P-WAR-6 install 2024-02-29 tank last covered day 2032-02-28", "water_heater", "tank", D(2024, 2, 29), D(2032, 2, 28), "in_warranty", D(2032, 2, 28)),
    ("P-WAR-6 install 2024-02-29 tank expired on 2032-02-29", "water_heater", "tank", D(2024, 2, 29), D(2032, 2, 29), "expired", D(2032, 2, 28)),
]


@pytest.mark.parametrize("line, part, installed, on, want_status, want_ends",
                         [c[1:] for c in LEAP_STATUS_CASES], ids=[c[0] for c in LEAP_STATUS_CASES])
def test_leap_day_installs(line, part, installed, on, want_status, want_ends):
    cover = status(line, on, installed=installed).part(part)
    assert (cover.status, cover.ends_on) == (want_status, want_ends)


# --- P-WAR-7 downtime ledger ---------------------------------------------------------

I7 = D(2020, 1, 1)  # home_ac installed: whole unit covered to 2025-12-31

RESTART_CASES = [
    # id, spells, tz, expected [(restarted_on, ticket)]
    ("P-WAR-7 exactly 20 days no restart",
     [spell("T1", sh(2021, 3, 1, 10), sh(2021, 3, 21, 10))], SH, []),
    ("P-WAR-7 20 days 1 minute restarts on day unit works again",
     [spell("T1", sh(2021, 3, 1, 10), sh(2021, 3, 21, 10, 1))], SH, [(D(2021, 3, 21), "T1")]),
    ("P-WAR-7 restart date is Shanghai date not UTC date",
     [spell("T1", datetime(2021, 3, 1, 16, tzinfo=UTC), datetime(2021, 3, 21, 17, tzinfo=UTC))], SH,
     [(D(2021, 3, 22), "T1")]),
    ("P-WAR-7 restart date follows the business tz passed in",
     [spell("T1", datetime(2021, 3, 1, 16, tzinfo=UTC), datetime(2021, 3, 21, 17, tzinfo=UTC))], UTC,
     [(D(2021, 3, 21), "T1")]),
    ("P-WAR-7 two spells add up past 20 days",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 11)), spell("T2", sh(2021, 5, 1), sh(2021, 5, 11, 0, 1))], SH,
     [(D(2021, 5, 11), "T2")]),
    ("P-WAR-7 two spells adding up to exactly 20 days no restart",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 11)), spell("T2", sh(2021, 5, 1), sh(2021, 5, 11))], SH, []),
    ("P-WAR-7 overlapping spells not double counted",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 15)), spell("T2", sh(2021, 3, 10), sh(2021, 3, 21))], SH, []),
    ("P-WAR-7 overlapping spells ticket is the one running when limit crossed",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 15)), spell("T2", sh(2021, 3, 10), sh(2021, 3, 25))], SH,
     [(D(2021, 3, 25), "T2")]),
    ("P-WAR-7 spell fully inside another not counted twice",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 19)), spell("T2", sh(2021, 3, 5), sh(2021, 3, 10))], SH, []),
    ("P-WAR-7 users fault spells ignored",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 11)), spell("T2", sh(2021, 4, 1), sh(2021, 4, 16), users_fault=True)],
     SH, []),
    ("P-WAR-7 downtime after expiry ignored",
     [spell("T1", sh(2026, 1, 5), sh(2026, 2, 28))], SH, []),
    ("P-WAR-7 spell straddling expiry clipped to warranty",
     [spell("T1", sh(2025, 12, 20), sh(2026, 1, 30))], SH, []),
    ("P-WAR-7 straddling spell over limit inside warranty restarts when unit works again",
     [spell("T1", sh(2025, 12, 5), sh(2026, 1, 10))], SH, [(D(2026, 1, 10), "T1")]),
    ("P-WAR-7 open spell never restarts",
     [spell("T1", sh(2021, 3, 1), None)], SH, []),
    ("P-WAR-7 restart resets counter so 15 more days do not restart again",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 22)), spell("T2", sh(2021, 6, 1), sh(2021, 6, 16))], SH,
     [(D(2021, 3, 22), "T1")]),
    ("P-WAR-7 second restart needs another 20 days after the first",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 22)), spell("T2", sh(2021, 6, 1), sh(2021, 6, 16)),
      spell("T3", sh(2022, 1, 1), sh(2022, 1, 7))], SH,
     [(D(2021, 3, 22), "T1"), (D(2022, 1, 7), "T3")]),
    ("P-WAR-7 downtime before a restart does not count towards the next",
     [spell("T1", sh(2021, 3, 1), sh(2021, 4, 1)), spell("T2", sh(2021, 6, 1), sh(2021, 6, 20))], SH,
     [(D(2021, 4, 1), "T1")]),
    ("P-WAR-7 restarted period extends window for later downtime",
     [spell("T1", sh(2025, 3, 1), sh(2025, 3, 22)), spell("T2", sh(2026, 3, 1), sh(2026, 3, 22))], SH,
     [(D(2025, 3, 22), "T1"), (D(2026, 3, 22), "T2")]),
]


@pytest.mark.parametrize("spells, tz, want", [c[1:] for c in RESTART_CASES], ids=[c[0] for c in RESTART_CASES])
def test_restarts(spells, tz, want):
    got = warranty_restarts("home_ac", I7, spells, tz)
    assert [(r.restarted_on, r.ticket_number) for r in got] == want


def test_restart_records_downtime_and_reason():
    (r,) = warranty_restarts("home_ac", I7, [spell("T1", sh(2021, 3, 1), sh(2021, 3, 22, 3))], SH)
    assert (r.downtime, r.reason) == (
        timedelta(days=21, hours=3),
        "out of use 21 days 3 hours through its own fault within the warranty (P-WAR-7)",
    )


def test_restart_downtime_is_clipped_to_the_period():
    (r,) = warranty_restarts("home_ac", I7, [spell("T1", sh(2025, 12, 5), sh(2026, 1, 10))], SH)
    assert r.downtime == timedelta(days=27)


RESTART_21 = [spell("T1", sh(2021, 3, 1), sh(2021, 3, 22))]  # 21 days, restart 2021-03-22

STATUS_AFTER_RESTART_CASES = [
    # id, line, part, on, status, starts_on, ends_on, rule_ids
    ("P-WAR-7 restart after on ignored", "home_ac", "whole_unit", D(2021, 3, 21), "in_warranty", D(2020, 1, 1), D(2025, 12, 31), ("P-WAR-1",)),
    ("P-WAR-7 home_ac whole unit runs again from restart", "home_ac", "whole_unit", D(2021, 3, 22), "in_warranty", D(2021, 3, 22), D(2027, 3, 21), ("P-WAR-1", "P-WAR-7")),
    ("P-WAR-7 home_ac whole unit covered past original expiry", "home_ac", "whole_unit", D(2026, 6, 1), "in_warranty", D(2021, 3, 22), D(2027, 3, 21), ("P-WAR-1", "P-WAR-7")),
    ("P-WAR-7 home_ac whole unit expires day after restarted term", "home_ac", "whole_unit", D(2027, 3, 22), "expired", D(2021, 3, 22), D(2027, 3, 21), ("P-WAR-1", "P-WAR-7")),
    ("P-WAR-7 home_ac compressor gains P-WAR-7", "home_ac", "compressor", D(2021, 3, 22), "in_warranty", D(2021, 3, 22), D(2027, 3, 21), ("P-WAR-2", "P-WAR-7")),
    ("P-WAR-7 home_ac lifetime parts stay lifetime without P-WAR-7", "home_ac", "parts", D(2021, 3, 22), "lifetime", D(2020, 1, 1), None, ("P-WAR-3",)),
    ("P-WAR-7 commercial_ac parts run again", "commercial_ac", "parts", D(2021, 3, 22), "in_warranty", D(2021, 3, 22), D(2027, 3, 21), ("P-WAR-4", "P-WAR-7")),
    ("P-WAR-7 water_heater main unit runs again", "water_heater", "whole_unit", D(2021, 3, 22), "in_warranty", D(2021, 3, 22), D(2026, 3, 21), ("P-WAR-5", "P-WAR-7")),
    ("P-WAR-7 water_heater tank runs again", "water_heater", "tank", D(2021, 3, 22), "in_warranty", D(2021, 3, 22), D(2029, 3, 21), ("P-WAR-6", "P-WAR-7")),
    ("P-WAR-7 tank stays not applicable on AC after restart", "home_ac", "tank", D(2021, 3, 22), "not_applicable", None, None, ()),
]


@pytest.mark.parametrize("line, part, on, want_status, want_start, want_ends, want_rules",
                         [c[1:] for c in STATUS_AFTER_RESTART_CASES],
                         ids=[c[0] for c in STATUS_AFTER_RESTART_CASES])
def test_status_after_restart(line, part, on, want_status, want_start, want_ends, want_rules):
    cover = status(line, on, installed=I7, spells=RESTART_21).part(part)
    assert (cover.status, cover.starts_on, cover.ends_on, cover.rule_ids) == (
        want_status, want_start, want_ends, want_rules)


def test_status_period_fields_after_restart():
    st = status("home_ac", D(2021, 4, 1), installed=I7, spells=RESTART_21)
    assert (st.original_start_on, st.period_start_on, [r.restarted_on for r in st.restarts]) == (
        D(2020, 1, 1), D(2021, 3, 22), [D(2021, 3, 22)])


DOWNTIME_CASES = [
    # id, spells, on, expected downtime_in_period
    ("P-WAR-7 downtime in period counts merged spells",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 15)), spell("T2", sh(2021, 3, 10), sh(2021, 3, 20))],
     D(2021, 4, 1), timedelta(days=19)),
    ("P-WAR-7 downtime in period ignores users fault",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 5), users_fault=True)], D(2021, 4, 1), timedelta(0)),
    ("P-WAR-7 open spell counted to end of on day",
     [spell("T1", sh(2021, 3, 1, 12), None)], D(2021, 3, 10), timedelta(days=9, hours=12)),
    ("P-WAR-7 spell ending after on counted to end of on day",
     [spell("T1", sh(2021, 3, 1), sh(2021, 3, 30))], D(2021, 3, 10), timedelta(days=10)),
    ("P-WAR-7 counter restarts from zero after restart",
     RESTART_21, D(2021, 3, 22), timedelta(0)),
    ("P-WAR-7 counter after restart counts only later downtime",
     RESTART_21 + [spell("T2", sh(2021, 6, 1), sh(2021, 6, 6))], D(2021, 7, 1), timedelta(days=5)),
    ("P-WAR-7 downtime in period stops at expiry",
     [spell("T1", sh(2025, 12, 20), sh(2026, 1, 30))], D(2026, 2, 1), timedelta(days=12)),
]


@pytest.mark.parametrize("spells, on, want", [c[1:] for c in DOWNTIME_CASES], ids=[c[0] for c in DOWNTIME_CASES])
def test_downtime_in_period(spells, on, want):
    assert status("home_ac", on, installed=I7, spells=spells).downtime_in_period == want


def test_open_spell_over_limit_keeps_original_period():
    st = status("home_ac", D(2021, 6, 1), installed=I7, spells=[spell("T1", sh(2021, 3, 1), None)])
    assert (st.restarts, st.period_start_on, st.part("whole_unit").rule_ids) == ((), I7, ("P-WAR-1",))


# --- P-WAR-8 convenience, errors -----------------------------------------------------------

COVERED_CASES = [
    ("P-WAR-8 covered whole unit in warranty is free", "whole_unit", D(2021, 1, 1), True),
    ("P-WAR-8 expired whole unit not covered", "whole_unit", D(2026, 1, 1), False),
    ("P-WAR-8 lifetime parts covered after expiry", "parts", D(2026, 1, 1), True),
    ("P-WAR-8 not applicable tank not covered", "tank", D(2021, 1, 1), False),
]


@pytest.mark.parametrize("part, on, want", [c[1:] for c in COVERED_CASES], ids=[c[0] for c in COVERED_CASES])
def test_is_covered(part, on, want):
    assert is_covered(status("home_ac", on, installed=I7), part) is want


def test_unknown_product_line_status_raises():
    with pytest.raises(ValueError, match="unknown product line 'fridge'"):
        status("fridge", D(2021, 1, 1), installed=I7)


def test_unknown_product_line_restarts_raises():
    with pytest.raises(ValueError, match="unknown product line 'fridge'"):
        warranty_restarts("fridge", I7, [], SH)


def test_unknown_part_name_raises():
    with pytest.raises(ValueError, match="unknown part 'fan'"):
        status("home_ac", D(2021, 1, 1), installed=I7).part("fan")


def test_naive_spell_datetime_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        spell("T1", datetime(2021, 3, 1), None)
