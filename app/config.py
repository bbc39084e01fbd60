"""Configuration read from the environment, in one place (interfaces.md, "Environment")."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The three 24/7 hotlines (P-HOT): dialled number -> product line.
DEFAULT_HOTLINES = {
    "+864006757888": "home_ac",
    "+864006757555": "commercial_ac",
    "+864000757112": "water_heater",
}


def _default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'contact_centre.sqlite3'}"


@dataclass
class Settings:
    """Every setting the service reads, with its default; built by `from_environment`."""

    database_url: str
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_url: str | None = None
    sms_backend: str = "log"
    public_base_url: str | None = None
    tz_name: str = "Asia/Shanghai"
    sms_signature: str = "【志高】"
    sms_from: str | None = None
    messaging_service_sid: str | None = None
    hotlines: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HOTLINES))
    log_sql: bool = False

    @classmethod
    def from_environment(cls, environ: dict | None = None, instance_path: Path | None = None) -> "Settings":
        """Read the variables of interfaces.md; unknown values fail loudly at start-up, not mid-call."""
        env = os.environ if environ is None else environ
        instance_path = instance_path or PROJECT_ROOT / "instance"
        sid = env.get("TWILIO_ACCOUNT_SID") or None
        token = env.get("TWILIO_AUTH_TOKEN") or None
        backend = env.get("SMS_BACKEND") or ("twilio" if sid and token else "log")
        if backend not in ("twilio", "log"):
            raise ValueError(f"SMS_BACKEND must be 'twilio' or 'log', not {backend!r}")
        if backend == "twilio" and not (sid and token):
            raise ValueError("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        return cls(
            database_url=env.get("DATABASE_URL") or _default_database_url(instance_path),
            twilio_account_sid=sid,
            twilio_auth_token=token,
            twilio_api_url=env.get("TWILIO_API_URL") or None,
            sms_backend=backend,
            public_base_url=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            tz_name=env.get("TZ_NAME") or "Asia/Shanghai",
            sms_signature=env.get("SMS_SIGNATURE") or "【志高】",
            sms_from=env.get("TWILIO_SMS_FROM") or None,
            messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            log_sql=env.get("LOG_SQL") == "1",
        )
