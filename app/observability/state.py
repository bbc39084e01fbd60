"""What the pager and the metrics read from the database: outbox lag, SLA breaches, survey
coverage, the scheduler leader's last run. Plain functions of a session and `now`.

The scheduler's ledger (scheduler_runs) is read through a table clause, so the web app does not
import the scheduler package: each run of every job claims its row there before it starts, and
`outbox_dispatch` runs every 10 s, so the newest row is the leader's heartbeat.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from app.database import UTCDateTime
from app.messaging.models import Message
from app.surveys.models import Survey
from app.tickets.models import Ticket

OUTBOX_WAITING = ("queued", "sending")
SURVEY_ANSWERED = ("answered", "settled")
_runs = table("scheduler_runs", column("runner"), column("job"), column("started_at", UTCDateTime()))


@dataclass(frozen=True)
class OutboxLag:
    depth: int  # texts waiting to go (queued or being sent)
    due: int  # of which are due now
    oldest_due_seconds: float  # how long the oldest due text has waited; 0 when none


@dataclass(frozen=True)
class Heartbeat:
    runner: str | None  # host:pid of the process that ran the newest job
    job: str | None
    at: datetime | None

    def age_seconds(self, now: datetime) -> float | None:
        return None if self.at is None else max(0.0, (now - self.at).total_seconds())


def outbox_lag(session: Session, now: datetime) -> OutboxLag:
    waiting = Message.direction == "out", Message.status.in_(OUTBOX_WAITING)
    depth = session.scalar(select(func.count()).select_from(Message).where(*waiting)) or 0
    due, oldest = session.execute(select(func.count(), func.min(Message.send_after))
                                  .where(*waiting, Message.send_after <= now)).one()
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxLag(depth=depth, due=due or 0, oldest_due_seconds=age)


def sla_breaches(session: Session) -> dict[str, int]:
    """Tickets whose respond, arrive or resolve clock was breached (recorded by the SLA sweep)."""
    row = session.execute(select(func.count().filter(Ticket.respond_breached),
                                 func.count().filter(Ticket.arrive_breached),
                                 func.count().filter(Ticket.resolve_breached))).one()
    return dict(zip(("respond", "arrive", "resolve"), (int(n or 0) for n in row)))


def surveys_by_status(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Survey.status, func.count()).group_by(Survey.status)).tuples().all())


def survey_coverage(by_status: dict[str, int]) -> float:
    """Answered (or settled by staff) over every survey not withdrawn; 0 when there is none."""
    asked = sum(n for status, n in by_status.items() if status != "withdrawn")
    return sum(by_status.get(s, 0) for s in SURVEY_ANSWERED) / asked if asked else 0.0


def leader_heartbeat(session: Session) -> Heartbeat:
    row = session.execute(select(_runs.c.runner, _runs.c.job, _runs.c.started_at)
                          .order_by(_runs.c.started_at.desc()).limit(1)).first()
    return Heartbeat(*row) if row else Heartbeat(None, None, None)
