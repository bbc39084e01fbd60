"""The database layer behaves the same on SQLite as on PostgreSQL where rules depend on it."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import DBAPIError, InvalidRequestError

from app.customers.models import Customer
from app.database import begin_write
from tests.conftest import postgresql_only

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


# --- Database.read: the welcome's one-round-trip reads -------------------------------------

COUNT_CUSTOMERS = select(func.count()).select_from(Customer)


@pytest.fixture
def database(app):
    return app.extensions["database"]


# A SELECT of plain values goes straight to the driver; text() and converted columns go through
# SQLAlchemy. Both paths are held to the same promises.
HANDED_TO_DRIVER = select(func.pg_backend_pid())
THROUGH_SQLALCHEMY = text("SELECT pg_backend_pid()")


def _backend_pid(database, statement=HANDED_TO_DRIVER) -> int:
    return database.read(statement)[0][0]


def test_read_returns_the_rows_of_a_statement(database, session):
    session.add(Customer(name="王伟", created_at=T0))
    session.commit()
    assert [tuple(row) for row in database.read(select(Customer.name))] == [("王伟",)]


def test_read_sees_what_was_committed_since_its_last_read(database, session):
    assert database.read(COUNT_CUSTOMERS)[0][0] == 0
    session.add(Customer(name="later", created_at=T0))
    session.commit()
    assert database.read(COUNT_CUSTOMERS)[0][0] == 1


@postgresql_only
def test_read_keeps_one_connection_between_reads(database):
    assert _backend_pid(database) == _backend_pid(database)


@postgresql_only
def test_read_leaves_no_transaction_open_between_reads(database, session):
    pid = _backend_pid(database)
    state = session.scalar(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
    assert state == "idle"


@postgresql_only
@pytest.mark.parametrize("statement", [HANDED_TO_DRIVER, THROUGH_SQLALCHEMY], ids=["driver", "sqlalchemy"])
def test_read_runs_again_on_a_new_connection_when_the_database_dropped_it(database, session, statement):
    dropped = _backend_pid(database)
    assert session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped}) is True
    session.commit()
    assert _backend_pid(database, statement) != dropped


def test_read_gives_the_rows_sqlalchemy_gives_for_a_select_of_plain_values(database, session):
    for name in ("王伟", "李娜", "张敏"):
        session.add(Customer(name=name, created_at=T0))
    session.commit()
    query = (select(Customer.id, Customer.name).where(Customer.name != bindparam("skip"))
             .order_by(Customer.id).limit(2))
    expected = [tuple(row) for row in session.execute(query, {"skip": "李娜"})]
    assert database.read(query, {"skip": "李娜"}) == expected == [(1, "王伟"), (3, "张敏")]


def test_read_converts_columns_as_sqlalchemy_does(database, session):
    session.add(Customer(name="王伟", created_at=T0))
    session.commit()
    assert database.read(select(Customer.created_at)) == [(T0,)]


def test_read_refuses_a_select_without_a_value_for_its_parameter(database):
    with pytest.raises(InvalidRequestError, match="skip"):
        database.read(select(Customer.id).where(Customer.name == bindparam("skip")))


@pytest.mark.parametrize("statement", [text("SELECT * FROM no_such_table"),
                                       select(text("*")).select_from(text("no_such_table"))], ids=["sqlalchemy", "driver"])
def test_read_raises_what_is_not_a_dropped_connection_and_reads_on_afterwards(database, session, statement):
    with pytest.raises(DBAPIError, match="no_such_table"):
        database.read(statement)
    session.add(Customer(name="after", created_at=T0))
    session.commit()
    assert database.read(COUNT_CUSTOMERS) == [(1,)]


@postgresql_only
def test_dispose_closes_the_reader_connections(database, session):
    pid = _backend_pid(database)
    database.dispose()
    # The server removes a backend as it exits, just after the client hangs up: look a few times.
    listed = 1
    for _ in range(200):
        listed = session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
        session.rollback()
        if listed == 0:
            break
    assert listed == 0
