"""`flask --app wsgi jobs list` and `jobs run NAME [--now ISO-8601]`: one scheduled job, once, as of --now."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.messaging.models import Message
from tests.factories import make_message

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 7, 10, 0, tzinfo=SHANGHAI)


def queued_text(session, due: datetime, phone: str = "+8613800138000") -> int:
    message = make_message(session, phone=phone, direction="out", body="【志高】您的工单已受理", at=due)
    session.commit()
    return message.id


def status_of(session, message_id: int) -> Message:
    session.expire_all()
    return session.get(Message, message_id)


def run(runner, *args: str):
    return runner.invoke(args=["jobs", "run", *args])


def test_jobs_list_names_outbox_dispatch(runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    assert "outbox_dispatch" in [line.split("\t")[0] for line in result.output.splitlines()]


def test_jobs_list_says_what_each_job_does(runner):
    lines = runner.invoke(args=["jobs", "list"]).output.splitlines()
    assert all(len(line.split("\t")) == 2 and line.split("\t")[1].strip() for line in lines)


def test_outbox_dispatch_marks_a_due_queued_text_sent_with_the_log_backend(runner, session):
    due = queued_text(session, NOW - timedelta(minutes=5))
    result = run(runner, "outbox_dispatch", "--now", "2026-07-07T10:00:00+08:00")
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert status_of(session, due).status == "sent"


def test_outbox_dispatch_records_when_the_text_really_left_not_the_time_given(runner, session, clock):
    due = queued_text(session, NOW - timedelta(minutes=5))
    run(runner, "outbox_dispatch", "--now", "2026-07-07T18:00:00+08:00")
    assert status_of(session, due).sent_at == clock.now()  # the app's real clock, not --now


def test_a_text_due_exactly_at_now_is_sent(runner, session):
    due = queued_text(session, NOW)
    run(runner, "outbox_dispatch", "--now", "2026-07-07T10:00:00+08:00")
    assert status_of(session, due).status == "sent"


def test_outbox_dispatch_leaves_a_text_due_later_queued(runner, session):
    later = queued_text(session, NOW + timedelta(seconds=1))
    result = run(runner, "outbox_dispatch", "--now", "2026-07-07T10:00:00+08:00")
    assert "sent 0" in result.output
    message = status_of(session, later)
    assert (message.status, message.sent_at) == ("queued", None)


def test_now_with_another_offset_means_the_same_instant(runner, session):
    due = queued_text(session, NOW)
    run(runner, "outbox_dispatch", "--now", "2026-07-07T02:00:00Z")
    assert status_of(session, due).status == "sent"


def test_without_now_the_job_runs_as_of_the_apps_clock(runner, session, clock):
    due = queued_text(session, clock.now() - timedelta(seconds=1))
    later = queued_text(session, clock.now() + timedelta(seconds=1), phone="+8613900139000")
    run(runner, "outbox_dispatch")
    assert (status_of(session, due).status, status_of(session, later).status) == ("sent", "queued")


def test_running_the_job_again_sends_nothing_twice(runner, session):
    due = queued_text(session, NOW)
    run(runner, "outbox_dispatch", "--now", "2026-07-07T10:00:00+08:00")
    again = run(runner, "outbox_dispatch", "--now", "2026-07-07T10:05:00+08:00")
    assert "sent 0" in again.output
    assert status_of(session, due).sent_at < NOW + timedelta(minutes=1)  # still the first sending


def test_now_without_an_offset_fails_clearly_and_sends_nothing(runner, session):
    due = queued_text(session, NOW - timedelta(hours=1))
    result = run(runner, "outbox_dispatch", "--now", "2026-07-07T10:00:00")
    assert result.exit_code == 1
    assert "--now" in result.output and "offset" in result.output
    assert status_of(session, due).status == "queued"


def test_a_date_without_a_time_fails_clearly(runner):
    result = run(runner, "outbox_dispatch", "--now", "2026-07-07")
    assert result.exit_code == 1 and "offset" in result.output


def test_garbage_now_fails_clearly_and_sends_nothing(runner, session):
    due = queued_text(session, NOW - timedelta(hours=1))
    result = run(runner, "outbox_dispatch", "--now", "next tuesday")
    assert result.exit_code == 1
    assert "--now must be ISO 8601" in result.output
    assert status_of(session, due).status == "queued"


def test_an_unknown_job_fails_clearly_naming_the_known_jobs(runner):
    result = run(runner, "make_coffee")
    assert result.exit_code == 1
    assert "unknown job 'make_coffee'" in result.output and "outbox_dispatch" in result.output
