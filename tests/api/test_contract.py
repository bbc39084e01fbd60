"""The contract is the code: Schemathesis, with all its checks, finds no failure on either database.

It runs as it would against production, from its own process over HTTP, against the app served
on a loopback port; the number of examples is bounded and the seed fixed, so a run is repeatable.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import make_technician, make_unit

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.fixture
def served(app):
    """The app on a free loopback port, until the test ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_schemathesis_with_all_checks_finds_no_failure(served, staff, session, tmp_path):
    serials = {line: make_unit(session, product_line=line).serial for line in ("home_ac", "commercial_ac", "water_heater")}
    technician = make_technician(session).id
    session.commit()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.api.contract_hooks",
           "CONTRACT_SERIALS": json.dumps(serials), "CONTRACT_TECHNICIAN": str(technician)}
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{served}/api/v1/openapi.json", "--checks", "all", "--max-examples", "20",
         "--seed", "20261203", "--generation-database", "none", "--no-color", "--warnings", "off",
         "--header", f"Authorization: {staff('admin')['Authorization']}"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout
