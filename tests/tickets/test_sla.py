"""The SLA clocks (P-SLA-1..4) and where a milestone stands at a moment."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.tickets.sla import MilestoneState, loaner_owed, milestone_state, milestones, sla_clocks

SH = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 7, 7, 10, 0, tzinfo=SH)
APPOINTMENT = datetime(2026, 7, 9, 14, 0, tzinfo=SH)
H = timedelta(hours=1)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize("kind", ["repair", "complaint"])
def test_repairs_and_complaints_run_from_reception(kind):
    clocks = sla_clocks(kind, RECEIVED)
    assert (clocks.respond_by, clocks.arrive_by, clocks.resolve_by) == (RECEIVED + H, RECEIVED + 2 * H, RECEIVED + 24 * H)


@pytest.mark.parametrize("kind", ["repair", "complaint"])
def test_reception_clocks_ignore_an_appointment(kind):
    clocks = sla_clocks(kind, RECEIVED, appointment_at=APPOINTMENT)
    assert clocks.arrive_by == RECEIVED + 2 * H


@pytest.mark.parametrize("kind", ["install", "maintenance"])
def test_booked_visits_run_from_the_appointment(kind):
    clocks = sla_clocks(kind, RECEIVED, appointment_at=APPOINTMENT)
    assert (clocks.respond_by, clocks.arrive_by, clocks.resolve_by) == (
        RECEIVED + H, APPOINTMENT + 2 * H, APPOINTMENT + 24 * H)


@pytest.mark.parametrize("kind", ["install", "maintenance"])
def test_an_unbooked_visit_owes_only_a_response(kind):
    clocks = sla_clocks(kind, RECEIVED)
    assert (clocks.respond_by, clocks.arrive_by, clocks.resolve_by, clocks.loaner_due_at) == (RECEIVED + H, None, None, None)


@pytest.mark.parametrize("kind", ["inquiry", "callback"])
def test_enquiries_and_callbacks_owe_only_a_response(kind):
    clocks = sla_clocks(kind, RECEIVED, appointment_at=APPOINTMENT, main_equipment=True)
    assert (clocks.respond_by, clocks.arrive_by, clocks.resolve_by, clocks.loaner_due_at) == (RECEIVED + H, None, None, None)


def test_a_main_equipment_repair_is_owed_a_loaner_after_24_hours():
    assert sla_clocks("repair", RECEIVED, main_equipment=True).loaner_due_at == RECEIVED + 24 * H


@pytest.mark.parametrize("kind, main_equipment", [
    ("repair", False), ("complaint", True), ("install", True), ("maintenance", True),
])
def test_no_loaner_except_for_main_equipment_repairs(kind, main_equipment):
    clocks = sla_clocks(kind, RECEIVED, appointment_at=APPOINTMENT, main_equipment=main_equipment)
    assert clocks.loaner_due_at is None


def test_a_naive_reception_time_is_refused():
    with pytest.raises(ValueError):
        sla_clocks("repair", datetime(2026, 7, 7, 10, 0))


DUE = RECEIVED + H
MILESTONE_CASES = [
    ("met exactly at the deadline is on time", DUE, DUE, DUE + H, MilestoneState.MET),
    ("met before the deadline", DUE, DUE - TICK, DUE + H, MilestoneState.MET),
    ("met one microsecond late", DUE, DUE + TICK, DUE + H, MilestoneState.MET_LATE),
    ("unmet at the deadline is still pending", DUE, None, DUE, MilestoneState.PENDING),
    ("unmet one microsecond after the deadline is breached", DUE, None, DUE + TICK, MilestoneState.BREACHED),
    ("no deadline and unmet does not apply", None, None, DUE, MilestoneState.NOT_APPLICABLE),
    ("no deadline but met counts as met", None, DUE, DUE, MilestoneState.MET),
]


@pytest.mark.parametrize("due, met_at, now, state", [c[1:] for c in MILESTONE_CASES], ids=[c[0] for c in MILESTONE_CASES])
def test_milestone_state_boundaries(due, met_at, now, state):
    assert milestone_state(due, met_at, now) is state


def test_milestones_compare_instants_not_wall_clocks():
    met_in_utc = (DUE + TICK).astimezone(ZoneInfo("UTC"))
    assert milestone_state(DUE, met_in_utc, DUE) is MilestoneState.MET_LATE


def test_milestones_are_respond_arrive_resolve_with_their_rule_ids():
    stones = milestones(respond_by=DUE, arrive_by=DUE + H, resolve_by=None, responded_at=DUE + TICK,
                        arrived_at=None, resolved_at=None, now=DUE + H + TICK)
    assert [(m.name, m.rule_id, m.state, m.breached) for m in stones] == [
        ("respond", "P-SLA-1", MilestoneState.MET_LATE, True),
        ("arrive", "P-SLA-2", MilestoneState.BREACHED, True),
        ("resolve", "P-SLA-3", MilestoneState.NOT_APPLICABLE, False),
    ]


LOANER_DUE = RECEIVED + 24 * H
LOANER_CASES = [
    ("not owed before 24 hours", LOANER_DUE, None, LOANER_DUE - TICK, False),
    ("not owed at exactly 24 hours (the repair may still finish on time)", LOANER_DUE, None, LOANER_DUE, False),
    ("owed once 24 hours have passed", LOANER_DUE, None, LOANER_DUE + TICK, True),
    ("not owed once resolved", LOANER_DUE, LOANER_DUE - H, LOANER_DUE + H, False),
    ("never owed without a loaner clock", None, None, LOANER_DUE + H, False),
]


@pytest.mark.parametrize("due, resolved_at, now, owed", [c[1:] for c in LOANER_CASES], ids=[c[0] for c in LOANER_CASES])
def test_loaner_owed_after_24_hours_unresolved(due, resolved_at, now, owed):
    assert loaner_owed(due, resolved_at, now) is owed
