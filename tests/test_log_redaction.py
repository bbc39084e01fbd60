"""Customer phone numbers never appear in logs in full."""
import logging

import pytest

from app.log_redaction import PhoneRedactingFilter, redact


@pytest.mark.parametrize("raw", ["13800138000", "+8613800138000", "%2B8613800138000", "138 0013 8000", "138-0013-8000"])
def test_a_phone_number_in_a_log_line_is_masked(raw):
    out = redact(f"GET /api/v1/tickets?phone={raw} HTTP/1.1")
    assert "0013" not in out.replace("+86138****8000", "")
    assert "****" in out


def test_ticket_numbers_and_serials_are_left_readable():
    assert redact("ticket 10000016 unit HA02026000") == "ticket 10000016 unit HA02026000"


def test_the_filter_rewrites_the_record_with_its_arguments_applied():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s - %s", ("1.2.3.4", "phone=13800138000"), None)
    assert PhoneRedactingFilter().filter(record) is True
    assert record.getMessage() == "1.2.3.4 - phone=+86138****8000"


def test_the_app_masks_numbers_in_the_request_log(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info('"GET /api/v1/tickets?phone=13800138000 HTTP/1.1" 200 -')
    assert "13800138000" not in caplog.text
    assert "+86138****8000" in caplog.text
