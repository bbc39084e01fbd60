"""Closed-loop fixtures: the Twilio stand-in, settings that call through it, and `run_job`."""
from tests.surveys.support import run_job, settings  # noqa: F401
