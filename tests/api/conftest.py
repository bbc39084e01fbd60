"""Fixtures for the staff API specs: a desk that files tickets and events as an agent, and row counts."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import make_technician

# The tables a refused request must leave untouched.
WRITTEN_TABLES = ("tickets", "ticket_events", "messages", "escalations")

# The payload each event type needs when a test does not care about it.
DEFAULT_PAYLOADS = {
    "record_callback": {"score": 5, "note": "满意"},
    "cancel": {"note": "客户取消"},
    "reopen": {"note": "故障复发"},
}


class Desk:
    """An agent at the staff API: files tickets and moves them, as a staff tool would."""

    def __init__(self, client, headers: dict, session) -> None:
        self.client, self.headers, self.session = client, headers, session
        self._technician_id: int | None = None

    @property
    def technician_id(self) -> int:
        """A certified technician of an outlet under signed, reviewed contract (made on first use)."""
        if self._technician_id is None:
            self._technician_id = make_technician(self.session).id
            self.session.commit()
        return self._technician_id

    def create(self, headers: dict | None = None, **fields):
        """POST /tickets with a home-AC repair from 13800138000 unless `fields` say otherwise."""
        body = {"kind": "repair", "product_line": "home_ac", "phone": "13800138000", **fields}
        return self.client.post("/api/v1/tickets", json=body, headers=headers or self.headers)

    def open(self, **fields) -> dict:
        """A new ticket's JSON; fails the test unless it was created."""
        response = self.create(**fields)
        assert response.status_code == 201, response.json
        return response.json

    def event(self, number: str, type_: str, headers: dict | None = None, **payload):
        """POST one event; dispatch defaults to the certified technician, other types to DEFAULT_PAYLOADS."""
        if type_ == "dispatch" and "technician_id" not in payload:
            payload["technician_id"] = self.technician_id
        body = {"type": type_, **DEFAULT_PAYLOADS.get(type_, {}), **payload}
        return self.client.post(f"/api/v1/tickets/{number}/events", json=body, headers=headers or self.headers)

    def walk(self, number: str, *types: str) -> dict:
        """Apply each event in turn; fails the test at the first one refused. Returns the ticket after."""
        ticket = None
        for type_ in types:
            response = self.event(number, type_)
            assert response.status_code == 201, (type_, response.json)
            ticket = response.json
        return ticket

    def get(self, path: str, headers: dict | None = None, **query):
        return self.client.get(f"/api/v1{path}", query_string=query, headers=headers or self.headers)


@pytest.fixture
def desk(client, agent, session) -> Desk:
    return Desk(client, agent, session)


@pytest.fixture
def written(app):
    """`written()` -> {table: rows} for WRITTEN_TABLES, read on a fresh connection."""
    engine = app.extensions["database"].engine

    def count() -> dict[str, int]:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in WRITTEN_TABLES}

    return count

