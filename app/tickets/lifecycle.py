"""The ticket state machine: which event is allowed in which state, and where it leads.

Pure: no database, no clock. An illegal move raises `IllegalTransition` with the reason,
so the API can answer 409 and change nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    REPAIR = "repair"
    INSTALL = "install"
    COMPLAINT = "complaint"
    MAINTENANCE = "maintenance"
    INQUIRY = "inquiry"
    CALLBACK = "callback"


class Status(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class EventType(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DISPATCH = "dispatch"
    ARRIVE = "arrive"
    RESOLVE = "resolve"
    RECORD_CALLBACK = "record_callback"
    CLOSE = "close"
    CANCEL = "cancel"
    REOPEN = "reopen"


# Kinds whose work is done at the customer's place: they must be dispatched before resolving.
ON_SITE_KINDS = frozenset({Kind.REPAIR, Kind.INSTALL, Kind.MAINTENANCE})
# Kinds whose result is verified by a callback before closing (P-REC-3, P-INS-3, P-REP-2).
VERIFIED_KINDS = frozenset({Kind.REPAIR, Kind.INSTALL, Kind.MAINTENANCE, Kind.COMPLAINT})
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.DISPATCHED, Status.ON_SITE})

_MOVES: dict[EventType, tuple[frozenset[Status], Status]] = {
    EventType.ACKNOWLEDGE: (frozenset({Status.RECEIVED}), Status.ACKNOWLEDGED),
    # Dispatching straight from `received` also counts as the response (P-SLA-1).
    EventType.DISPATCH: (frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.DISPATCHED}), Status.DISPATCHED),
    EventType.ARRIVE: (frozenset({Status.DISPATCHED}), Status.ON_SITE),
    EventType.RESOLVE: (frozenset({Status.ON_SITE}), Status.RESOLVED),
    EventType.RECORD_CALLBACK: (frozenset({Status.RESOLVED}), Status.VERIFIED),
    EventType.CLOSE: (frozenset({Status.VERIFIED}), Status.CLOSED),
    EventType.CANCEL: (OPEN_STATUSES, Status.CANCELLED),
    # A reopened ticket is owned already, so it goes back to `acknowledged` to be dispatched again.
    EventType.REOPEN: (frozenset({Status.RESOLVED, Status.VERIFIED, Status.CLOSED}), Status.ACKNOWLEDGED),
}


class IllegalTransition(Exception):
    """The event is not allowed in the ticket's state; `reason` says why, for the 409 answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Transition:
    """An allowed move: the state before and after one event."""

    event: EventType
    before: Status
    after: Status


def _allowed_from(kind: Kind, event: EventType) -> frozenset[Status]:
    allowed, _ = _MOVES[event]
    if event is EventType.RESOLVE and kind not in ON_SITE_KINDS:
        # Enquiries, callbacks and complaints can be settled by phone, without a visit.
        allowed = allowed | {Status.RECEIVED, Status.ACKNOWLEDGED, Status.DISPATCHED}
    if event is EventType.CLOSE and kind not in VERIFIED_KINDS:
        allowed = allowed | {Status.RESOLVED}
    return allowed


def transition(kind: Kind | str, status: Status | str, event: EventType | str) -> Transition:
    """The move `event` makes from `status` for a ticket of `kind`, or IllegalTransition."""
    kind, status = Kind(kind), Status(status)
    try:
        event = EventType(event)
    except ValueError:
        known = ", ".join(e.value for e in EventType)
        raise IllegalTransition(f"unknown event type {event!r}; expected one of: {known}") from None
    allowed = _allowed_from(kind, event)
    if status not in allowed:
        raise IllegalTransition(_refusal(kind, status, event, allowed))
    return Transition(event=event, before=status, after=_MOVES[event][1])


def _refusal(kind: Kind, status: Status, event: EventType, allowed: frozenset[Status]) -> str:
    if status is Status.CANCELLED:
        return f"the ticket is cancelled; it cannot {event.value}"
    if event is EventType.CLOSE and status is Status.RESOLVED:
        return "a resolved ticket is closed only after its callback result is recorded (P-REC-3)"
    if event is EventType.RESOLVE and kind in ON_SITE_KINDS and status in OPEN_STATUSES:
        return f"a {kind.value} is resolved on site: the technician must arrive first (status is {status.value})"
    if event is EventType.ACKNOWLEDGE and status is not Status.RECEIVED:
        return f"the ticket was already acknowledged (status is {status.value})"
    wanted = " or ".join(sorted(s.value for s in allowed))
    return f"cannot {event.value} a ticket that is {status.value}; it must be {wanted}"


def allowed_events(kind: Kind | str, status: Status | str) -> list[str]:
    """Every event type allowed now: shown to staff so the console offers only legal moves."""
    kind, status = Kind(kind), Status(status)
    return [e.value for e in EventType if status in _allowed_from(kind, e)]
