"""A ticket's whole story (timeline, SLA milestones, the unit's cover per part) and a form for every move.

Each form becomes the payload the JSON API's `POST /tickets/<n>/events` takes, handed to the same
verb (`move_ticket`), so the console and the API refuse alike, with the same reasons.
"""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.auth import STAFF
from app.api.tickets import load_ticket
from app.closed_loop.moves import move_ticket
from app.console import console
from app.console.actions import act, field, note_field
from app.console.auth import requires
from app.console.clocks import milestones_of
from app.console.forms import work_lines_payload, whole
from app.escalations.models import Escalation
from app.network.models import Outlet, Technician
from app.sla_watch.models import PartsRequest
from app.sla_watch.parts import request_parts, ship_parts
from app.surveys.services import survey_for_ticket
from app.tickets import lifecycle, sla
from app.tickets.lifecycle import EventType
from app.warranty.ledger import unit_warranty
from app.web import business_tz, db_session, now, settings

EVENTS = tuple(e.value for e in EventType)


@console.get("/tickets/<number>")
@requires(*STAFF)
def ticket(number: str):
    session, at, tz = db_session(), now(), business_tz()
    ticket = load_ticket(number)
    today = at.astimezone(tz).date()
    cover = unit_warranty(session, ticket.unit, on=today, tz=tz) if ticket.unit is not None else None
    outlets = list(session.scalars(select(Outlet).order_by(Outlet.name)))
    chosen = request.args.get("outlet", type=int) or ticket.outlet_id
    technicians = []
    if chosen:
        technicians = [(t, t.dispatch_refusal(today, ticket.product_line)) for t in session.scalars(
            select(Technician).where(Technician.outlet_id == chosen).order_by(Technician.name)
            .options(selectinload(Technician.outlet)))]
    parts = list(session.scalars(select(PartsRequest).where(PartsRequest.ticket_id == ticket.id)
                                 .order_by(PartsRequest.id)))
    escalations = list(session.scalars(select(Escalation).where(Escalation.ticket_id == ticket.id)
                                       .order_by(Escalation.created_at)))
    return render_template(
        "ticket.html", ticket=ticket, tz=tz, now=at, milestones=milestones_of(ticket, at),
        loaner_owed=sla.loaner_owed(ticket.loaner_due_at, ticket.resolved_at, at),
        allowed=lifecycle.allowed_events(ticket.kind, ticket.status), cover=cover, outlets=outlets,
        chosen_outlet=chosen, technicians=technicians, parts=parts, escalations=escalations,
        survey=survey_for_ticket(session, ticket.id),
        technician=session.get(Technician, ticket.technician_id) if ticket.technician_id else None)


def _payload(event: str) -> dict:
    """The API's event body, read from the form of that event."""
    payload: dict = {"note": field("note")}
    if event == "dispatch":
        payload["technician_id"] = whole(field("technician_id"))
    elif event == "resolve":
        payload.update(work_lines_payload(request.form))
        payload["users_fault"] = request.form.get("users_fault") == "1"
    elif event == "record_callback":
        payload["score"] = whole(field("score"))
    return payload


def _back(number: str) -> str:
    target = request.form.get("back") or ""
    return target if target.startswith("/console/") else url_for("console.ticket", number=number)


@console.post("/tickets/<number>/events/<event>")
@requires(*STAFF)
def ticket_event(number: str, event: str):
    """One move of the lifecycle; the domain's refusal (state, technician, lines) is shown as it gives it."""
    def work():
        ticket = load_ticket(number)
        move_ticket(db_session(), ticket, event, _payload(event), actor=current_user.name, now=now(),
                    tz=business_tz(), signature=settings().sms_signature)
        return _("工单 %(n)s：%(e)s 已记录。", n=ticket.number, e=event_label(event))
    return act(work, _back(number))


@console.post("/tickets/<number>/parts")
@requires(*STAFF)
def ticket_parts(number: str):
    """A parts request (P-REP-3, owed in 2 days)."""
    def work():
        ticket = load_ticket(number)
        request_parts(db_session(), ticket, part_name=field("part"), quantity=whole(field("quantity") or "1"),
                      part_code=note_field("code", 40, required=False), depot=note_field("depot", 80, required=False),
                      actor=current_user.name, now=now())
        return _("已申请配件。")
    return act(work, _back(number))


@console.post("/tickets/<number>/parts/<int(max=2147483647):request_id>/ship")
@requires(*STAFF)
def ticket_parts_shipped(number: str, request_id: int):
    def work():
        ship_parts(db_session(), load_ticket(number), request_id, actor=current_user.name, now=now())
        return _("配件已发出。")
    return act(work, _back(number))


def event_label(event: str) -> str:
    labels = {"acknowledge": _("受理"), "dispatch": _("派工"), "arrive": _("上门"), "resolve": _("完工"),
              "record_callback": _("记录回访"), "close": _("关闭"), "cancel": _("取消"), "reopen": _("重开")}
    return labels.get(event, event)


@console.app_template_global("event_label")
def _event_label(event: str) -> str:
    return event_label(event)
