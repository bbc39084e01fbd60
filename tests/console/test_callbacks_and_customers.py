"""The callback worklist (resolved jobs with their survey's state; recording verifies) and the customer
search (any form of a number, a name, a serial; masked, shown whole on request with an audit record)."""
from __future__ import annotations

import html

from sqlalchemy import select

from app.closed_loop.moves import move_ticket
from app.customers.models import CustomerAudit
from app.surveys.models import Survey
from app.tickets.models import Ticket
from tests.conftest import SHANGHAI
from tests.factories import add_phone, make_customer, make_technician, make_unit


def _resolved(session, clock, new_ticket, **extra):
    technician = make_technician(session)
    ticket = new_ticket(**extra)
    for event, payload in (("dispatch", {"technician_id": technician.id}), ("arrive", {}), ("resolve", {})):
        move_ticket(session, ticket, event, payload, actor="tech", now=clock.now(), tz=SHANGHAI)
    session.commit()
    return ticket


def test_the_worklist_shows_resolved_jobs_with_the_survey_and_recording_verifies(console_staff, new_ticket,
                                                                                 session, clock):
    ticket = _resolved(session, clock, new_ticket)
    open_ticket = new_ticket(phone="13912345678")
    amy = console_staff("agent", "amy")
    page = amy.page("/console/callbacks")
    assert f'id="callback-{ticket.number}"' in page and f'id="callback-{open_ticket.number}"' not in page
    survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
    assert f'<span class="ladder">{survey.status}</span>' in page and "138****8000" in page
    refused = amy.post(f"/console/tickets/{ticket.number}/events/record_callback",
                       {"score": "9", "back": "/console/callbacks"}, follow=True)
    assert "the callback needs a score from 1 to 5" in refused.get_data(as_text=True)
    done = amy.post(f"/console/tickets/{ticket.number}/events/record_callback",
                    {"score": "2", "note": "师傅迟到", "back": "/console/callbacks"}, follow=True)
    assert done.request.path == "/console/callbacks" and f"callback-{ticket.number}" not in done.get_data(as_text=True)
    session.expire_all()
    row = session.get(Ticket, ticket.id)
    assert (row.status, row.callback_score) == ("verified", 2)
    # An unhappy score goes to a supervisor (P-REC-4), as through the API.
    assert "unhappy_customer" in console_staff("supervisor").page("/console/escalations")


def test_customers_are_found_by_a_number_typed_any_way_by_name_and_by_serial(console_staff, session):
    wang = make_customer(session, phone="+8613800138000", name="王伟")
    add_phone(session, wang, "+8613912345678")
    make_unit(session, wang, serial="HA02026001")
    make_customer(session, phone="+8613700001111", name="李娜")
    session.commit()
    amy = console_staff("agent", "amy")
    for typed in ("13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000", "１３８００１３８０００",
                  "139 1234 5678", "王", "王伟", "HA02026001", "ha02026001"):
        page = amy.page(f"/console/customers?q={typed}")
        assert f'id="customer-{wang.id}"' in page, typed
        assert "李娜" not in page, typed
    page = amy.page("/console/customers?q=13800138000")
    assert "138****8000" in page and "139****5678" in page and "13800138000" not in page.replace('value="13800138000"', "")


def test_showing_the_full_number_writes_an_audit_record(console_staff, session, clock):
    wang = make_customer(session, phone="+8613800138000", name="王伟")
    session.commit()
    amy = console_staff("agent", "amy")
    shown = amy.post(f"/console/customers/{wang.id}/reveal", {"q": "王伟"}, token_from="/console/customers?q=王伟")
    assert shown.status_code == 200 and "+8613800138000" in shown.get_data(as_text=True)
    audits = session.scalars(select(CustomerAudit).where(CustomerAudit.customer_id == wang.id,
                                                         CustomerAudit.action == "phone_revealed")).all()
    assert [(a.actor, a.at) for a in audits] == [("amy", clock.now())]


def test_showing_the_full_number_without_the_token_is_400_and_not_recorded(console_staff, session):
    wang = make_customer(session, phone="+8613800138000", name="王伟")
    session.commit()
    amy = console_staff("agent", "amy")
    response = amy.client.post(f"/console/customers/{wang.id}/reveal", data={"q": "王伟"})
    assert response.status_code == 400 and "+8613800138000" not in response.get_data(as_text=True)
    assert session.scalar(select(CustomerAudit).where(CustomerAudit.action == "phone_revealed")) is None
    missing = amy.post("/console/customers/424242/reveal")
    assert missing.status_code == 404 and "no customer 424242" in missing.get_data(as_text=True)


def test_a_search_too_long_is_a_400_page_not_a_500(console_staff):
    response = console_staff("agent").client.get("/console/customers?q=" + "王" * 200)
    assert response.status_code == 400 and "at most 120" in html.unescape(response.get_data(as_text=True))
