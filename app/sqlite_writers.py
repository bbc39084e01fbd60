"""SQLite's writers take turns through a lock file beside the database, across worker processes.

SQLite lets one writer in at a time. The others wait in its busy handler, which sleeps between
tries (up to 100 ms a sleep) and lets a newcomer in ahead of a writer that has waited long: with
16 callers at once the ticket step's p99 was most of a second (bench/ivr_webhook.py). Here a
transaction that is about to write first takes an exclusive `flock` on `<database>.writers.lock`;
the kernel wakes a waiter the moment the holder commits or rolls back, with no sleep in between.

It is only a queue in front of SQLite's own lock, which still decides who writes: a turn not had
within the busy timeout is given up (SQLite's waiting takes over, as before), and a thread that
already holds a turn and writes on a second connection does not wait for itself. PostgreSQL has
no such lock and takes no turns.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

# Statements before which pysqlite (or our own code) opens a write transaction.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN")
_held = threading.local()  # the lock files this thread holds a turn on


def lock_path(database_file: str) -> str:
    """The lock file of the SQLite database at `database_file`."""
    return f"{database_file}.writers.lock"


class WriterTurn:
    """One connection's place in the queue of writers of one database file."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self._fd: int | None = None
        self.held = False
        self._holder: set | None = None  # the set of the thread that took the turn

    def take(self) -> bool:
        """Wait for the turn (at most `timeout` seconds); False when it was not had."""
        if self.held:
            return True
        held_here = _held.__dict__.setdefault("paths", set())
        if self.path in held_here:
            return False  # this thread's other connection has the turn: waiting would be for itself
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self._wait():
                return False
        self.held = True
        held_here.add(self.path)
        self._holder = held_here
        return True

    def _wait(self) -> bool:
        # A blocking flock cannot time out, so a helper thread waits in it while this one waits
        # on an event with the timeout; a helper that gets the lock too late closes its file,
        # which releases the lock, and this turn opens a new one next time.
        fd, got, guard, state = self._fd, threading.Event(), threading.Lock(), {"abandoned": False}

        def wait() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if state["abandoned"]:
                    os.close(fd)
                else:
                    got.set()

        threading.Thread(target=wait, name="sqlite-writer-turn", daemon=True).start()
        if got.wait(self.timeout):
            return True
        with guard:
            if got.is_set():
                return True
            state["abandoned"] = True
        self._fd = None
        return False

    def release(self) -> None:
        """Let the next writer in (after the commit or rollback)."""
        if not self.held:
            return
        self.held = False
        if self._holder is not None:  # a pooled connection may be rolled back by another thread
            self._holder.discard(self.path)
            self._holder = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class TurnTakingConnection(sqlite3.Connection):
    """A pysqlite connection that gives up its writer's turn once its transaction ends."""

    turn: WriterTurn | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._transaction_ended()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._transaction_ended()

    def _transaction_ended(self) -> None:
        if self.turn is not None and not self.in_transaction:
            self.turn.release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.turn is not None:
                self.turn.close()


def attach_turn(dbapi_connection, database_file: str, timeout: float) -> None:
    """Give a new connection its place in the queue of writers of `database_file`."""
    if isinstance(dbapi_connection, TurnTakingConnection):
        dbapi_connection.turn = WriterTurn(lock_path(database_file), timeout)


def take_turn_before_writing(_conn, cursor, statement: str, *_args) -> None:
    """Engine hook (before_cursor_execute): a statement that opens a write transaction waits for the turn."""
    dbapi_connection = cursor.connection
    turn = getattr(dbapi_connection, "turn", None)
    if turn is None or turn.held or dbapi_connection.in_transaction:
        return
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        turn.take()
