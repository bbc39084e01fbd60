"""`sms outbox [--phone NUMBER]`: the latest texts as recorded or sent, newest first, numbers masked.

With SMS_BACKEND=log (the default without Twilio credentials) this is where the texts are."""
from __future__ import annotations

from datetime import timedelta

from tests.factories import make_message

PHONE = "+8613912345678"


def outbox(runner, *args: str):
    result = runner.invoke(args=["sms", "outbox", *args])
    assert result.exit_code == 0, result.output
    return result


def rows(result) -> list[list[str]]:
    """The table on stdout without its header, each row split into its columns."""
    return [line.split("\t") for line in result.stdout.splitlines()[1:]]


def add(session, clock, body: str, *, phone: str = PHONE, minutes: int = 0, **kw):
    make_message(session, phone=phone, direction="out", body=body, at=clock.now() + timedelta(minutes=minutes),
                 template="ticket_created", **kw)
    session.commit()


def test_the_newest_text_comes_first(runner, session, clock):
    add(session, clock, "first", minutes=0)
    add(session, clock, "second", minutes=5)
    assert [row[-1] for row in rows(outbox(runner))] == ["second", "first"]


def test_a_row_shows_when_whom_status_template_kind_sent_and_body(runner, session, clock):
    add(session, clock, "【志高】您的工单已受理", status="sent")
    (row,) = rows(outbox(runner))
    assert row == ["2026-07-07 10:00:00", "+86139****5678", "sent", "ticket_created", "transactional", "-",
                   "【志高】您的工单已受理"]


def test_numbers_are_masked_everywhere_in_the_output(runner, session, clock):
    add(session, clock, "hi")
    assert "13912345678" not in outbox(runner).output


def test_phone_picks_one_numbers_texts_however_it_is_typed(runner, session, clock):
    add(session, clock, "to me")
    add(session, clock, "to someone else", phone="+8613800138000")
    assert [row[-1] for row in rows(outbox(runner, "--phone", "139 1234 5678"))] == ["to me"]


def test_limit_shows_only_the_newest(runner, session, clock):
    for n in range(3):
        add(session, clock, f"text {n}", minutes=n)
    assert [row[-1] for row in rows(outbox(runner, "--limit", "2"))] == ["text 2", "text 1"]


def test_why_a_text_was_not_sent_is_shown_with_it(runner, session, clock):
    message = make_message(session, phone=PHONE, direction="out", body="hi", at=clock.now(), status="suppressed")
    message.error_message = "the number opted out: no marketing texts"
    session.commit()
    (row,) = rows(outbox(runner))
    assert row[2] == "suppressed" and row[-1] == "hi  [the number opted out: no marketing texts]"


def test_inbound_texts_are_not_in_the_outbox(runner, session, clock):
    make_message(session, phone=PHONE, direction="in", body="退订", at=clock.now())
    session.commit()
    assert "no texts recorded" in outbox(runner).output


def test_an_invalid_phone_fails_on_one_line(runner):
    result = runner.invoke(args=["sms", "outbox", "--phone", "not a number"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1


def test_with_the_log_backend_it_says_that_sent_means_recorded_here(runner, session, clock):
    add(session, clock, "hi", status="sent")
    assert "nothing leaves this machine" in outbox(runner).stderr
