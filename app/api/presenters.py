"""How models look in JSON: times in the business time zone with their offset (ISO 8601)."""
from __future__ import annotations

from datetime import date, datetime
from datetime import tzinfo as TzInfo

from app.customers.phone_numbers import mask_phone
from app.escalations.models import Escalation
from app.escalations.services import holder
from app.inbox.services import InboxItem
from app.messaging.models import Message
from app.network.models import Outlet, Technician
from app.sla_watch.models import PartsRequest
from app.tickets import lifecycle, sla
from app.tickets.models import Ticket, TicketEvent
from app.warranty.engine import WarrantyStatus


def iso(value: datetime | None, tz: TzInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value is not None else None


def event_json(event: TicketEvent, tz: TzInfo) -> dict:
    return {
        "id": event.id, "type": event.type, "actor": event.actor, "at": iso(event.at, tz),
        "status_before": event.status_before, "status_after": event.status_after,
        "changes": event.changes, "note": event.note,
    }


def ticket_json(ticket: Ticket, tz: TzInfo, now: datetime, *, with_events: bool = True) -> dict:
    """A ticket with its clocks, where each milestone stands at `now`, and (by default) its events."""
    stones = sla.milestones(
        respond_by=ticket.respond_by, arrive_by=ticket.arrive_by, resolve_by=ticket.resolve_by,
        responded_at=ticket.responded_at, arrived_at=ticket.arrived_at, resolved_at=ticket.resolved_at, now=now,
    )
    body = {
        "number": ticket.number, "kind": ticket.kind, "product_line": ticket.product_line,
        "status": ticket.status, "priority": ticket.priority, "source": ticket.source,
        "phone": ticket.phone, "customer_id": ticket.customer_id,
        "serial": ticket.unit.serial if ticket.unit is not None else None,
        "summary": ticket.summary, "main_equipment": ticket.main_equipment,
        "needs_verification_call": ticket.needs_verification_call,
        "created_at": iso(ticket.created_at, tz), "updated_at": iso(ticket.updated_at, tz),
        "appointment_at": iso(ticket.appointment_at, tz),
        "respond_by": iso(ticket.respond_by, tz), "arrive_by": iso(ticket.arrive_by, tz),
        "resolve_by": iso(ticket.resolve_by, tz), "loaner_due_at": iso(ticket.loaner_due_at, tz),
        "loaner_owed": sla.loaner_owed(ticket.loaner_due_at, ticket.resolved_at, now),
        "milestones": [
            {"name": m.name, "rule_id": m.rule_id, "due": iso(m.due, tz), "met_at": iso(m.met_at, tz),
             "state": m.state.value, "breached": m.breached}
            for m in stones
        ],
        "respond_breached": ticket.respond_breached, "arrive_breached": ticket.arrive_breached,
        "resolve_breached": ticket.resolve_breached,
        "technician_id": ticket.technician_id, "outlet_id": ticket.outlet_id,
        "work_lines": ticket.work_lines or {}, "callback_score": ticket.callback_score,
        "reopen_count": ticket.reopen_count,
        "allowed_events": lifecycle.allowed_events(ticket.kind, ticket.status),
    }
    if with_events:
        body["events"] = [event_json(e, tz) for e in ticket.events]
    return body


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def outlet_json(outlet: Outlet) -> dict:
    return {
        "id": outlet.id, "name": outlet.name, "province": outlet.province, "city": outlet.city,
        "phone": outlet.phone, "contract_status": outlet.contract_status,
        "review_status": outlet.review_status, "may_serve": outlet.may_serve,
        "contract_signed_on": _day(outlet.contract_signed_on), "contract_ends_on": _day(outlet.contract_ends_on),
        "reviewed_on": _day(outlet.reviewed_on),
    }


def technician_json(technician: Technician, today: date) -> dict:
    return {
        "id": technician.id, "name": technician.name, "outlet_id": technician.outlet_id,
        "phone": technician.phone, "certificate_number": technician.certificate_number,
        "certificate_issued_on": _day(technician.certificate_issued_on),
        "certificate_expires_on": _day(technician.certificate_expires_on),
        "product_lines": list(technician.product_lines or []),
        "certified": technician.certified_on(today),
        "dispatchable": technician.dispatch_refusal(today) is None,
    }


def message_json(message: Message, tz: TzInfo) -> dict:
    return {
        "id": message.id, "direction": message.direction, "phone": message.phone, "body": message.body,
        "template": message.template, "category": message.category, "status": message.status,
        "sid": message.sid, "error_code": message.error_code, "error_message": message.error_message,
        "ticket_id": message.ticket_id, "created_at": iso(message.created_at, tz),
        "send_after": iso(message.send_after, tz), "sent_at": iso(message.sent_at, tz),
        "status_updated_at": iso(message.status_updated_at, tz),
    }


def escalation_json(escalation: Escalation, tz: TzInfo, now: datetime) -> dict:
    """An escalation; its claim (`claimed_by`, `claimed_until`) only while the claim holds at `now`."""
    ticket = escalation.ticket
    claimed_by = holder(escalation, now)
    return {
        "id": escalation.id, "reason": escalation.reason, "detail": escalation.detail,
        "queue": escalation.queue, "status": escalation.status, "created_at": iso(escalation.created_at, tz),
        "resolved_at": iso(escalation.resolved_at, tz), "resolved_by": escalation.resolved_by,
        "claimed_by": claimed_by, "claimed_until": iso(escalation.claimed_until, tz) if claimed_by else None,
        "ticket": None if ticket is None else {
            "number": ticket.number, "kind": ticket.kind, "status": ticket.status,
            "product_line": ticket.product_line, "phone_masked": mask_phone(ticket.phone),
        },
    }


def parts_request_json(request: PartsRequest, ticket: Ticket, tz: TzInfo) -> dict:
    return {
        "id": request.id, "ticket_number": ticket.number, "part": request.part_name, "code": request.part_code,
        "quantity": request.quantity, "depot": request.depot, "requested_by": request.requested_by,
        "requested_at": iso(request.requested_at, tz), "ship_by": iso(request.ship_by, tz),
        "shipped_at": iso(request.shipped_at, tz), "shipped_by": request.shipped_by,
        "cancelled_at": iso(request.cancelled_at, tz), "overdue_escalated_at": iso(request.overdue_escalated_at, tz),
    }


def inbox_item_json(item: InboxItem, tz: TzInfo, now: datetime) -> dict:
    """An inbox item for staff (agents and up see full numbers): the text, who sent it, what they wait for."""
    escalation, message, customer = item.escalation, item.message, item.customer
    claimed_by = holder(escalation, now)
    return {
        "id": escalation.id, "reason": escalation.reason, "phone": escalation.phone, "text": message.body,
        "received_at": iso(message.created_at, tz), "created_at": iso(escalation.created_at, tz),
        "ticket_number": escalation.ticket.number if escalation.ticket is not None else None,
        "customer": None if customer is None else {"id": customer.id, "name": customer.name},
        "open_tickets": [{"number": t.number, "kind": t.kind, "status": t.status, "product_line": t.product_line,
                          "created_at": iso(t.created_at, tz)} for t in item.open_tickets],
        "claimed_by": claimed_by, "claimed_until": iso(escalation.claimed_until, tz) if claimed_by else None,
    }


def warranty_json(serial: str, status: WarrantyStatus, restarts_recorded: list) -> dict:
    def d(value):
        return value.isoformat() if value is not None else None

    return {
        "serial": serial, "product_line": status.product_line, "on": d(status.on), "basis": status.basis,
        "original_start_on": d(status.original_start_on), "period_start_on": d(status.period_start_on),
        "in_warranty": status.in_warranty,
        "downtime_in_period_days": round(status.downtime_in_period.total_seconds() / 86400, 3),
        "parts": [
            {"part": p.part, "status": p.status, "covered": p.covered, "starts_on": d(p.starts_on),
             "ends_on": d(p.ends_on), "rule_ids": list(p.rule_ids)}
            for p in status.parts
        ],
        "restarts": [
            {"restarted_on": d(r.restarted_on), "ticket_number": r.ticket_number, "reason": r.reason,
             "downtime_days": round(r.downtime.total_seconds() / 86400, 3)}
            for r in status.restarts
        ],
        "restarts_recorded": restarts_recorded,
    }


def customer_json(customer, units: list, *, masked: bool) -> dict:
    """A customer with numbers in E.164, or masked (+86139****5678) where a list shows many people."""
    show = mask_phone if masked else (lambda e164: e164)
    address = customer.addresses[0] if customer.addresses else None
    return {
        "id": customer.id, "name": customer.name,
        "phones": [show(p.e164) for p in customer.phones],
        "province": address.province if address else None, "city": address.city if address else None,
        "address": address.line if address else None,
        "units": [{"serial": u.serial, "model": u.model, "product_line": u.product_line,
                   "installed_on": _day(u.installed_on)} for u in units],
        "marketing_consent": customer.marketing_consent,
        "erased": customer.erased_at is not None,
    }
