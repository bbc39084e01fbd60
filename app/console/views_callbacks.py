"""The callback worklist: resolved jobs awaiting verification, with where the survey ladder stands."""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.auth import STAFF
from app.console import console
from app.console.auth import requires
from app.console.paging import count_upto
from app.surveys.models import Survey
from app.tickets.lifecycle import VERIFIED_KINDS
from app.tickets.models import Ticket
from app.web import business_tz, db_session, now

PER_PAGE = 50
KINDS = sorted(k.value for k in VERIFIED_KINDS)


@console.get("/callbacks")
@requires(*STAFF)
def callbacks():
    """Oldest resolution first; recording a result (the ticket's record_callback) verifies the ticket."""
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    session = db_session()
    waiting = (Ticket.status == "resolved", Ticket.kind.in_(KINDS))
    rows = session.execute(select(Ticket, Survey).outerjoin(Survey, Survey.ticket_id == Ticket.id)
                           .where(*waiting).order_by(Ticket.resolved_at, Ticket.id)
                           .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
                           .options(selectinload(Ticket.unit))).all()
    total = count_upto(session, Ticket, list(waiting))
    return render_template("callbacks.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           tz=business_tz(), now=now())
