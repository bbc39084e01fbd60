"""The SLA sweep: every breach recorded and escalated exactly once, loaners raised, late parts chased."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.escalations.models import Escalation
from app.sla_watch.models import SweepMark
from app.sla_watch.parts import request_parts, ship_parts
from app.tickets.models import Ticket, TicketEvent
from tests.factories import make_technician
from tests.surveys.support import at, move, open_ticket, texts_to

PHONE = "+8613800138000"
OUTLET_MOBILE = "+8613900139000"
RECEIVED = at(7, 10)
ALL_FOUR = sorted(["respond_breached", "arrive_breached", "resolve_breached", "loaner_due"])


def reasons(session) -> list[str]:
    return sorted(session.scalars(select(Escalation.reason)))


def reload(session, ticket) -> Ticket:
    session.expire_all()
    return session.get(Ticket, ticket.id)


@pytest.fixture
def repair(session):
    ticket = open_ticket(session, RECEIVED, phone=PHONE)
    session.commit()
    return ticket


def sweep_every(run_job, start, end, step=timedelta(minutes=15)):
    when = start
    while when <= end:
        run_job("sla_sweep", when)
        when += step


def test_a_ticket_left_alone_escalates_at_1h_2h_24h_once_each_and_gets_one_loaner(session, runner, repair):
    when = RECEIVED
    while when <= RECEIVED + timedelta(hours=30):
        result = runner.invoke(args=["jobs", "run", "sla_sweep", "--now", when.isoformat()])
        assert result.exit_code == 0, result.output
        when += timedelta(minutes=20)
    assert reasons(session) == ALL_FOUR
    ticket = reload(session, repair)
    assert ticket.respond_breached and ticket.arrive_breached and ticket.resolve_breached
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                       TicketEvent.actor == "system")).all()
    assert sorted(e.type for e in events) == ["loaner_task", "sla_breach", "sla_breach", "sla_breach"]
    assert len(texts_to(session, PHONE, "loaner_notice")) == 1


@pytest.mark.parametrize("hours, expected", [
    (1, []), (1.01, ["respond_breached"]), (2, ["respond_breached"]),
    (2.01, ["arrive_breached", "respond_breached"]),
    (24.01, ALL_FOUR),
])
def test_a_deadline_is_breached_only_after_it_passes(session, run_job, repair, hours, expected):
    run_job("sla_sweep", RECEIVED + timedelta(hours=hours))
    assert reasons(session) == expected


def test_escalations_go_to_the_supervisor_queue_with_the_rule(session, run_job, repair):
    run_job("sla_sweep", RECEIVED + timedelta(hours=1, minutes=1))
    [escalation] = session.scalars(select(Escalation)).all()
    assert escalation.queue == "supervisor" and "P-SLA-1" in escalation.detail and escalation.ticket_id == repair.id


def test_an_acknowledged_ticket_does_not_breach_its_response_but_still_owes_the_visit(session, run_job, repair):
    move(session, repair, "acknowledge", RECEIVED + timedelta(minutes=30))
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=2, minutes=1))
    assert reasons(session) == ["arrive_breached"]


def test_the_dispatching_outlet_is_texted_about_a_breach_when_its_mobile_is_known(session, run_job, repair):
    technician = make_technician(session)
    technician.outlet.phone = OUTLET_MOBILE
    move(session, repair, "dispatch", RECEIVED + timedelta(minutes=20), technician_id=technician.id)
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=2, minutes=1))
    [notice] = texts_to(session, OUTLET_MOBILE)
    assert notice.template == "outlet_overdue_arrive" and repair.number in notice.body


def test_an_outlet_with_a_landline_is_not_texted(session, run_job, repair):
    technician = make_technician(session)
    technician.outlet.phone = "+867712345678"
    move(session, repair, "dispatch", RECEIVED + timedelta(minutes=20), technician_id=technician.id)
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=2, minutes=1))
    assert texts_to(session, "+867712345678") == [] and reasons(session) == ["arrive_breached"]


def test_the_loaner_task_asks_the_dispatching_outlet_and_tells_the_customer(session, run_job, repair):
    technician = make_technician(session)
    technician.outlet.phone = OUTLET_MOBILE
    move(session, repair, "dispatch", RECEIVED + timedelta(minutes=20), technician_id=technician.id)
    move(session, repair, "arrive", RECEIVED + timedelta(minutes=90))
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=24, minutes=1))
    assert reasons(session) == sorted(["resolve_breached", "loaner_due"])
    assert [m.template for m in texts_to(session, OUTLET_MOBILE)] == ["outlet_overdue_resolve", "outlet_loaner_task"]
    [notice] = texts_to(session, PHONE, "loaner_notice")
    assert repair.number in notice.body and "400 675 7888" in notice.body


def test_a_repair_fixed_within_24h_gets_no_loaner(session, run_job, repair):
    technician = make_technician(session)
    move(session, repair, "dispatch", RECEIVED + timedelta(minutes=20), technician_id=technician.id)
    move(session, repair, "arrive", RECEIVED + timedelta(minutes=90))
    move(session, repair, "resolve", RECEIVED + timedelta(hours=5))
    session.commit()
    sweep_every(run_job, RECEIVED + timedelta(hours=23), RECEIVED + timedelta(hours=26))
    assert reasons(session) == []


def test_a_fault_that_is_not_the_main_equipment_gets_no_loaner(session, run_job):
    open_ticket(session, RECEIVED, phone=PHONE, main_equipment=False)
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=25))
    assert "loaner_due" not in reasons(session)


def test_a_cancelled_ticket_never_escalates(session, run_job, repair):
    move(session, repair, "cancel", RECEIVED + timedelta(minutes=5), note="客户已自行解决")
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=30))
    assert reasons(session) == []


def test_a_sweep_after_an_outage_catches_up_and_a_rerun_adds_nothing(session, run_job, repair):
    run_job("sla_sweep", RECEIVED + timedelta(hours=48))
    run_job("sla_sweep", RECEIVED + timedelta(hours=48))
    assert reasons(session) == ALL_FOUR
    assert len(texts_to(session, PHONE, "loaner_notice")) == 1


def test_a_lost_high_water_mark_raises_no_second_loaner(session, run_job, repair):
    run_job("sla_sweep", RECEIVED + timedelta(hours=25))
    session.execute(SweepMark.__table__.delete())
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=26))
    assert reasons(session).count("loaner_due") == 1
    events = session.scalars(select(TicketEvent.type).where(TicketEvent.type == "loaner_task")).all()
    assert len(events) == 1


def test_a_breach_met_late_by_staff_is_recorded_without_a_sweep_escalation(session, run_job, repair):
    move(session, repair, "acknowledge", RECEIVED + timedelta(hours=1, minutes=30))
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(hours=1, minutes=31))
    assert reload(session, repair).respond_breached and "respond_breached" not in reasons(session)


def test_parts_not_shipped_within_two_days_escalate_once(session, run_job, repair):
    request_parts(session, repair, part_name="压缩机", part_code="YSJ-35", actor="tech", now=RECEIVED)
    move(session, repair, "acknowledge", RECEIVED)
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(days=2))
    assert "parts_overdue" not in reasons(session)
    run_job("sla_sweep", RECEIVED + timedelta(days=2, minutes=1))
    run_job("sla_sweep", RECEIVED + timedelta(days=2, minutes=2))
    assert reasons(session).count("parts_overdue") == 1


def test_parts_shipped_in_time_do_not_escalate(session, run_job, repair):
    request = request_parts(session, repair, part_name="电脑板", actor="tech", now=RECEIVED)
    ship_parts(session, repair, request.id, actor="depot", now=RECEIVED + timedelta(days=1))
    session.commit()
    run_job("sla_sweep", RECEIVED + timedelta(days=3))
    assert "parts_overdue" not in reasons(session)


def test_parts_are_requested_only_on_an_open_repair(session, repair):
    from app.errors import Conflict

    complaint = open_ticket(session, RECEIVED, kind="complaint", phone=PHONE)
    with pytest.raises(Conflict):
        request_parts(session, complaint, part_name="遥控器", actor="tech", now=RECEIVED)
