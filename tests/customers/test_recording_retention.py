"""Call recordings are deleted at Twilio after RECORDING_RETENTION_DAYS (P-PRIV-3), through the
real SDK to the stand-in, and the ticket keeps a note in place of the link."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.privacy.recordings import DELETED_NOTE
from app.tickets.models import Ticket
from scheduler.jobs import JobContext, recording_retention
from tests.surveys.support import open_ticket

NOW = datetime(2026, 7, 7, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def settings(twilio_settings):
    twilio_settings.recording_retention_days = 30
    return twilio_settings


def complaint_with_recording(session, standin, when) -> tuple[int, str]:
    url = standin.add_recording()
    ticket = open_ticket(session, when, kind="complaint", phone="+8613800000001")
    ticket.summary = f"电话投诉，录音：{url}"
    session.commit()
    return ticket.id, url.rsplit("/", 1)[1]


def run(app):
    return recording_retention(JobContext(app.extensions["database"], app.extensions["settings"]), NOW)


def test_a_recording_past_its_retention_is_deleted_and_its_link_replaced(app, session, standin):
    ticket_id, sid = complaint_with_recording(session, standin, NOW - timedelta(days=31))
    assert run(app) == "recordings deleted 1, failed 0"
    assert sid not in standin.recordings
    session.expire_all()
    assert session.get(Ticket, ticket_id).summary == f"电话投诉，录音：{DELETED_NOTE}"


def test_a_recording_within_its_retention_is_kept(app, session, standin):
    ticket_id, sid = complaint_with_recording(session, standin, NOW - timedelta(days=29))
    assert run(app) == "recordings deleted 0, failed 0"
    assert sid in standin.recordings


def test_a_recording_twilio_no_longer_has_counts_as_deleted(app, session, standin):
    ticket_id, sid = complaint_with_recording(session, standin, NOW - timedelta(days=40))
    run(app)
    session.get(Ticket, ticket_id).summary = f"再次提及 {standin.url}/2010-04-01/Accounts/x/Recordings/{sid}"
    session.commit()
    assert run(app) == "recordings deleted 1, failed 0"  # Twilio's 404: gone already, the link goes too
    session.expire_all()
    assert DELETED_NOTE in session.get(Ticket, ticket_id).summary


def test_a_recording_that_could_not_be_deleted_stays_linked_for_the_next_run(app, session, standin):
    ticket_id, sid = complaint_with_recording(session, standin, NOW - timedelta(days=40))
    standin.stop()  # Twilio unreachable
    assert run(app) == "recordings deleted 0, failed 1"
    session.expire_all()
    assert sid in session.get(Ticket, ticket_id).summary
