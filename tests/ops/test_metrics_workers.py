"""`/metrics` under gunicorn with two worker processes (gunicorn.conf.py, PROMETHEUS_MULTIPROC_DIR):
whichever worker takes the scrape, it shows the requests every worker served."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from prometheus_client.parser import text_string_to_metric_families
from twilio.request_validator import RequestValidator

from tests.conftest import TWILIO_TEST_SID, TWILIO_TEST_TOKEN, postgresql_only

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
BATCH = 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """gunicorn -c gunicorn.conf.py with two workers on a free port; its metrics directory."""
    port, metrics_dir = free_port(), tmp_path / "metrics"
    env = {**os.environ, "DATABASE_URL": database_url, "TWILIO_ACCOUNT_SID": TWILIO_TEST_SID,
           "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN, "SMS_BACKEND": "log", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "WEB_CONCURRENCY": "2", "GUNICORN_LOG_LEVEL": "info", "GUNICORN_BIND": f"127.0.0.1:{port}", "FALLBACK_SPOOL": str(tmp_path / "spool")}
    process = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    ready, lines = threading.Semaphore(0), []

    def read_log() -> None:  # drained to the end, so gunicorn never blocks on a full pipe
        for line in process.stderr:
            lines.append(line)
            if "ready" in line and "worker" in line:
                ready.release()
        for _ in range(2):
            ready.release()  # gunicorn ended: let the test fail on its exit, not wait

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    # Both workers have imported the app (gunicorn.conf.py's post_worker_init says so).
    assert all(ready.acquire(timeout=120) for _ in range(2)) and process.poll() is None, "".join(lines)
    yield port, metrics_dir
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    reader.join(timeout=60)
    process.stderr.close()


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
