"""Without a route through Alibaba, a template needs no registered code."""
from __future__ import annotations

import pytest

from tests.aliyun.test_templates import without_a_code  # noqa: F401 - fixture


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sms_check_wants_no_code_when_no_route_sends_through_alibaba(app, runner, without_a_code):  # noqa: F811
    app.extensions["settings"].sms_backend = "log"
    result = runner.invoke(args=["sms", "check", "--templates", str(without_a_code)])
    assert result.exit_code == 0, result.output
