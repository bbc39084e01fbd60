"""The ticket lifecycle table: every event from every status, for each kind of ticket."""
from __future__ import annotations

import pytest

from app.tickets.lifecycle import EventType, IllegalTransition, Kind, Status, allowed_events, transition

OPEN = {"received", "acknowledged", "dispatched", "on_site"}
# The moves every kind shares (interfaces.md, "JSON API"): event -> (statuses it is allowed from, target).
COMMON_MOVES = {
    "acknowledge": ({"received"}, "acknowledged"),
    "dispatch": ({"received", "acknowledged", "dispatched"}, "dispatched"),
    "arrive": ({"dispatched"}, "on_site"),
    "resolve": ({"on_site"}, "resolved"),
    "record_callback": ({"resolved"}, "verified"),
    "close": ({"verified"}, "closed"),
    "cancel": (OPEN, "cancelled"),
    "reopen": ({"resolved", "verified", "closed"}, "acknowledged"),
}
# Work that can be settled by phone, without a visit.
SETTLED_BY_PHONE = {"inquiry", "callback", "complaint"}
# Work whose result is not verified by a callback (P-REC-3 covers repairs, installs, maintenance, complaints).
CLOSED_WITHOUT_CALLBACK = {"inquiry", "callback"}


def expected_target(kind: str, status: str, event: str) -> str | None:
    """The status the spec says `event` leads to, or None when it is not allowed."""
    allowed, target = COMMON_MOVES[event]
    if event == "resolve" and kind in SETTLED_BY_PHONE:
        allowed = allowed | OPEN
    if event == "close" and kind in CLOSED_WITHOUT_CALLBACK:
        allowed = allowed | {"resolved"}
    return target if status in allowed else None


TABLE = [(k.value, s.value, e.value) for k in Kind for s in Status for e in EventType]


@pytest.mark.parametrize("kind, status, event", TABLE, ids=["-".join(row) for row in TABLE])
def test_every_event_from_every_status_follows_the_table(kind, status, event):
    target = expected_target(kind, status, event)
    if target is None:
        with pytest.raises(IllegalTransition) as refused:
            transition(kind, status, event)
        assert refused.value.reason.strip()
    else:
        move = transition(kind, status, event)
        assert (move.event.value, move.before.value, move.after.value) == (event, status, target)


@pytest.mark.parametrize("kind, status", [(k.value, s.value) for k in Kind for s in Status])
def test_allowed_events_lists_exactly_the_legal_moves(kind, status):
    legal = [e.value for e in EventType if expected_target(kind, status, e.value) is not None]
    assert allowed_events(kind, status) == legal


@pytest.mark.parametrize("kind, status, event, words", [
    ("repair", "resolved", "close", "callback"),
    ("install", "resolved", "close", "callback"),
    ("repair", "received", "resolve", "arrive first"),
    ("maintenance", "acknowledged", "resolve", "arrive first"),
    ("repair", "acknowledged", "acknowledge", "already acknowledged"),
    ("repair", "cancelled", "reopen", "cancelled"),
    ("repair", "received", "arrive", "must be dispatched"),
    ("complaint", "received", "reopen", "must be closed or resolved or verified"),
])
def test_a_refusal_says_why(kind, status, event, words):
    with pytest.raises(IllegalTransition) as refused:
        transition(kind, status, event)
    assert words in refused.value.reason


def test_an_unknown_event_type_is_refused_with_the_known_ones():
    with pytest.raises(IllegalTransition) as refused:
        transition("repair", "received", "teleport")
    assert "'teleport'" in refused.value.reason
    assert all(e.value in refused.value.reason for e in EventType)
