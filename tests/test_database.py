"""The database layer behaves the same on SQLite as on PostgreSQL where rules depend on it."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.customers.models import Customer
from app.database import begin_write

T0 = datetime(2026, 7, 7, 2, 0, tzinfo=timezone.utc)


def _customers(session) -> int:
    return session.scalar(select(func.count()).select_from(Customer))


def test_a_released_savepoint_is_undone_by_rolling_back_the_transaction(session):
    with session.begin_nested():
        session.add(Customer(name="first", created_at=T0))
    session.rollback()
    assert _customers(session) == 0


def test_a_rolled_back_savepoint_keeps_the_work_before_it(session):
    session.add(Customer(name="kept", created_at=T0))
    session.flush()
    with pytest.raises(RuntimeError):
        with session.begin_nested():
            session.add(Customer(name="dropped", created_at=T0))
            session.flush()
            raise RuntimeError("refused row")
    session.commit()
    assert [c.name for c in session.scalars(select(Customer))] == ["kept"]


def test_begin_write_starts_a_transaction_that_commits_normally(session):
    begin_write(session)
    session.add(Customer(name="writer", created_at=T0))
    session.commit()
    assert _customers(session) == 1


def test_naive_datetimes_are_refused_rather_than_guessed(session):
    session.add(Customer(name="naive", created_at=datetime(2026, 7, 7, 10, 0)))
    with pytest.raises(Exception, match="naive"):
        session.flush()
