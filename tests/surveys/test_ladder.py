"""The whole ladder, as staff, Twilio and the clock drive it from outside: text, reminder, voice
survey through the stand-in, a staff task, and a ticket verified only by a recorded result."""
import re
from html import unescape

import pytest

from tests.factories import make_technician
from tests.surveys.support import PUBLIC_BASE_URL, SURVEY_LINE, at, survey_of, texts_to

PHONE = "+8613800138000"


@pytest.fixture
def resolved_repair(client, agent, session, clock):
    """A repair filed, dispatched, visited and resolved through the staff API (resolved 12:00)."""
    technician = make_technician(session)
    session.commit()
    ticket = client.post("/api/v1/tickets", json={"kind": "repair", "product_line": "home_ac", "phone": "13800138000"},
                         headers=agent).json
    for when, event in ((at(7, 10, 10), {"type": "dispatch", "technician_id": technician.id}),
                        (at(7, 11), {"type": "arrive"}), (at(7, 12), {"type": "resolve"})):
        clock.set(when)
        response = client.post(f"/api/v1/tickets/{ticket['number']}/events", json=event, headers=agent)
        assert response.status_code == 201, response.json
    return ticket


def climb_to_the_call(run_job, standin):
    """Run the jobs as the scheduler would through 48 hours of silence; returns what was asked when."""
    steps = [("survey_send", at(7, 12, 5)), ("outbox_dispatch", at(7, 12, 5)),
             ("survey_followup", at(8, 12, 4)), ("survey_followup", at(8, 12, 6)), ("outbox_dispatch", at(8, 12, 6)),
             ("survey_followup", at(9, 12, 4))]
    for name, when in steps:
        run_job(name, when)
    assert standin.calls == []  # nothing before 48 hours
    run_job("survey_followup", at(9, 12, 6))


def status(twilio_post, call, call_status):
    return twilio_post("/twilio/voice/status", {"CallSid": call["sid"], "AccountSid": "AC" + "0" * 32,
                                                "From": SURVEY_LINE, "To": PHONE, "Direction": "outbound-api",
                                                "CallStatus": call_status}, base=PUBLIC_BASE_URL)


def test_silence_climbs_text_reminder_call_staff_and_a_staff_result_verifies(
        client, agent, session, clock, run_job, standin, twilio_post, resolved_repair):
    number = resolved_repair["number"]
    climb_to_the_call(run_job, standin)
    assert [m.template for m in texts_to(session, PHONE) if m.template.startswith("survey")] == \
        ["survey_request", "survey_reminder"]
    [call] = standin.calls
    assert call["to"] == PHONE and call["url"].endswith(f"survey_id={survey_of(session, resolved_repair_ticket(session, number)).id}")

    clock.set(at(9, 12, 7))
    assert status(twilio_post, call, "no-answer").status_code == 200
    [task] = client.get("/api/v1/escalations", query_string={"queue": "agent"}, headers=agent).json["items"]
    assert task["reason"] == "survey_callback" and task["ticket"]["number"] == number
    assert client.get(f"/api/v1/tickets/{number}", headers=agent).json["status"] == "resolved"

    clock.set(at(9, 15))
    response = client.post(f"/api/v1/tickets/{number}/events", json={"type": "record_callback", "score": 4,
                                                                     "note": "电话回访：满意"}, headers=agent)
    assert response.status_code == 201 and response.json["status"] == "verified"
    assert client.get("/api/v1/escalations", query_string={"queue": "agent"}, headers=agent).json["items"] == []
    assert survey_of(session, resolved_repair_ticket(session, number)).status == "settled"


def test_a_customer_who_rates_by_key_on_the_voice_survey_verifies_the_ticket(
        client, agent, session, clock, run_job, standin, twilio_post, resolved_repair):
    number = resolved_repair["number"]
    climb_to_the_call(run_job, standin)
    [call] = standin.calls
    clock.set(at(9, 12, 7))
    answered = {"CallSid": call["sid"], "AccountSid": "AC" + "0" * 32, "From": SURVEY_LINE, "To": PHONE,
                "Direction": "outbound-api", "CallStatus": "in-progress"}
    path = call["url"][len(PUBLIC_BASE_URL):]
    twiml = twilio_post(path, answered, base=PUBLIC_BASE_URL).get_data(as_text=True)
    action = unescape(re.search(r'<Gather[^>]*action="([^"]+)"', twiml).group(1))
    action = action[len(PUBLIC_BASE_URL):] if action.startswith("http") else action
    twilio_post(action, {**answered, "Digits": "5"}, base=PUBLIC_BASE_URL)
    status(twilio_post, call, "completed")
    ticket = client.get(f"/api/v1/tickets/{number}", headers=agent).json
    assert (ticket["status"], ticket["callback_score"]) == ("verified", 5)
    assert [e["actor"] for e in ticket["events"] if e["type"] == "record_callback"] == ["survey"]
    assert client.get("/api/v1/escalations", query_string={"queue": "agent"}, headers=agent).json["items"] == []


def test_a_customer_who_replies_to_the_reminder_is_never_called(session, run_job, standin, twilio_post,
                                                                  resolved_repair):
    run_job("survey_send", at(7, 12, 5))
    run_job("survey_followup", at(8, 12, 6))
    twilio_post("/twilio/sms", {"MessageSid": "SM" + "3" * 32, "From": PHONE, "To": "+864006757888",
                                "Body": "不太满意，等太久了"}, base=PUBLIC_BASE_URL)
    run_job("survey_followup", at(9, 12, 6))
    assert standin.calls == []
    ticket = resolved_repair_ticket(session, resolved_repair["number"])
    assert (ticket.status, ticket.callback_score) == ("verified", 2)


def test_a_staff_result_recorded_before_any_answer_stops_the_ladder(client, agent, session, clock, run_job, standin,
                                                                    resolved_repair):
    run_job("survey_send", at(7, 12, 5))
    clock.set(at(7, 13))
    client.post(f"/api/v1/tickets/{resolved_repair['number']}/events", json={"type": "record_callback", "score": 5},
                headers=agent)
    for when in (at(8, 12, 6), at(9, 12, 6), at(10, 12)):
        run_job("survey_followup", when)
    assert texts_to(session, PHONE, "survey_reminder") == [] and standin.calls == []


def resolved_repair_ticket(session, number):
    from sqlalchemy import select

    from app.tickets.models import Ticket

    session.expire_all()
    return session.scalar(select(Ticket).where(Ticket.number == number))
