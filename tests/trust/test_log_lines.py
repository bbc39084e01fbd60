"""No full mobile number, sent body or token in any log line, tracebacks included (P-PRIV-4)."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from app.messaging.models import Message

NUMBER = "+8613900000011"
BODY = "空调不制冷请尽快上门维修"


def holding_a_number(lines: list[str]) -> list[str]:
    """The lines that hold a Chinese mobile number in full, in any common shape."""
    shape = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)")
    return [line for line in lines if shape.search(line)]


def test_a_child_logger_of_app_is_masked_as_well(app, log_lines):
    logging.getLogger("app.api.errors").error("unhandled error on PUT /api/v1/suppressions/13900003333")
    assert log_lines and not holding_a_number(log_lines)
    assert "+86139****3333" in log_lines[0]


def test_a_third_party_logger_is_masked_as_well(app, log_lines):
    logging.getLogger("twilio.http_client").info("GET Request: https://api/Messages.json?To=%2B8613900000011")
    assert log_lines and not holding_a_number(log_lines)


def test_a_number_in_an_exception_message_is_masked_in_the_traceback(app, log_lines):
    try:
        raise LookupError(f"no customer with {NUMBER}")
    except LookupError:
        logging.getLogger("app.customers").exception("lookup failed")
    assert any("LookupError" in line for line in log_lines)
    assert not holding_a_number(log_lines)


def test_a_failed_statement_logs_none_of_its_bound_values(app, log_lines):
    database = app.extensions["database"]
    # direction is NOT NULL on both databases: the statement fails with the number and body bound.
    with pytest.raises(DBAPIError), database.session() as session:
        try:
            session.execute(insert(Message).values(direction=None, phone=NUMBER, body=BODY, category="inbound",
                                                   priority=0, status="received", attempts=0, segments=1))
        except DBAPIError:
            logging.getLogger("app.webhooks.sms").exception("text could not be stored")
            raise
    assert any("IntegrityError" in line for line in log_lines)
    assert not holding_a_number(log_lines)
    assert not [line for line in log_lines if BODY in line]


@pytest.mark.parametrize("line", ["Authorization: Bearer s3cr3t-t0ken-value", "POST /aliyun/sms/reply?token=s3cr3t-t0ken-value",
                                  "settings auth_token='s3cr3t-t0ken-value'"])
def test_a_token_in_a_log_line_is_redacted(app, log_lines, line):
    logging.getLogger("gunicorn.access").info(line)
    assert "s3cr3t-t0ken-value" not in "\n".join(log_lines)
