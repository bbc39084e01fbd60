"""`/metrics`: after real traffic it shows the webhook latency, the outbox and the SLA breaches."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scheduler.jobs import JOBS, JobContext
from tests.factories import make_customer, make_unit
from tests.ivr.conftest import KNOWN, Phone

STEP = "/twilio/voice/step"


def samples(client, headers=None) -> dict[tuple[str, tuple], float]:
    reply = client.get("/metrics", headers=headers or {})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(reply.get_data(as_text=True)) for s in family.samples}


def step_count(figures) -> float:
    return figures.get(("contact_centre_webhook_seconds_count", (("route", STEP),)), 0.0)


@pytest.fixture
def repair_call(client, session):
    """A known customer's repair, start to ticket: three signed steps after the welcome."""
    customer = make_customer(session, phone=KNOWN)
    make_unit(session, customer, product_line="home_ac", serial="HA00001111", installed_on=date(2024, 5, 1))
    session.commit()

    def call() -> None:
        phone = Phone(client)
        phone.dial()
        phone.press("1")
        phone.press("1")
        assert "工单号" in phone.press("1").text
    return call


def test_metrics_show_the_webhook_latency_the_outbox_and_the_sla_breaches_after_real_traffic(
        app, client, repair_call, clock):
    before = step_count(samples(client))
    repair_call()
    database = app.extensions["database"]
    JOBS["sla_sweep"](JobContext(database, app.extensions["settings"]), clock.now() + timedelta(hours=3))
    figures = samples(client)
    assert step_count(figures) - before == 3
    assert figures[("contact_centre_webhook_seconds_bucket", (("le", "+Inf"), ("route", STEP)))] >= 3
    assert figures[("contact_centre_outbox_depth", ())] >= 1  # the ticket's confirmation (and breach texts)
    assert figures[("contact_centre_sla_breaches_total", (("clock", "respond"),))] == 1
    assert figures[("contact_centre_sla_breaches_total", (("clock", "arrive"),))] == 1
    assert figures[("contact_centre_database_up", ())] == 1


def test_the_outbox_oldest_due_text_age_is_counted_from_when_it_fell_due(app, client, repair_call, clock):
    repair_call()
    clock.advance(minutes=7)
    assert samples(client)[("contact_centre_outbox_oldest_due_seconds", ())] == 7 * 60


def test_metrics_need_the_bearer_token_when_one_is_set(make_app):
    client = make_app(metrics_token="s3cret-metrics").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"}).status_code == 200
