"""Leadership: of several scheduler processes only the holder of a lock runs jobs.

PostgreSQL: a session-level advisory lock on a connection kept open for as long as the process
leads. The server drops the lock the moment that connection ends, including when the process is
killed (kill -9 closes its socket), so a standby polling `pg_try_advisory_lock` takes over within
one poll interval. The key is derived from the schema too, so two deployments sharing a database
in different schemas do not block each other.

SQLite: an exclusive `flock` on a file beside the database; the kernel releases it when the
process dies.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.database import Database
from app.migrations import sqlite_file

log = logging.getLogger(__name__)
LOCK_NAME = "scheduler-leader"


class AdvisoryLease:
    """PostgreSQL: `pg_try_advisory_lock` held on a dedicated connection."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._conn: Connection | None = None
        self._key: int | None = None
        # The watchdog and the job threads both ask `still_held`; a Connection serves one at a time.
        self._guard = threading.Lock()

    def try_acquire(self) -> bool:
        """Take the lock if free; True when this process now leads."""
        if self._conn is not None:
            return True
        conn = self.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            digest = hashlib.sha256(f"{LOCK_NAME}:{schema}".encode()).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            if conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one():
                self._conn, self._key = conn, key
                return True
        except Exception:
            conn.close()
            raise
        conn.close()
        return False

    def still_held(self) -> bool:
        """The lock lives as long as its connection: a failed round trip means it may be gone."""
        with self._guard:
            if self._conn is None:
                return False
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:
                log.exception("lost the connection that holds the scheduler lock")
                self._forget()
                return False

    def release(self) -> None:
        with self._guard:
            if self._conn is None:
                return
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            except Exception:
                log.warning("could not unlock the scheduler lock; closing its connection drops it anyway")
            self._forget()

    def _forget(self) -> None:
        conn, self._conn = self._conn, None
        try:
            conn.invalidate()  # never hand this session (and maybe its lock) back to the pool
        except Exception:
            log.debug("closing the lock connection failed", exc_info=True)


class FileLease:
    """SQLite: an exclusive, non-blocking `flock` on `<database file>.scheduler.lock`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lease_for(database: Database) -> AdvisoryLease | FileLease:
    """The lock that fits the database: advisory on PostgreSQL, a file lock on a SQLite file."""
    if database.dialect == "postgresql":
        return AdvisoryLease(database)
    path = sqlite_file(database.url)
    if path is None:
        raise ValueError("the scheduler needs PostgreSQL or a SQLite file (not an in-memory database)")
    return FileLease(path.with_name(path.name + ".scheduler.lock"))
