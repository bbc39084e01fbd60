"""The operations settings: FALLBACK_SPOOL, METRICS_TOKEN, LOG_FORMAT."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigurationError, Settings


def test_the_fallback_spool_defaults_to_a_file_under_the_instance_folder():
    settings = Settings.from_environment({}, instance_path=Path("/srv/cc/instance"))
    assert settings.fallback_spool == Path("/srv/cc/instance/fallback-spool.jsonl")


def test_the_operations_settings_are_read_from_the_environment():
    settings = Settings.from_environment({"FALLBACK_SPOOL": "/var/lib/cc/spool.jsonl", "METRICS_TOKEN": "m-token",
                                          "LOG_FORMAT": "json"})
    assert (settings.fallback_spool, settings.metrics_token, settings.log_format) == (
        Path("/var/lib/cc/spool.jsonl"), "m-token", "json")


def test_an_unknown_log_format_stops_start_up_naming_the_variable():
    with pytest.raises(ConfigurationError, match="LOG_FORMAT must be text or json"):
        Settings.from_environment({"LOG_FORMAT": "xml"})
