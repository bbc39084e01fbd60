"""Reading the API's JSON in tests."""
from __future__ import annotations


def milestone(ticket: dict, name: str) -> dict:
    """The milestone `name` (respond, arrive, resolve) of a ticket's JSON."""
    return next(m for m in ticket["milestones"] if m["name"] == name)


def event_types(ticket: dict) -> list[str]:
    return [e["type"] for e in ticket["events"]]
