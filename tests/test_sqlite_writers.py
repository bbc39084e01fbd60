"""SQLite's writers queue for their turn on a lock file beside the database (app/sqlite_writers.py)."""
import fcntl
import os
import threading

import pytest
from sqlalchemy import text

from app.database import Database
from app.sqlite_writers import WriterTurn, lock_path


@pytest.fixture
def database(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'writers.sqlite3'}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield database
    database.dispose()


def _lock_is_free(path: str) -> bool:
    """Whether another process (here: another open file) could take the writers' lock now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops the lock if it was taken
    return True


def _bodies(database) -> list[str]:
    with database.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT body FROM notes ORDER BY id"))]


def test_a_write_holds_the_turn_until_its_transaction_commits(database, tmp_path):
    path = lock_path(str(tmp_path / "writers.sqlite3"))
    with database.session() as session:
        session.execute(text("SELECT count(*) FROM notes"))  # reads take no turn
        assert _lock_is_free(path)
        session.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        assert not _lock_is_free(path)
        session.commit()
        assert _lock_is_free(path)
    assert _bodies(database) == ["first"]


def test_a_rolled_back_write_gives_up_the_turn(database, tmp_path):
    path = lock_path(str(tmp_path / "writers.sqlite3"))
    with database.session() as session:
        session.execute(text("INSERT INTO notes (body) VALUES ('dropped')"))
        assert not _lock_is_free(path)
        session.rollback()
        assert _lock_is_free(path)
    assert _bodies(database) == []


def test_a_waiting_writer_goes_in_once_the_holder_commits(database):
    holder = database.session()
    holder.execute(text("INSERT INTO notes (body) VALUES ('holder')"))
    done = threading.Event()
    errors: list[BaseException] = []

    def other_writer():
        try:
            with database.session() as session:
                session.execute(text("INSERT INTO notes (body) VALUES ('waiter')"))
                session.commit()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            done.set()

    waiter = threading.Thread(target=other_writer)
    waiter.start()
    holder.commit()
    holder.close()
    done.wait()
    waiter.join()
    assert errors == [] and _bodies(database) == ["holder", "waiter"]


def test_a_thread_holding_the_turn_does_not_wait_for_itself(tmp_path):
    path = str(tmp_path / "lock")
    first, second = WriterTurn(path, timeout=10), WriterTurn(path, timeout=10)
    assert first.take() is True
    assert second.take() is False  # the same thread's second connection: SQLite's own lock decides
    first.release()
    assert second.take() is True
    second.close()
    first.close()


def test_an_in_memory_database_takes_no_turns():
    memory = Database("sqlite://")
    with memory.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert getattr(session.connection().connection.dbapi_connection, "turn", None) is None
        session.commit()
    memory.dispose()
