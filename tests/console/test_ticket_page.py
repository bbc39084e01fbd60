"""A ticket's page: its timeline (who, when, before -> after), its clocks, its unit's cover per part, and
a form for every move, each refusal shown with the domain's reason and nothing changed."""
from __future__ import annotations

import html
from datetime import date

from sqlalchemy import select

from app.sla_watch.models import PartsRequest
from app.tickets.models import Ticket
from tests.factories import make_technician, make_unit


def _reload(session, number):
    session.expire_all()
    return session.scalar(select(Ticket).where(Ticket.number == number))


def test_a_repair_from_received_to_verified_through_the_forms(console_staff, new_ticket, session, clock):
    unit = make_unit(session, serial="HA00000001", installed_on=date(2025, 5, 1))
    technician = make_technician(session)
    session.commit()
    ticket = new_ticket(serial="HA00000001", summary="不制冷")
    amy = console_staff("agent", "amy")
    base = f"/console/tickets/{ticket.number}"
    page = amy.page(base)
    assert "HA00000001" in page and "whole_unit" in page and 'id="form-acknowledge"' in page
    assert "138****8000" in page and "13800138000" not in page

    assert amy.post(f"{base}/events/acknowledge", {"note": "已联系"}).status_code == 302
    clock.advance(minutes=20)
    page = amy.page(f"{base}?outlet={technician.outlet_id}")
    assert technician.name in page
    amy.post(f"{base}/events/dispatch", {"technician_id": str(technician.id)})
    clock.advance(minutes=110)  # 130 minutes after reception: the 2-hour arrival (P-SLA-2) is late
    amy.post(f"{base}/events/arrive")
    clock.advance(hours=2)
    resolved = amy.post(f"{base}/events/resolve", {
        "part_name": ["压缩机", ""], "part_code": ["C-1", ""], "part_quantity": ["1", ""],
        "returned_name": ["旧压缩机"], "returned_code": ["C-1"], "returned_quantity": [""],
        "fee_item": ["上门费", "材料费"], "fee_amount": ["30", "120.50"], "note": "更换压缩机"}, follow=True)
    assert "已记录" in resolved.get_data(as_text=True)
    row = _reload(session, ticket.number)
    assert row.status == "resolved" and row.technician_id == technician.id and row.outlet_id == technician.outlet_id
    assert row.work_lines == {"parts": [{"code": "C-1", "name": "压缩机", "quantity": 1}],
                              "fees": [{"item": "上门费", "amount": "30.00"}, {"item": "材料费", "amount": "120.50"}],
                              "fee_total": "150.50", "returned": [{"code": "C-1", "name": "旧压缩机", "quantity": 1}]}
    page = amy.page(base)
    # The timeline: each move with who and before -> after; the respond clock met on time, arrive met late.
    assert page.count('data-type="') == 5 and "received → acknowledged" in page and "on_site → resolved" in page
    assert "amy" in page and "state-met" in page and "state-met_late" in page
    amy.post(f"{base}/events/record_callback", {"score": "5", "note": "很满意"})
    assert _reload(session, ticket.number).status == "verified"
    amy.post(f"{base}/events/reopen", {"note": "又不制冷了"})
    row = _reload(session, ticket.number)
    assert (row.status, row.reopen_count) == ("acknowledged", 1)


def _refusal(staff, path, data=None) -> str:
    response = staff.post(path, data or {}, follow=True)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_each_refused_move_says_why_and_changes_nothing(console_staff, new_ticket, session, clock):
    ticket = new_ticket()
    base = f"/console/tickets/{ticket.number}"
    amy = console_staff("agent", "amy")
    assert "cannot arrive a ticket that is received; it must be dispatched" in _refusal(amy, f"{base}/events/arrive")
    expired = make_technician(session, expires_on=date(2026, 1, 1))
    session.commit()
    assert "certificate expired on 2026-01-01" in _refusal(amy, f"{base}/events/dispatch",
                                                           {"technician_id": str(expired.id)})
    assert "dispatch needs a technician" in _refusal(amy, f"{base}/events/dispatch", {"technician_id": "abc"})
    assert "no technician 424242" in _refusal(amy, f"{base}/events/dispatch", {"technician_id": "424242"})
    assert "unknown event type 'explode'" in _refusal(amy, f"{base}/events/explode")
    assert "say why the ticket is cancelled" in _refusal(amy, f"{base}/events/cancel", {"note": ""})
    row = _reload(session, ticket.number)
    assert (row.status, row.technician_id, len(row.events)) == ("received", None, 1)


def test_a_resolve_with_a_bad_fee_is_refused_with_the_line_named(console_staff, new_ticket, session, clock):
    technician = make_technician(session)
    session.commit()
    ticket = new_ticket()
    base = f"/console/tickets/{ticket.number}"
    amy = console_staff("agent", "amy")
    amy.post(f"{base}/events/dispatch", {"technician_id": str(technician.id)})
    amy.post(f"{base}/events/arrive")
    text = _refusal(amy, f"{base}/events/resolve", {"fee_item": ["上门费"], "fee_amount": ["三十"]})
    assert "fees[0]: amount must be a number of yuan" in text
    text = _refusal(amy, f"{base}/events/resolve", {"part_name": ["滤网"], "part_quantity": ["0"]})
    assert "parts[0]: quantity must be 1 to 100" in text
    assert _reload(session, ticket.number).status == "on_site"
    text = _refusal(amy, f"{base}/events/record_callback", {"score": "5"})
    assert "cannot record_callback a ticket that is on_site; it must be resolved" in text
    assert _reload(session, ticket.number).status == "on_site"


def test_parts_are_requested_and_shipped_from_the_page(console_staff, new_ticket, session):
    ticket = new_ticket()
    base = f"/console/tickets/{ticket.number}"
    amy = console_staff("agent", "amy")
    assert "已申请配件" in _refusal(amy, f"{base}/parts", {"part": "电容", "quantity": "2", "depot": "南宁仓"})
    request = session.scalar(select(PartsRequest).where(PartsRequest.ticket_id == ticket.id))
    assert (request.part_name, request.quantity, request.depot) == ("电容", 2, "南宁仓")
    assert "quantity must be 1 to 100" in _refusal(amy, f"{base}/parts", {"part": "电容", "quantity": "x"})
    assert "配件已发出" in _refusal(amy, f"{base}/parts/{request.id}/ship")
    assert "already shipped" in _refusal(amy, f"{base}/parts/{request.id}/ship")
    install = new_ticket(kind="install")
    assert "parts are requested on an open repair" in _refusal(amy, f"/console/tickets/{install.number}/parts",
                                                                {"part": "电容"})


def test_an_unknown_ticket_is_a_404_page(console_staff):
    amy = console_staff("agent", "amy")
    for number in ("99999999", "abc", "1" * 40):
        response = amy.client.get(f"/console/tickets/{number}")
        assert response.status_code == 404 and "no ticket" in response.get_data(as_text=True)


def test_a_move_without_the_csrf_token_is_400_and_changes_nothing(console_staff, new_ticket, session):
    ticket = new_ticket()
    amy = console_staff("agent", "amy")
    response = amy.client.post(f"/console/tickets/{ticket.number}/events/acknowledge", data={"note": "x"})
    assert response.status_code == 400
    assert _reload(session, ticket.number).status == "received"
