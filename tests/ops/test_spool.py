"""The spool file itself: appended lines survive a drain that runs at the same time, and a failed
replay keeps its batch."""
from __future__ import annotations

import pytest

from app.fallback.spool import append, drain, waiting


def test_a_caller_spooled_while_a_replay_runs_is_kept_for_the_next_one(tmp_path):
    spool, seen = tmp_path / "spool.jsonl", []
    append(spool, {"key": "first"})

    def replay(entries):
        seen.append([e["key"] for e in entries])
        if len(seen) == 1:
            append(spool, {"key": "during"})  # a web worker answers a caller meanwhile

    assert drain(spool, replay) == 2
    assert seen == [["first"], ["during"]] and waiting(spool) == 0


def test_a_replay_that_fails_keeps_its_batch_whole_for_the_next_drain(tmp_path):
    spool = tmp_path / "spool.jsonl"
    append(spool, {"key": "a"})
    append(spool, {"key": "b"})

    def failing(entries):
        raise ConnectionError("the database went away again")

    with pytest.raises(ConnectionError):
        drain(spool, failing)
    assert waiting(spool) == 2
    replayed = []
    drain(spool, lambda entries: replayed.extend(e["key"] for e in entries))
    assert replayed == ["a", "b"] and waiting(spool) == 0


def test_a_torn_last_line_is_skipped_and_the_others_replayed(tmp_path):
    spool = tmp_path / "spool.jsonl"
    append(spool, {"key": "whole"})
    with spool.open("a", encoding="utf-8") as file:
        file.write('{"key": "tor')  # a crash mid-write
    replayed = []
    drain(spool, lambda entries: replayed.extend(e["key"] for e in entries))
    assert replayed == ["whole"]
