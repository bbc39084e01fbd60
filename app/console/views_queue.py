"""The escalation queue: oldest first, each with its clock at stake; claim (the API's lease), release, resolve."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.auth import STAFF
from app.console import console
from app.console.actions import act, note_field
from app.console.auth import requires
from app.console.paging import count_upto
from app.console.clocks import at_stake
from app.escalations.claims import claim_escalation, release_escalation
from app.escalations.models import Escalation
from app.escalations.services import QUEUE_ROLES, holder, resolve_escalation
from app.web import business_tz, db_session, now

PER_PAGE = 50


def queues_for(role: str) -> list[str]:
    return [queue for queue, roles in QUEUE_ROLES.items() if role in roles]


@console.get("/escalations")
@requires(*STAFF)
def escalations():
    """The open items of the queues the user's role works, oldest first."""
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    session, at = db_session(), now()
    open_items = (Escalation.status == "open", Escalation.queue.in_(queues_for(current_user.role)))
    rows = list(session.scalars(select(Escalation).where(*open_items)
                                .order_by(Escalation.created_at, Escalation.id)
                                .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
                                .options(selectinload(Escalation.ticket))))
    total = count_upto(session, Escalation, list(open_items))
    items = [{"item": e, "holder": holder(e, at), "stake": at_stake(e.ticket, at)} for e in rows]
    return render_template("escalations.html", items=items, total=total, page=page, per_page=PER_PAGE,
                           now=at, tz=business_tz())


def _back() -> str:
    target = request.form.get("back") or ""
    return target if target.startswith("/console/") else url_for("console.escalations")


@console.post("/escalations/<int(max=2147483647):escalation_id>/claim")
@requires(*STAFF)
def claim(escalation_id: int):
    """Hold the item (the API's lease): a second click renews, another's live claim is refused naming them."""
    def work():
        claim_escalation(db_session(), escalation_id, actor=current_user.name, role=current_user.role, now=now())
        return _("已认领 %(id)s 号升级事项。", id=escalation_id)
    return act(work, _back())


@console.post("/escalations/<int(max=2147483647):escalation_id>/release")
@requires(*STAFF)
def release(escalation_id: int):
    def work():
        release_escalation(db_session(), escalation_id, actor=current_user.name, role=current_user.role, now=now())
        return _("已放弃 %(id)s 号升级事项。", id=escalation_id)
    return act(work, _back())


@console.post("/escalations/<int(max=2147483647):escalation_id>/resolve")
@requires(*STAFF)
def resolve(escalation_id: int):
    """Resolve with a note; the domain wants the resolver's own claim (or a supervisor's role)."""
    def work():
        note = note_field()
        resolve_escalation(db_session(), escalation_id, actor=current_user.name, role=current_user.role,
                           note=note, now=now())
        return _("%(id)s 号升级事项已处理。", id=escalation_id)
    return act(work, _back())
