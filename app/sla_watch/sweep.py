"""The SLA sweep (job sla_sweep, every minute): each breach is recorded and escalated exactly once.

P-SLA-1..3: a ticket past `respond_by` unacknowledged, past `arrive_by` with no technician on
site, or past `resolve_by` unfinished gets its breach flag set (with a TicketEvent by "system"),
one supervisor escalation, and a text to the dispatching outlet when its phone is known.
P-SLA-4: a main-equipment fault unresolved after `loaner_due_at` gets one loaner task, and the
customer is told what happens next. P-REP-3: parts not shipped within 2 days escalate.

Cost follows what is due, not the number of tickets: each query is a range read on a partial
index (migration 0004) that holds only tickets still waiting for that milestone; setting the
flag takes the ticket out of the index. Loaners are read from a high-water mark instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import tzinfo as TzInfo

from sqlalchemy import false, select
from sqlalchemy.orm import Session, selectinload

from app.escalations.models import Escalation
from app.escalations.services import raise_escalation
from app.sla_watch.models import PartsRequest, SweepMark
from app.sla_watch.notices import text_customer, text_outlet
from app.tickets.history import record_event
from app.tickets.models import Ticket


@dataclass(frozen=True)
class Watch:
    """One deadline the sweep watches; `unmet` mirrors the partial index's predicate."""

    name: str
    rule_id: str
    due: str
    flag: str
    unmet: tuple[str, ...]
    breach: str


WATCHES = (
    Watch("respond", "P-SLA-1", "respond_by", "respond_breached", ("responded_at", "cancelled_at"),
          "not acknowledged within 1 hour"),
    Watch("arrive", "P-SLA-2", "arrive_by", "arrive_breached", ("arrived_at", "resolved_at", "cancelled_at"),
          "no technician on site within 2 hours"),
    Watch("resolve", "P-SLA-3", "resolve_by", "resolve_breached", ("resolved_at", "cancelled_at"),
          "not finished within 24 hours"),
)
LOANER_MARK = "loaner"


@dataclass(frozen=True)
class SweepResult:
    respond: int = 0
    arrive: int = 0
    resolve: int = 0
    loaners: int = 0
    parts: int = 0

    @property
    def total(self) -> int:
        return self.respond + self.arrive + self.resolve + self.loaners + self.parts


def _locked(session: Session, query):
    if session.get_bind().dialect.name == "postgresql":
        # A ticket a person is changing right now is skipped, not waited for: next minute gets it.
        return query.with_for_update(skip_locked=True)
    return query


def _overdue(session: Session, watch: Watch, now: datetime, limit: int) -> list[Ticket]:
    due = getattr(Ticket, watch.due)
    query = (select(Ticket).where(*(getattr(Ticket, c).is_(None) for c in watch.unmet),
                                  getattr(Ticket, watch.flag) == false(), due < now)
             .order_by(due).limit(limit).options(selectinload(Ticket.outlet)))
    return list(session.scalars(_locked(session, query)))


def _local(when: datetime, tz: TzInfo) -> str:
    return when.astimezone(tz).isoformat(timespec="minutes")


def record_breaches(session: Session, watch: Watch, tickets: list[Ticket], *, now: datetime, tz: TzInfo,
                    signature: str) -> None:
    """Flag each breach on its ticket, escalate it to a supervisor, and tell the dispatching outlet.

    Written as one batch (the escalations' dedupe keys read in one query, no flush per row), so
    the cost per breach stays a few inserts, whatever the number due.
    """
    keys = {t.id: f"ticket:{t.id}:{watch.flag}" for t in tickets}
    raised = set(session.scalars(select(Escalation.dedupe_key).where(Escalation.dedupe_key.in_(keys.values()))))
    with session.no_autoflush:
        for ticket in tickets:
            setattr(ticket, watch.flag, True)
            ticket.updated_at = now
            note = f"{watch.rule_id}: {watch.breach} (due {_local(getattr(ticket, watch.due), tz)})"
            record_event(session, ticket, "sla_breach", actor="system", now=now, note=note,
                         changes={watch.flag: [False, True]})
            if keys[ticket.id] not in raised:  # raise_escalation's rule, for a whole batch at once
                session.add(Escalation(ticket_id=ticket.id, reason=watch.flag, queue="supervisor", status="open",
                                       dedupe_key=keys[ticket.id], created_at=now,
                                       detail=f"ticket {ticket.number}: {note}"))
    for ticket in tickets:
        text_outlet(session, ticket, template=f"outlet_overdue_{watch.name}", now=now, signature=signature,
                    dedupe_key=f"ticket:{ticket.id}:{watch.flag}:outlet")


