"""The fallback spool: one JSON line per caller, appended and fsynced, read back by `fallback_replay`.

Writers (web workers, any number of processes) open the file in append mode, take an exclusive
`flock`, check that the path still names the file they opened, write one line and fsync it. The
reader renames the spool aside (`<spool>.replaying`) and then takes the same lock on the renamed
file, so a writer that opened the old file just before the rename either finished its line first
or sees the rename and writes to the new spool instead: no line is written to a file already read.
The renamed file is deleted only after every line in it was replayed; a crash before that leaves
it to be replayed again, which the lines' idempotency keys make harmless.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append(spool: Path, entry: dict) -> None:
    """Append `entry` as one JSON line and fsync it (and the directory when the file is new)."""
    spool.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    while True:
        fd = os.open(spool, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(spool).st_ino
            except FileNotFoundError:
                current = None
            if current != os.fstat(fd).st_ino:
                continue  # the reader renamed this file aside after we opened it: write to the new one
            created = os.fstat(fd).st_size == 0
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)  # closing drops the lock
        if created:
            _fsync_dir(spool)
        return


def _replaying(spool: Path) -> Path:
    return spool.with_name(spool.name + ".replaying")


def drain(spool: Path, replay: Callable[[list[dict]], None]) -> int | None:
    """Hand every spooled entry to `replay`, oldest first; the number handed, or None when another
    process is draining this spool.

    A batch left by an interrupted drain is replayed first, then the spool itself. A batch is
    deleted only after `replay` returned; an exception leaves it to be replayed whole next time.
    """
    spool.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(spool.with_name(spool.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        batch, handed = _replaying(spool), 0
        for _ in range(2):  # the interrupted batch, if any, then what was spooled since
            if not batch.exists():
                if not spool.exists():
                    break
                os.rename(spool, batch)
                _fsync_dir(batch)
            entries = _read(batch)
            replay(entries)
            os.unlink(batch)
            _fsync_dir(batch)
            handed += len(entries)
        return handed
    finally:
        os.close(lock)


def _read(path: Path) -> list[dict]:
    """Every entry of `path`, after waiting for a writer that still holds it; a torn line is skipped."""
    entries = []
    with open(path, "rb") as file:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        for number, raw in enumerate(file.read().splitlines(), start=1):
            try:
                entry = json.loads(raw)
            except ValueError:
                log.error("fallback spool %s line %d is not JSON; skipped", path.name, number)
                continue
            if isinstance(entry, dict):
                entries.append(entry)
    return entries


def waiting(spool: Path) -> int:
    """How many callers the spool (and an interrupted batch) still hold: what the next replay owes."""
    total = 0
    for path in (spool, _replaying(spool)):
        try:
            with open(path, "rb") as file:
                total += sum(1 for line in file if line.strip())
        except FileNotFoundError:
            continue
    return total
