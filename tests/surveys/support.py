"""Builders and fixtures shared by the closed-loop specs (surveys, SLA, care, scheduler, reports).

Jobs run through their real functions (`scheduler.jobs.JOBS`) with a `now`; calls go through the
real twilio SDK to the local stand-in; nothing sleeps.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.closed_loop.moves import move_ticket
from app.config import DEFAULT_HOTLINES, Settings
from app.escalations.models import Escalation
from app.messaging.models import Message
from app.surveys.models import Survey
from app.tickets.models import Ticket
from app.tickets.services import NewTicket, create_ticket
from scheduler.jobs import JOBS, JobContext
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN
from tests.factories import make_customer, make_technician

SHANGHAI = ZoneInfo("Asia/Shanghai")
SURVEY_LINE = "+12025550100"  # the Twilio number the home-AC hotline forwards to (HOTLINE_NUMBERS)
PUBLIC_BASE_URL = "https://cc.example.com"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in July 2026, Shanghai time."""
    return datetime(2026, 7, day, hour, minute, tzinfo=SHANGHAI)


def open_ticket(session, when: datetime, *, kind: str = "repair", phone: str = "+8613800138000",
                product_line: str = "home_ac", main_equipment: bool | None = None, serial: str | None = None) -> Ticket:
    request = NewTicket(kind=kind, product_line=product_line, phone=phone, main_equipment=main_equipment, serial=serial)
    return create_ticket(session, request, actor="agent", now=when).ticket


def move(session, ticket: Ticket, event: str, when: datetime, **payload):
    return move_ticket(session, ticket, event, payload, actor="agent", now=when, tz=SHANGHAI)


def resolved_job(session, when: datetime, *, kind: str = "repair", phone: str = "+8613800138000",
                 phone_kind: str | None = None, technician=None) -> Ticket:
    """A job received 2 h before `when`, dispatched, on site, and resolved at `when` (its survey opens)."""
    if phone_kind is not None:
        make_customer(session, phone=phone, kind=phone_kind)
    technician = technician or make_technician(session)
    ticket = open_ticket(session, when - timedelta(hours=2), kind=kind, phone=phone)
    move(session, ticket, "dispatch", when - timedelta(minutes=100), technician_id=technician.id)
    move(session, ticket, "arrive", when - timedelta(minutes=60))
    move(session, ticket, "resolve", when)
    return ticket


def survey_of(session, ticket: Ticket) -> Survey:
    session.expire_all()
    return session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))


def texts_to(session, phone: str, template: str | None = None) -> list[Message]:
    query = select(Message).where(Message.phone == phone, Message.direction == "out")
    if template:
        query = query.where(Message.template == template)
    return list(session.scalars(query.order_by(Message.id)))


def open_escalations(session, reason: str | None = None) -> list[Escalation]:
    query = select(Escalation).where(Escalation.status == "open")
    if reason:
        query = query.where(Escalation.reason == reason)
    return list(session.scalars(query.order_by(Escalation.id)))


@pytest.fixture
def settings(database_url, standin) -> Settings:
    """Texts recorded locally; survey calls placed through the real SDK to the stand-in."""
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID,
                    twilio_auth_token=TWILIO_TEST_TOKEN, sms_backend="log", twilio_api_url=standin.url,
                    public_base_url=PUBLIC_BASE_URL, voice_backend="twilio",
                    hotlines={**DEFAULT_HOTLINES, SURVEY_LINE: "home_ac"})


@pytest.fixture
def run_job(app, settings):
    """`run_job("survey_send", when)`: the job's real function with a fresh context, as the scheduler runs it."""
    context = JobContext(app.extensions["database"], settings)

    def run(name: str, when: datetime) -> str:
        return JOBS[name](context, when)

    return run