def _already(session: Session, dedupe_key: str) -> bool:
    return session.scalar(select(Escalation.id).where(Escalation.dedupe_key == dedupe_key)) is not None


def raise_loaner_task(session: Session, ticket: Ticket, *, now: datetime, tz: TzInfo, signature: str) -> bool:
    """P-SLA-4: one loaner task per ticket, the customer told, the outlet asked; False if raised before."""
    key = f"ticket:{ticket.id}:loaner"
    if _already(session, key):
        return False
    note = f"P-SLA-4: main-equipment fault not fixed by {_local(ticket.loaner_due_at, tz)}: lend an equivalent unit"
    raise_escalation(session, reason="loaner_due", queue="supervisor", now=now, ticket_id=ticket.id,
                     dedupe_key=key, detail=f"ticket {ticket.number}: {note}")
    record_event(session, ticket, "loaner_task", actor="system", now=now, note=note)
    text_customer(session, ticket, template="loaner_notice", now=now, signature=signature,
                  dedupe_key=f"ticket:{ticket.id}:loaner_notice")
    text_outlet(session, ticket, template="outlet_loaner_task", now=now, signature=signature,
                dedupe_key=f"ticket:{ticket.id}:loaner:outlet")
    return True


def _loaners(session: Session, *, now: datetime, tz: TzInfo, signature: str, limit: int) -> int:
    mark = session.get(SweepMark, LOANER_MARK)
    query = select(Ticket).where(Ticket.loaner_due_at.is_not(None), Ticket.loaner_due_at < now)
    if mark is not None:
        query = query.where(Ticket.loaner_due_at >= mark.swept_until)
    rows = list(session.scalars(_locked(session, query.order_by(Ticket.loaner_due_at).limit(limit))))
    raised = sum(
        raise_loaner_task(session, t, now=now, tz=tz, signature=signature)
        for t in rows if t.resolved_at is None and t.cancelled_at is None and t.main_equipment
    )
    # A full batch may have left rows at its last deadline: start there next time (dedupe keeps it once).
    until = rows[-1].loaner_due_at if len(rows) == limit else now
    if mark is None:
        session.add(SweepMark(name=LOANER_MARK, swept_until=until))
    elif until > mark.swept_until:
        mark.swept_until = until
    return raised


def _parts(session: Session, *, now: datetime, tz: TzInfo, limit: int) -> int:
    query = (select(PartsRequest).where(PartsRequest.shipped_at.is_(None), PartsRequest.cancelled_at.is_(None),
                                        PartsRequest.overdue_escalated_at.is_(None), PartsRequest.ship_by < now)
             .order_by(PartsRequest.ship_by).limit(limit))
    rows = list(session.scalars(_locked(session, query)))
    for request in rows:
        request.overdue_escalated_at = now
        ticket = request.ticket
        note = (f"P-REP-3: {request.quantity} x {request.part_name} requested {_local(request.requested_at, tz)} "
                f"not shipped within 2 days")
        raise_escalation(session, reason="parts_overdue", queue="supervisor", now=now, ticket_id=ticket.id,
                         dedupe_key=f"parts_request:{request.id}:overdue", detail=f"ticket {ticket.number}: {note}")
        record_event(session, ticket, "parts_overdue", actor="system", now=now, note=note)
    return len(rows)


def sweep(session: Session, *, now: datetime, tz: TzInfo, signature: str = "【志高】", limit: int = 5000) -> SweepResult:
    """Find everything that fell due by `now` and act on it once; the caller commits.

    At most `limit` rows per kind per sweep, so a backlog (after an outage) clears over a few
    minutes in bounded transactions instead of one huge one.
    """
    counts = {}
    for watch in WATCHES:
        tickets = _overdue(session, watch, now, limit)
        record_breaches(session, watch, tickets, now=now, tz=tz, signature=signature)
        counts[watch.name] = len(tickets)
    loaners = _loaners(session, now=now, tz=tz, signature=signature, limit=limit)
    parts = _parts(session, now=now, tz=tz, limit=limit)
    session.flush()
    return SweepResult(loaners=loaners, parts=parts, **counts)
