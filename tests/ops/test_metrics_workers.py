"""`/metrics` under gunicorn with two worker processes (gunicorn.conf.py, PROMETHEUS_MULTIPROC_DIR):
whichever worker takes the scrape, it shows the requests every worker served."""
from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families
from twilio.request_validator import RequestValidator

from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN, postgresql_only, serve

BATCH = 24


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """gunicorn -c gunicorn.conf.py with two workers on a free port; its metrics directory."""
    metrics_dir = tmp_path / "metrics"
    with serve(database_url, tmp_path, env={"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}) as server:
        yield server.port, metrics_dir


def welcome(port: int, n: int) -> int:
    params = {"CallSid": f"CA{n:032x}", "AccountSid": TWILIO_TEST_SID, "From": f"+86139{n:08d}",
              "To": "+864006757888", "Direction": "inbound", "CallStatus": "ringing"}
    signature = RequestValidator(TWILIO_TEST_TOKEN).compute_signature(f"http://127.0.0.1:{port}/twilio/voice", params)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/twilio/voice", body=urlencode(params),
                       headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
    status = connection.getresponse().status
    connection.close()
    return status


def welcomes_counted(port: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "contact_centre_webhook_seconds_count" and s.labels.get("route") == "/twilio/voice")


@postgresql_only
def test_metrics_sum_the_webhooks_of_every_gunicorn_worker(gunicorn):
    port, metrics_dir = gunicorn
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        # Concurrent calls reach both ready workers; batches go on until each has recorded some.
        while len(list(metrics_dir.glob("histogram_*.db"))) < 2 and sent < BATCH * 200:
            assert set(pool.map(lambda n: welcome(port, n), range(sent, sent + BATCH))) == {200}
            sent += BATCH
    assert len(list(metrics_dir.glob("histogram_*.db"))) >= 2
    assert [welcomes_counted(port) for _ in range(6)] == [sent] * 6
