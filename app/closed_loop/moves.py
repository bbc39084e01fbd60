"""What follows a ticket move, written once, in the transaction that records the move.

- resolve: the parts requests still unshipped are cancelled (the job waits for them no more); a
  repair whose unit was out of use too long restarts its warranty (P-WAR-7) and the
  customer is told; an install or repair opens its satisfaction survey (P-INS-3, P-REP-2); a
  maintenance visit moves the unit's next free visit (P-CARE-1);
- record_callback: the survey is settled however the answer came, and a score of 1 or 2 goes to
  a supervisor at once with the customer's words (P-REC-4);
- reopen: the survey stops asking about work that is not finished.
"""
from __future__ import annotations

from datetime import datetime
from datetime import tzinfo as TzInfo

from sqlalchemy.orm import Session

from app.care.maintenance import record_maintenance_visit
from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.escalations.models import Escalation
from app.escalations.services import raise_escalation
from app.messaging.outbox import queue_text
from app.sla_watch.parts import cancel_unshipped
from app.surveys.opening import open_survey, settle_survey, withdraw_survey
from app.tickets.lifecycle import EventType
from app.tickets.models import Ticket, TicketEvent
from app.tickets.services import apply_event
from app.warranty.ledger import record_new_restarts, unit_warranty

UNHAPPY_AT_MOST = 2
MAX_DETAIL = 500


def move_ticket(
    session: Session,
    ticket: Ticket,
    event_type: str,
    payload: dict,
    *,
    actor: str,
    now: datetime,
    tz: TzInfo,
    signature: str = "【志高】",
) -> TicketEvent:
    """Move `ticket` by one lifecycle event (refused moves change nothing), then do what follows it."""
    event = apply_event(session, ticket, event_type, payload, actor=actor, now=now, tz=tz)
    follow_move(session, ticket, event, now=now, tz=tz, signature=signature)
    session.flush()
    return event


def follow_move(session: Session, ticket: Ticket, event: TicketEvent, *, now: datetime, tz: TzInfo,
                signature: str) -> None:
    """What follows the move `event` just recorded on `ticket` (see the module's list)."""
    if event.type == EventType.RESOLVE:
        cancel_unshipped(session, ticket, actor=event.actor, now=now)
        restart_warranty(session, ticket, now=now, tz=tz, signature=signature)
        open_survey(session, ticket, now=now)
        record_maintenance_visit(ticket, now=now, tz=tz)
    elif event.type == EventType.RECORD_CALLBACK:
        settle_survey(session, ticket, now=now)
        escalate_if_unhappy(session, ticket, score=ticket.callback_score, words=event.note, now=now)
    elif event.type == EventType.REOPEN:
        withdraw_survey(session, ticket, now=now)


def escalate_if_unhappy(session: Session, ticket: Ticket, *, score: int | None, words: str,
                        now: datetime) -> Escalation | None:
    """P-REC-4: a score of 1 or 2 goes to a supervisor with the customer's words, once per round
    of the ticket (a reopened and again resolved job is asked, and may escalate, afresh)."""
    if score is None or score > UNHAPPY_AT_MOST:
        return None
    words = (words or "").strip()
    detail = f"callback score {score}: {words}" if words else f"callback score {score}"
    return raise_escalation(session, reason="unhappy_customer", queue="supervisor", now=now, ticket_id=ticket.id,
                            dedupe_key=f"ticket:{ticket.id}:unhappy:{ticket.reopen_count}",
                            detail=detail[:MAX_DETAIL])


def restart_warranty(session: Session, ticket: Ticket, *, now: datetime, tz: TzInfo, signature: str) -> None:
    """A resolved repair: the ledger may now show more than 20 days out of use (P-WAR-7)."""
    if ticket.kind != "repair" or ticket.unit is None:
        return
    for restart in record_new_restarts(session, ticket.unit, now=now, tz=tz):
        whole = unit_warranty(session, ticket.unit, on=restart.restarted_on, tz=tz).part("whole_unit")
        if _is_mobile(ticket.phone) and whole.ends_on is not None:
            queue_text(session, phone=ticket.phone, template="warranty_restarted", now=now, ticket_id=ticket.id,
                       dedupe_key=f"unit:{ticket.unit.id}:restart:{restart.restarted_on.isoformat()}",
                       signature=signature,
                       context={"serial_tail": ticket.unit.serial[-4:], "new_end_date": whole.ends_on.isoformat()})


def _is_mobile(phone: str) -> bool:
    try:
        return normalise_phone(phone).is_mobile
    except InvalidPhoneNumber:
        return False
