"""A month of closed loops, simulated: jobs resolved over 30 days, customers who reply, reply badly,
reply late, never reply, answer only the phone, or have only a landline; staff who work their
queue; and a scheduler that is killed mid-pass now and then and restarted.

Each pass runs the real job functions (scheduler.jobs.JOBS) with a fresh Database, as a
restarted process would. A kill is an exception raised from inside the pass (at a random flush
or commit, so before or after something reached the database or Twilio); the killed process's
connections are dropped and the pass runs again from the start.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import event, func, insert, select, text

from app.closed_loop.answers import record_survey_answer
from app.closed_loop.moves import move_ticket
from app.closed_loop.replies import survey_reply_handler
from app.clock import FixedClock
from app.config import Settings
from app.customers.models import Customer, CustomerPhone
from app.database import Database
from app.escalations.models import Escalation
from app.messaging.inbound import receive_text
from app.messaging.models import Message
from app.surveys.models import Survey
from app.surveys.policy import SurveyPolicy
from app.surveys.services import voice_call_ended
from app.tickets.models import Ticket, TicketEvent
from app.tickets.numbers import ticket_number
from scheduler.jobs import JOBS, JobContext
from tests.factories import make_technician
from tests.surveys.support import SHANGHAI

PASS_JOBS = ("sla_sweep", "survey_send", "survey_followup", "outbox_dispatch")
# How customers behave, and how often: text repliers (on the first text or only after the
# reminder), bad repliers, the silent, phone-only answerers, and landline owners.
KINDS = {"replier": 40, "late": 10, "bad": 15, "silent": 12, "voice": 8, "landline": 15}
GOOD = ["5", "５分", "非常满意", "满意", "4", "4分，师傅很专业", "一般", "3", "不太满意", "1", "不满意，来得太晚"]
BAD = ["师傅人很好", "空调好像还有点响", "谢谢", "？", "ok"]
_SURVEY_ID = re.compile(r"survey_id=(\d+)")


class SchedulerKilled(BaseException):
    """The process died (BaseException: no `except Exception` in the code under test catches it)."""


@dataclass
class Report:
    jobs: int = 0
    verified: int = 0
    kills: int = 0
    passes: int = 0
    calls: int = 0
    requests_per_ticket_max: int = 0
    reminders_per_ticket_max: int = 0
    calls_per_survey_max: int = 0
    thanks_per_ticket_max: int = 0
    callbacks_per_ticket_max: int = 0
    verified_by: Counter = field(default_factory=Counter)

    @property
    def coverage_pct(self) -> float:
        return 100.0 * self.verified / self.jobs if self.jobs else 100.0


class Simulation:
    """`Simulation(url, settings, standin, jobs=10_000).run()` -> Report."""

    def __init__(self, url: str, settings: Settings, standin, *, jobs: int, days: int = 30, seed: int = 7,
                 kill_every: int = 0, step: timedelta = timedelta(hours=1),
                 start: datetime = datetime(2026, 7, 1, tzinfo=SHANGHAI)) -> None:
        self.url, self.settings, self.standin = url, settings, standin
        self.jobs, self.days, self.start, self.kill_every, self.step = jobs, days, start, kill_every, step
        self.rng = random.Random(seed)
        self.kinds: dict[str, str] = {}
        self.resolve_at: list[tuple[datetime, int]] = []
        self.replies: list[tuple[datetime, str, str]] = []
        self.seen_message = self.seen_call = self.inbound = 0
        self.report = Report(jobs=jobs)
        self.policy = SurveyPolicy.from_settings(settings)
        self._world: Database | None = None
        self._process: Database | None = None

    # -- the month --------------------------------------------------------------------------------

    def run(self) -> Report:
        self.populate()
        now, end = self.start, self.start + timedelta(days=self.days + 5)
        previous = now - self.step
        while now <= end:
            self.resolve_due(previous, now)
            self.customers_act(now)
            self.run_jobs(now)
            self.customers_act(now)
            self.staff_act(now)
            previous, now = now, now + self.step
            self.report.passes += 1
        return self.check()

    def database(self) -> Database:
        """The world's connection (technicians, customers, staff): one, like a web app's."""
        if self._world is None:
            self._world = Database(self.url)
        return self._world

    def run_jobs(self, now: datetime, *, may_die: bool = True) -> None:
        """One scheduler pass; on a kill pass the process dies mid-way and a new one reruns the pass."""
        if self._process is None:
            self._process = Database(self.url)  # a (re)started scheduler process: nothing carried over
        if may_die and self.kill_every and self.report.passes % self.kill_every == self.kill_every // 2:
            self._arm(self._process, at=self.rng.randint(1, 12), on=self.rng.choice(["after_flush", "after_commit"]))
        try:
            for name in PASS_JOBS:
                # Simulated time is the real time of this world: leases and pacing keep to it too.
                JOBS[name](JobContext(self._process, self.settings, clock=FixedClock(now)), now)
        except SchedulerKilled:
            self.report.kills += 1
            self._process.dispose()  # the dead process's connections go, and with them its open transactions
            self._process = None
            self.run_jobs(now, may_die=False)

    @staticmethod
    def _arm(database: Database, *, at: int, on: str) -> None:
        count = {"n": 0}

        def die(*_args) -> None:
            count["n"] += 1
            if count["n"] == at:
                raise SchedulerKilled(f"killed at {on} #{at}")

        event.listen(database.sessions, on, die)

    # -- the world around the scheduler ----------------------------------------------------------

    def populate(self) -> None:
        """Customers, one technician, and `jobs` tickets on site, each with its time of resolution."""
        database = self.database()
        with database.session() as session:
            technician = make_technician(session)
            tech_id, outlet_id = technician.id, technician.outlet_id
            phones, weights = list(KINDS), list(KINDS.values())
            customers = max(1, int(self.jobs * 0.9))  # a tenth of the jobs belong to a customer with another
            phone_rows, ticket_rows = [], []
            for i in range(customers):
                kind = self.rng.choices(phones, weights)[0]
                phone = f"+86771{i:07d}" if kind == "landline" else f"+86138{i:08d}"
                self.kinds[phone] = kind
                phone_rows.append((phone, "fixed_line" if kind == "landline" else "mobile"))
            session.execute(insert(Customer), [{"id": i + 1, "name": f"客户{i}", "created_at": self.start}
                                               for i in range(customers)])
            session.execute(insert(CustomerPhone), [{"customer_id": i + 1, "e164": p, "kind": k}
                                                    for i, (p, k) in enumerate(phone_rows)])
            for tid in range(1, self.jobs + 1):
                owner = self.rng.randrange(customers)
                day = self.rng.randrange(self.days)
                resolved = self.start + timedelta(days=day, hours=self.rng.randint(8, 20), minutes=self.rng.randrange(60))
                self.resolve_at.append((resolved, tid))
                created = resolved - timedelta(hours=3)
                ticket_rows.append({
                    "id": tid, "number": ticket_number(tid), "kind": "install" if tid % 4 == 0 else "repair",
                    "product_line": "home_ac", "status": "on_site", "priority": "normal", "source": "sim",
                    "phone": phone_rows[owner][0], "customer_id": owner + 1, "summary": "", "main_equipment": False,
                    "users_fault": False, "needs_verification_call": False, "created_at": created, "updated_at": created,
                    "respond_by": created + timedelta(hours=1), "arrive_by": created + timedelta(hours=2),
                    "resolve_by": created + timedelta(hours=24), "responded_at": created, "arrived_at": created,
                    "respond_breached": False, "arrive_breached": False, "resolve_breached": False,
                    "outlet_id": outlet_id, "technician_id": tech_id, "work_lines": {}, "reopen_count": 0, "version": 1})
            for chunk in range(0, len(ticket_rows), 2000):
                session.execute(insert(Ticket), ticket_rows[chunk:chunk + 2000])
            if database.dialect == "postgresql":
                for table in ("customers", "tickets"):
                    session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            session.commit()
        self.resolve_at.sort()

    def resolve_due(self, after: datetime, until: datetime) -> None:
        """Technicians finish the jobs due in (after, until]: the real resolve, which opens each survey."""
        due = [(when, tid) for when, tid in self.resolve_at if after < when <= until]
        if not due:
            return
        database = self.database()
        with database.session() as session:
            for when, tid in due:
                move_ticket(session, session.get(Ticket, tid), "resolve", {}, actor="technician", now=when, tz=SHANGHAI)
            session.commit()

    def customers_act(self, now: datetime) -> None:
        """Customers read the texts that reached them, reply when they reply, and answer survey calls."""
        database = self.database()
        with database.session() as session:
            for message in session.scalars(select(Message).where(
                    Message.id > self.seen_message, Message.direction == "out",
                    Message.status.in_(("sent", "delivered"))).order_by(Message.id)):
                self.seen_message = message.id
                self._plan_reply(message)
            due, self.replies = [r for r in self.replies if r[0] <= now], [r for r in self.replies if r[0] > now]
            handlers = [survey_reply_handler(self.policy)]
            for when, phone, body in sorted(due):
                self.inbound += 1
                receive_text(session, sid=f"SMsim{self.inbound:028d}", from_=phone, body=body, now=when,
                             hotline="400 675 7888", handlers=handlers)
            for call in self.standin.calls[self.seen_call:]:
                self.seen_call += 1
                self._answer(session, call, now)
            session.commit()

    def _plan_reply(self, message: Message) -> None:
        kind, template = self.kinds.get(message.phone), message.template
        later = message.sent_at + timedelta(minutes=self.rng.randint(5, 20 * 60))
        if (kind == "replier" and template == "survey_request") or (kind == "late" and template == "survey_reminder"):
            self.replies.append((later, message.phone, self.rng.choice(GOOD)))
        elif kind == "bad" and template == "survey_request":
            self.replies.append((later, message.phone, self.rng.choice(BAD)))
        elif kind == "bad" and template == "survey_reask":
            self.replies.append((later, message.phone, self.rng.choice(GOOD + BAD)))

    def _answer(self, session, call: dict, now: datetime) -> None:
        self.report.calls += 1
        kind = self.kinds.get(call["to"])
        answers = {"voice": 1.0, "landline": 0.7}.get(kind, 0.0 if kind == "silent" else 0.5)
        survey_id = int(_SURVEY_ID.search(call["url"]).group(1))
        when = now + timedelta(minutes=2)
        if self.rng.random() < answers:
            record_survey_answer(session, survey_id=survey_id, answer=str(self.rng.randint(1, 5)), channel="voice",
                                 now=when)
            voice_call_ended(session, call_sid=call["sid"], call_status="completed", now=when)
        else:
            voice_call_ended(session, call_sid=call["sid"], call_status=self.rng.choice(["no-answer", "busy", "failed"]),
                             now=when)

    def staff_act(self, now: datetime) -> None:
        """Agents call back everyone in their queue for an hour or more, and record the result."""
        database = self.database()
        with database.session() as session:
            tasks = session.scalars(select(Escalation).where(
                Escalation.status == "open", Escalation.reason.in_(("survey_callback", "survey_unreadable")),
                Escalation.created_at <= now - timedelta(hours=1)))
            for task in list(tasks):
                ticket = session.get(Ticket, task.ticket_id)
                if ticket.status == "resolved":
                    move_ticket(session, ticket, "record_callback", {"score": self.rng.randint(3, 5), "note": "电话回访"},
                                actor="agent", now=now, tz=SHANGHAI)
            session.commit()

    # -- what must hold ---------------------------------------------------------------------------

    def check(self) -> Report:
        database = self.database()
        report = self.report
        with database.session() as session:
            report.verified = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "verified"))

            def most(template: str) -> int:
                return session.scalar(select(func.count()).select_from(Message).where(Message.template == template)
                                      .group_by(Message.ticket_id).order_by(func.count().desc()).limit(1)) or 0

            report.requests_per_ticket_max = most("survey_request")
            report.reminders_per_ticket_max = most("survey_reminder")
            report.thanks_per_ticket_max = most("survey_thanks")
            report.callbacks_per_ticket_max = session.scalar(
                select(func.count()).select_from(TicketEvent).where(TicketEvent.type == "record_callback")
                .group_by(TicketEvent.ticket_id).order_by(func.count().desc()).limit(1)) or 0
            report.verified_by = Counter(dict(session.execute(
                select(Survey.answer_channel, func.count()).group_by(Survey.answer_channel)).all()))
        calls = Counter(_SURVEY_ID.search(c["url"]).group(1) for c in self.standin.calls)
        report.calls_per_survey_max = max(calls.values(), default=0)
        for db in (self._world, self._process):
            if db is not None:
                db.dispose()
        return report
