"""The service network kept current by an admin: outlets (P-NET-1), technicians and their 上岗证 (P-NET-2)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.escalations.models import Escalation
from app.sla_watch.certificates import flag_certificate_renewals
from tests.factories import make_outlet, make_technician

OUTLET = {"name": "柳州城中网点", "province": "广西壮族自治区", "city": "柳州市", "contract_status": "signed",
          "review_status": "passed", "contract_signed_on": "2026-01-01", "contract_ends_on": "2027-12-31"}
TODAY = date(2026, 7, 7)  # the test clock's business day
NOW = datetime(2026, 7, 7, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def admin(staff):
    return staff("admin")


def test_an_admin_adds_an_outlet_with_its_contract_dates(client, admin):
    response = client.post("/api/v1/outlets", json=OUTLET, headers=admin)
    assert response.status_code == 201
    assert response.json["contract_ends_on"] == "2027-12-31" and response.json["may_serve"] is True


def test_an_agent_may_not_change_the_network(client, agent):
    assert client.post("/api/v1/outlets", json=OUTLET, headers=agent).status_code == 403


def test_a_contract_that_ends_before_it_is_signed_is_a_400(client, admin):
    response = client.post("/api/v1/outlets", json={**OUTLET, "contract_ends_on": "2025-12-31"}, headers=admin)
    assert response.status_code == 400 and "contract_ends_on" in response.json["fields"]


def test_a_second_outlet_of_the_same_name_is_a_409(client, admin):
    client.post("/api/v1/outlets", json=OUTLET, headers=admin)
    assert client.post("/api/v1/outlets", json=OUTLET, headers=admin).status_code == 409


def test_a_failed_review_stops_the_outlet_serving(client, admin, session):
    outlet = make_outlet(session)
    session.commit()
    response = client.patch(f"/api/v1/outlets/{outlet.id}", json={"review_status": "failed"}, headers=admin)
    assert response.status_code == 200 and response.json["may_serve"] is False


def test_an_admin_adds_a_technician_with_certificate_and_lines(client, admin, session):
    outlet = make_outlet(session)
    session.commit()
    body = {"outlet_id": outlet.id, "name": "黄师傅", "certificate_number": "GX-2026-9",
            "certificate_issued_on": "2026-01-10", "certificate_expires_on": "2029-01-09",
            "product_lines": ["water_heater"]}
    response = client.post("/api/v1/technicians", json=body, headers=admin)
    assert response.status_code == 201
    assert response.json["product_lines"] == ["water_heater"] and response.json["certified"] is True


def test_a_technician_of_no_outlet_is_a_404(client, admin):
    response = client.post("/api/v1/technicians", json={"outlet_id": 9999, "name": "黄师傅"}, headers=admin)
    assert response.status_code == 404 and "outlet_id" in response.json["fields"]


def test_a_certificate_that_expires_before_it_is_issued_is_a_400(client, admin, session):
    technician = make_technician(session)
    session.commit()
    response = client.patch(f"/api/v1/technicians/{technician.id}",
                            json={"certificate_issued_on": "2031-01-01"}, headers=admin)
    assert response.status_code == 400 and "certificate_expires_on" in response.json["fields"]


def test_a_technician_is_not_sent_to_a_line_they_are_not_trained_for(client, agent, desk, session):
    technician = make_technician(session)
    technician.product_lines = ["home_ac"]
    session.commit()
    number = desk.open(product_line="water_heater")["number"]
    response = desk.event(number, "dispatch", technician_id=technician.id)
    assert response.status_code == 409 and "not trained for water_heater" in response.json["message"]


def renewals(session) -> list[Escalation]:
    session.expire_all()
    return list(session.scalars(select(Escalation).where(Escalation.reason == "certificate_renewal")))


def test_a_certificate_30_days_from_expiry_raises_one_supervisor_escalation(session):
    make_technician(session, expires_on=TODAY + timedelta(days=30))
    make_technician(session, expires_on=TODAY + timedelta(days=31))
    session.commit()
    assert flag_certificate_renewals(session, today=TODAY, now=NOW) == 1
    assert flag_certificate_renewals(session, today=TODAY + timedelta(days=1), now=NOW + timedelta(days=1)) == 1
    session.commit()
    assert [e.queue for e in renewals(session)] == ["supervisor", "supervisor"]


def test_the_same_certificate_is_flagged_once_and_a_renewed_one_again(session):
    technician = make_technician(session, expires_on=TODAY + timedelta(days=10))
    session.commit()
    flag_certificate_renewals(session, today=TODAY, now=NOW)
    assert flag_certificate_renewals(session, today=TODAY, now=NOW) == 0
    technician.certificate_expires_on = TODAY + timedelta(days=20)  # renewed for a short while only
    assert flag_certificate_renewals(session, today=TODAY, now=NOW) == 1


def test_the_renewal_job_runs_from_the_command_line(runner, session):
    make_technician(session, expires_on=TODAY + timedelta(days=5))
    session.commit()
    result = runner.invoke(args=["jobs", "run", "certificate_renewals", "--now", "2026-07-07T09:00:00+08:00"])
    assert result.exit_code == 0 and "1 new" in result.output
    assert len(renewals(session)) == 1
