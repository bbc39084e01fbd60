"""A caller for IVR tests: signed webhooks as Twilio sends them, following the TwiML answers.

Every answer is checked on arrival: a 403, or valid TwiML (XML whose root is <Response>). A 500,
or anything else, fails the test where it happens.
"""
from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.config import Settings
from app.escalations.models import Escalation
from app.ivr.models import IvrCall
from app.messaging.models import Message
from app.tickets.models import Ticket
from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN
from tests.factories import make_customer, make_unit

BASE = "http://localhost"
HOME_AC = "+864006757888"
COMMERCIAL_AC = "+864006757555"
WATER_HEATER = "+864000757112"
HOTLINES = {"home_ac": HOME_AC, "commercial_ac": COMMERCIAL_AC, "water_heater": WATER_HEATER}
KNOWN = "+8613800138000"
STRANGER = "+8613911112222"
STAFF = "+8613700000001"
_sids = itertools.count(1)


@pytest.fixture
def settings(database_url) -> Settings:
    """Staffed 08:00-20:00 with one staff phone; the clock fixture reads 10:00."""
    return Settings(database_url=database_url, twilio_account_sid=TWILIO_TEST_SID, twilio_auth_token=TWILIO_TEST_TOKEN,
                    sms_backend="log", ivr_staff_numbers=(STAFF,), ivr_staffed_hours="08:00-20:00")


class Reply:
    """One answer of the app, parsed."""

    def __init__(self, response) -> None:
        self.status = response.status_code
        self.body = response.get_data(as_text=True)
        assert self.status in (200, 403), f"answered {self.status}: {self.body[:300]}"
        self.root = None
        if self.status == 200:
            self.root = ET.fromstring(self.body)
            assert self.root.tag == "Response", self.body

    @property
    def says(self) -> list[str]:
        return [el.text or "" for el in self.root.iter("Say")] if self.root is not None else []

    @property
    def text(self) -> str:
        return " ".join(self.says)

    def verb(self, tag: str):
        return next(iter(self.root.iter(tag)), None) if self.root is not None else None

    @property
    def gather(self):
        return self.verb("Gather")

    @property
    def hung_up(self) -> bool:
        return self.verb("Hangup") is not None


class Phone:
    """One call: dial, press keys, stay silent, record, hang up; `last` is the latest answer."""

    def __init__(self, client, *, to: str = HOME_AC, from_: str = KNOWN, forwarded_from: str | None = None,
                 sid: str | None = None) -> None:
        self.client = client
        self.validator = RequestValidator(TWILIO_TEST_TOKEN)
        self.params = {"CallSid": sid or f"CA{next(_sids):032x}", "AccountSid": TWILIO_TEST_SID, "From": from_,
                       "To": to, "Direction": "inbound", "CallStatus": "in-progress"}
        if forwarded_from:
            self.params["ForwardedFrom"] = forwarded_from
        self.last: Reply | None = None
        self.last_path = "/twilio/voice"

    @property
    def sid(self) -> str:
        return self.params["CallSid"]

    def post(self, path: str, extra: dict | None = None, *, sign_url: str | None = None, tamper: dict | None = None) -> Reply:
        params = {**self.params, **(extra or {})}
        signature = self.validator.compute_signature(sign_url or BASE + path, params)
        sent = {**params, **(tamper or {})}
        reply = Reply(self.client.post(path, data=sent, headers={"X-Twilio-Signature": signature}))
        if reply.status == 200:
            self.last, self.last_path = reply, path
        return reply

    def dial(self) -> Reply:
        return self.post("/twilio/voice")

    def _target(self, url: str) -> str:
        parts = urlsplit(urljoin(BASE + self.last_path, url))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def press(self, keys: str) -> Reply:
        gather = self.last.gather
        assert gather is not None, f"no <Gather> to press keys into: {self.last.body}"
        return self.post(self._target(gather.get("action")), {"Digits": keys})

    def say_words(self, speech: str) -> Reply:
        return self.post(self._target(self.last.gather.get("action")), {"SpeechResult": speech, "Confidence": "0.9"})

    def silence(self) -> Reply:
        redirect = self.last.verb("Redirect")
        assert redirect is not None, f"no <Redirect> after the wait: {self.last.body}"
        return self.post(self._target(redirect.text))

    def record(self, url: str = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1", seconds: int = 6) -> Reply:
        record = self.last.verb("Record")
        assert record is not None, f"no <Record>: {self.last.body}"
        return self.post(self._target(record.get("action")), {"RecordingUrl": url, "RecordingDuration": str(seconds)})

    def staff_answer(self, status: str) -> Reply:
        dial = self.last.verb("Dial")
        assert dial is not None, f"no <Dial>: {self.last.body}"
        return self.post(self._target(dial.get("action")), {"DialCallStatus": status})

    def hang_up(self, status: str = "completed") -> Reply:
        reply = self.post("/twilio/voice/status", {"CallStatus": status, "CallDuration": "42"})
        assert reply.status == 200 and len(reply.root) == 0
        return reply

    def step_of(self, reply: Reply | None = None) -> int:
        gather = (reply or self.last).gather
        return int(parse_qs(urlsplit(gather.get("action")).query)["n"][0])


@pytest.fixture
def phone(client):
    """`phone(to=..., from_=...)` -> a new Phone on the app under test."""
    def make(**kwargs) -> Phone:
        return Phone(client, **kwargs)
    return make


@pytest.fixture
def known_customer(session):
    """A customer calling from KNOWN with a home AC in warranty and one out of it, and a water heater."""
    customer = make_customer(session, phone=KNOWN)
    make_unit(session, customer, product_line="home_ac", serial="HA00001111", installed_on=date(2024, 5, 1))
    make_unit(session, customer, product_line="home_ac", serial="HA00002222", installed_on=date(2018, 3, 1))
    make_unit(session, customer, product_line="water_heater", serial="WH00003333", installed_on=date(2023, 6, 1))
    session.commit()
    return customer


def tickets(session) -> list[Ticket]:
    session.expire_all()
    return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def texts(session, template: str | None = None) -> list[Message]:
    session.expire_all()
    query = select(Message).where(Message.direction == "out").order_by(Message.id)
    if template:
        query = query.where(Message.template == template)
    return list(session.scalars(query))


def escalations(session) -> list[Escalation]:
    session.expire_all()
    return list(session.scalars(select(Escalation).order_by(Escalation.id)))


def call_row(session, sid: str) -> IvrCall | None:
    session.expire_all()
    return session.scalar(select(IvrCall).where(IvrCall.call_sid == sid))


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))
