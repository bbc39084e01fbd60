"""The response clocks of P-SLA-1..4, as pure functions of the reception time and `now`.

Repairs and complaints run from reception: respond in 1 h, on site in 2 h, finished in 24 h,
and a main-equipment fault still unfixed at 24 h is owed a free loaner unit (P-SLA-4).
Installs and maintenance visits run on their booked appointment instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RESPOND_WITHIN = timedelta(hours=1)   # P-SLA-1
ARRIVE_WITHIN = timedelta(hours=2)    # P-SLA-2
RESOLVE_WITHIN = timedelta(hours=24)  # P-SLA-3
LOANER_AFTER = timedelta(hours=24)    # P-SLA-4
# A booked visit is on time when the technician arrives within this window of the booked start.
APPOINTMENT_WINDOW = timedelta(hours=2)

FROM_RECEPTION_KINDS = frozenset({"repair", "complaint"})
APPOINTMENT_KINDS = frozenset({"install", "maintenance"})


@dataclass(frozen=True)
class SlaClocks:
    """The deadlines of one ticket; None where a milestone does not apply (yet)."""

    respond_by: datetime
    arrive_by: datetime | None
    resolve_by: datetime | None
    loaner_due_at: datetime | None


def sla_clocks(
    kind: str,
    received_at: datetime,
    *,
    appointment_at: datetime | None = None,
    main_equipment: bool = False,
) -> SlaClocks:
    """The deadlines for a ticket of `kind` received at `received_at` (P-SLA-1..4)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    respond_by = received_at + RESPOND_WITHIN
    if kind in FROM_RECEPTION_KINDS:
        loaner = received_at + LOANER_AFTER if (kind == "repair" and main_equipment) else None
        return SlaClocks(respond_by, received_at + ARRIVE_WITHIN, received_at + RESOLVE_WITHIN, loaner)
    if kind in APPOINTMENT_KINDS and appointment_at is not None:
        return SlaClocks(respond_by, appointment_at + APPOINTMENT_WINDOW, appointment_at + RESOLVE_WITHIN, None)
    # Enquiries and callbacks owe a response only; an unbooked visit gets its clocks when booked.
    return SlaClocks(respond_by, None, None, None)


class MilestoneState(StrEnum):
    PENDING = "pending"          # not met, not yet due
    MET = "met"                  # met on time
    MET_LATE = "met_late"        # met, but after the deadline: a breach on record
    BREACHED = "breached"        # not met and past the deadline
    NOT_APPLICABLE = "not_applicable"


def milestone_state(due: datetime | None, met_at: datetime | None, now: datetime) -> MilestoneState:
    """Where one milestone stands at `now`. Meeting it exactly at the deadline is on time."""
    if due is None:
        return MilestoneState.NOT_APPLICABLE if met_at is None else MilestoneState.MET
    if met_at is not None:
        return MilestoneState.MET if met_at <= due else MilestoneState.MET_LATE
    return MilestoneState.BREACHED if now > due else MilestoneState.PENDING


@dataclass(frozen=True)
class Milestone:
    """One clock of a ticket as staff see it."""

    name: str
    rule_id: str
    due: datetime | None
    met_at: datetime | None
    state: MilestoneState

    @property
    def breached(self) -> bool:
        return self.state in (MilestoneState.MET_LATE, MilestoneState.BREACHED)


def milestones(
    *,
    respond_by: datetime | None,
    arrive_by: datetime | None,
    resolve_by: datetime | None,
    responded_at: datetime | None,
    arrived_at: datetime | None,
    resolved_at: datetime | None,
    now: datetime,
) -> list[Milestone]:
    """The three milestones of a ticket at `now`, in order."""
    rows = (
        ("respond", "P-SLA-1", respond_by, responded_at),
        ("arrive", "P-SLA-2", arrive_by, arrived_at),
        ("resolve", "P-SLA-3", resolve_by, resolved_at),
    )
    return [Milestone(n, r, due, met, milestone_state(due, met, now)) for n, r, due, met in rows]


def loaner_owed(loaner_due_at: datetime | None, resolved_at: datetime | None, now: datetime) -> bool:
    """P-SLA-4: a main-equipment fault still unresolved *after* its 24 hours is owed a loaner unit."""
    # Strictly after, as with milestone_state: a repair finished exactly at 24 h is on time.
    return loaner_due_at is not None and resolved_at is None and now > loaner_due_at
