"""P-WAR-7 at resolution: the downtime ledger is re-read, a restart recorded and texted with the new end date."""
from datetime import datetime

from sqlalchemy import select

from app.units.models import WarrantyRestartRecord
from tests.factories import make_customer, make_technician, make_unit
from tests.surveys.support import SHANGHAI, move, open_ticket, texts_to

PHONE = "+8613800138000"


def repair_out_of_use(session, unit, received: datetime, resolved: datetime, **resolve_payload):
    technician = make_technician(session)
    ticket = open_ticket(session, received, phone=PHONE, serial=unit.serial)
    move(session, ticket, "dispatch", received.replace(hour=11), technician_id=technician.id)
    move(session, ticket, "arrive", received.replace(hour=12))
    move(session, ticket, "resolve", resolved, **resolve_payload)
    session.commit()
    return ticket


def unit_of_owner(session, installed_on):
    from datetime import date

    return make_unit(session, make_customer(session, phone=PHONE), installed_on=date.fromisoformat(installed_on))


def restarts(session):
    return session.scalars(select(WarrantyRestartRecord)).all()


def test_more_than_20_days_out_of_use_restarts_the_warranty_and_texts_the_new_end(session):
    unit = unit_of_owner(session, "2024-05-01")
    ticket = repair_out_of_use(session, unit, datetime(2026, 6, 1, 10, tzinfo=SHANGHAI),
                               datetime(2026, 6, 25, 10, tzinfo=SHANGHAI))
    [record] = restarts(session)
    assert (record.restarted_on.isoformat(), record.ticket_number) == ("2026-06-25", ticket.number)
    [text] = texts_to(session, PHONE, "warranty_restarted")
    assert "2032-06-24" in text.body and unit.serial[-4:] in text.body


def test_20_days_or_less_out_of_use_restarts_nothing(session):
    unit = unit_of_owner(session, "2024-05-01")
    repair_out_of_use(session, unit, datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), datetime(2026, 6, 20, 10, tzinfo=SHANGHAI))
    assert restarts(session) == [] and texts_to(session, PHONE, "warranty_restarted") == []


def test_downtime_that_was_the_users_fault_does_not_count(session):
    unit = unit_of_owner(session, "2024-05-01")
    repair_out_of_use(session, unit, datetime(2026, 6, 1, 10, tzinfo=SHANGHAI),
                      datetime(2026, 6, 25, 10, tzinfo=SHANGHAI), users_fault=True)
    assert restarts(session) == []


def test_a_restart_is_recorded_and_texted_once_even_when_a_later_repair_resolves(session):
    unit = unit_of_owner(session, "2024-05-01")
    repair_out_of_use(session, unit, datetime(2026, 6, 1, 10, tzinfo=SHANGHAI), datetime(2026, 6, 25, 10, tzinfo=SHANGHAI))
    repair_out_of_use(session, unit, datetime(2026, 7, 1, 10, tzinfo=SHANGHAI), datetime(2026, 7, 2, 10, tzinfo=SHANGHAI))
    assert len(restarts(session)) == 1 and len(texts_to(session, PHONE, "warranty_restarted")) == 1
