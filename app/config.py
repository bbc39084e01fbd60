"""Configuration read from the environment, in one place (interfaces.md, "Environment")."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.customers.phone_numbers import InvalidPhoneNumber, normalise_phone
from app.daily_window import DailyWindow
from app.database import check_database_url
from app.product_lines import HOTLINE_NUMBERS, PRODUCT_LINES

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The three 24/7 hotlines (P-HOT): dialled number -> product line.
DEFAULT_HOTLINES = HOTLINE_NUMBERS


class ConfigurationError(ValueError):
    """A setting the service cannot run with; the message names the variable and what would work.

    Entry points (wsgi.py, `python -m scheduler`, the dispatcher) print it as one line and exit."""


@dataclass(frozen=True)
class Needs:
    """Variables a choice needs: all of them, or (`any_of`) at least one."""

    names: tuple[str, ...]
    any_of: bool = False

    def met(self, env) -> bool:
        present = [bool(env.get(name)) for name in self.names]
        return any(present) if self.any_of else all(present)

    def __str__(self) -> str:
        return f" {'or' if self.any_of else 'and'} ".join(self.names)


_TWILIO_CREDENTIALS = Needs(("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"))
# Each SMS_BACKEND and what it needs besides; a new backend is one more row.
SMS_BACKENDS: dict[str, tuple[Needs, ...]] = {
    "log": (),
    "twilio": (_TWILIO_CREDENTIALS, Needs(("TWILIO_SMS_FROM", "TWILIO_MESSAGING_SERVICE_SID"), any_of=True)),
    "aliyun": (Needs(("ALIYUN_ACCESS_KEY_ID", "ALIYUN_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME")),),
}
VOICE_BACKENDS: dict[str, tuple[Needs, ...]] = {
    "off": (),
    "twilio": (_TWILIO_CREDENTIALS,),
}


def _choice(env, name: str, value: str, table: dict[str, tuple[Needs, ...]], note: str = "") -> str:
    """`value` if `table` knows it and every variable it needs is set; else why not, in one sentence."""
    if value not in table:
        raise ConfigurationError(f"{name} must be one of {', '.join(table)}, not {value!r}")
    for needs in table[value]:
        if not needs.met(env):
            raise ConfigurationError(f"{name}={value} needs {needs}{note}")
    return value


def _default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'contact_centre.sqlite3'}"


def _database_url(raw: str, instance_path: Path) -> str:
    """DATABASE_URL, checked now: garbage, another database or a missing driver would otherwise
    surface as a traceback from the first command (the URL is not shown: it may hold a password)."""
    if not raw:
        return _default_database_url(instance_path)
    try:
        check_database_url(raw)
    except ValueError as exc:
        raise ConfigurationError(f"DATABASE_URL: {exc}") from None
    return raw


def _public_base_url(raw: str) -> str | None:
    """Scheme and host Twilio signs over, without a trailing slash; anything else would fail every signature."""
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"PUBLIC_BASE_URL must be an http(s) URL such as https://cc.example.com, not {raw!r}")
    return raw.rstrip("/")


def _tz_name(raw: str) -> str:
    """The business time zone; an unknown name fails here rather than on every request."""
    if not raw:
        return "Asia/Shanghai"
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"TZ_NAME {raw!r} is not a time zone; use an IANA name such as Asia/Shanghai") from None
    return raw


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
    # SMS dispatch (app/messaging); each is read from the env var named in from_environment.
    sms_allow_urls: bool = False
    sms_sender_kind: str | None = None  # long_code, short_code, messaging_service; None: from the sender's shape
    sms_rate_per_second: float | None = None  # segments/s per sender; 0 = no pacing; None = the kind's default
    sms_quiet_hours: str = "20:00-08:00"  # business time (TZ_NAME); "" = none
    sms_quiet_spread_minutes: int = 60
    sms_lease_seconds: float = 60.0
    sms_reconcile_grace_seconds: float = 120.0
    sms_twilio_timeout: float = 10.0
    sms_max_attempts: int = 6
    sms_batch_size: int = 100
    # Hotline IVR (app/ivr); each is read from the env var named in from_environment.
    ivr_flows_dir: Path = PROJECT_ROOT / "ivr_flows"
    ivr_voice_zh: str = "Polly.Zhiyu"
    ivr_voice_en: str = "Polly.Joanna"
    ivr_staff_numbers: tuple[str, ...] = ()  # E.164 numbers <Dial> rings at once for key 0
    ivr_staffed_hours: str = "08:00-20:00"  # business time; outside it key 0 leaves a callback ticket
    ivr_handoff_timeout: int = 25  # seconds staff phones ring before the caller gets a callback ticket
    ivr_max_call_seconds: int = 900
    ivr_default_hotline: str = "home_ac"  # for a dialled number the mapping does not know
    ivr_appointment_hour: int = 9  # a preferred day becomes an appointment at this hour, business time
    # The closed loop (app/surveys, scheduler); each is read from the env var named in from_environment.
    voice_backend: str = "off"  # twilio: place the automated survey calls; off: a person calls instead
    survey_caller_id: str | None = None  # the Twilio number survey calls come from, when no hotline number maps
    scheduler_lock_poll_seconds: float = 5.0  # how often a standby scheduler tries to take the lead
    recording_retention_days: int = 180  # call recordings are deleted at Twilio after this (P-PRIV-3)
    # Alibaba Cloud SMS and the routes between backends (app/messaging/aliyun*.py, routes.py).
    aliyun_access_key_id: str | None = None
    aliyun_access_key_secret: str | None = None
    aliyun_sms_sign_name: str | None = None  # the registered signature, without 【】
    aliyun_sms_endpoint: str | None = None  # None: Alibaba's own (dysmsapi.aliyuncs.com)
    aliyun_push_token: str | None = None  # ?token= on the report and reply pushes
    aliyun_batch_size: int = 100  # texts per SendBatchSms; 1: SendSms only
    sms_routes: tuple[tuple[str, str], ...] = ()  # (number prefix or "*", backend); () = "*" -> sms_backend
    sms_survey_by_voice: tuple[str, ...] = ()  # route prefixes whose surveys skip the text rung
    # Operations: the voice fallback's spool, the /metrics token, the log format.
    fallback_spool: Path = PROJECT_ROOT / "instance" / "fallback-spool.jsonl"
    metrics_token: str | None = None
    log_format: str = "text"  # text or json (one JSON object a line, with the request id and the Sid)
    # Campaigns (app/campaigns): the frequency cap (P-PRIV-5), the failure share that pauses a
    # campaign, calendar drafts approved without a person, the season table.
    campaign_frequency_days: int = 7
    campaign_fail_share: float = 0.2
    campaign_auto_approve: bool = False
    campaign_seasons_file: Path | None = None
    # The staff console (app/console): the key sessions and CSRF tokens are signed with (None: a key
    # file under instance/), Secure cookies, the failed-login limit and where its counts live.
    secret_key: str | None = None
    session_cookie_secure: bool | None = None  # None: Secure when PUBLIC_BASE_URL is https
    console_login_limit: str = "10 per 5 minutes"
    ratelimit_storage_uri: str = "memory://"

    def outbound_caller_ids(self) -> dict[str, str]:
        """Product line -> the Twilio number the service's own calls for it come from (its hotline's,
        so the customer sees that hotline). China's 400 numbers cannot be hosted at Twilio: skipped."""
        caller_ids: dict[str, str] = {}
        for number, line in self.hotlines.items():
            if not number.startswith("+86400"):
                caller_ids.setdefault(line, number)
        return caller_ids

    @classmethod
    def from_environment(cls, environ: dict | None = None, instance_path: Path | None = None) -> "Settings":
        """Read the variables of interfaces.md; a value that cannot work raises ConfigurationError
        at start-up, not mid-call."""
        env = os.environ if environ is None else environ
        try:
            return cls._read(env, instance_path or PROJECT_ROOT / "instance")
        except ConfigurationError:
            raise
        except ValueError as exc:  # the parsers' own messages name their variable
            raise ConfigurationError(str(exc)) from None

    @classmethod
    def _read(cls, env, instance_path: Path) -> "Settings":
        sid = env.get("TWILIO_ACCOUNT_SID") or None
        token = env.get("TWILIO_AUTH_TOKEN") or None
        chosen = env.get("SMS_BACKEND")
        backend = _choice(env, "SMS_BACKEND", chosen or ("twilio" if sid and token else "log"), SMS_BACKENDS,
                          "" if chosen else " (twilio is the default once TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN "
                                            "are set; SMS_BACKEND=log records texts instead)")
        voice = env.get("VOICE_BACKEND") or ("twilio" if backend == "twilio" else "off")
        routes = _sms_routes(env.get("SMS_ROUTES") or "")
        for _prefix, routed in routes:  # each backend a route names needs its settings as well
            _choice(env, "SMS_ROUTES", routed, SMS_BACKENDS, f" (SMS_ROUTES sends some numbers through {routed})")
        return cls(
            database_url=_database_url(env.get("DATABASE_URL") or "", instance_path),
            twilio_account_sid=sid,
            twilio_auth_token=token,
            twilio_api_url=env.get("TWILIO_API_URL") or None,
            sms_backend=backend,
            public_base_url=_public_base_url(env.get("PUBLIC_BASE_URL") or ""),
            tz_name=_tz_name(env.get("TZ_NAME") or ""),
            sms_signature=env.get("SMS_SIGNATURE") or "【志高】",
            sms_from=env.get("TWILIO_SMS_FROM") or None,
            messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            log_sql=env.get("LOG_SQL") == "1",
            sms_allow_urls=env.get("SMS_ALLOW_URLS") == "1",
            sms_sender_kind=_sms_sender_kind(env.get("SMS_SENDER_KIND") or None),
            sms_rate_per_second=_number(env, "SMS_RATE_PER_SECOND", None, float),
            sms_quiet_hours=env.get("SMS_QUIET_HOURS", "20:00-08:00"),
            sms_quiet_spread_minutes=_number(env, "SMS_QUIET_SPREAD_MINUTES", 60, int),
            sms_lease_seconds=_number(env, "SMS_LEASE_SECONDS", 60.0, float),
            sms_reconcile_grace_seconds=_number(env, "SMS_RECONCILE_GRACE_SECONDS", 120.0, float),
            sms_twilio_timeout=_number(env, "SMS_TWILIO_TIMEOUT", 10.0, float),
            sms_max_attempts=_number(env, "SMS_MAX_ATTEMPTS", 6, int),
            sms_batch_size=_number(env, "SMS_BATCH_SIZE", 100, int),
            hotlines={**DEFAULT_HOTLINES, **_hotline_numbers(env.get("HOTLINE_NUMBERS") or "")},
            ivr_flows_dir=Path(env.get("IVR_FLOWS_DIR") or PROJECT_ROOT / "ivr_flows"),
            ivr_voice_zh=env.get("IVR_VOICE_ZH") or "Polly.Zhiyu",
            ivr_voice_en=env.get("IVR_VOICE_EN") or "Polly.Joanna",
            ivr_staff_numbers=_staff_numbers(env.get("IVR_STAFF_NUMBERS") or ""),
            ivr_staffed_hours=_staffed_hours(env.get("IVR_STAFFED_HOURS", "08:00-20:00")),
            ivr_handoff_timeout=_number(env, "IVR_HANDOFF_TIMEOUT", 25, int) or 25,
            ivr_max_call_seconds=_number(env, "IVR_MAX_CALL_SECONDS", 900, int) or 900,
            ivr_default_hotline=_product_line(env.get("IVR_DEFAULT_HOTLINE") or "home_ac", "IVR_DEFAULT_HOTLINE"),
            ivr_appointment_hour=min(_number(env, "IVR_APPOINTMENT_HOUR", 9, int), 23),
            voice_backend=_choice(env, "VOICE_BACKEND", voice, VOICE_BACKENDS),
            survey_caller_id=env.get("SURVEY_CALLER_ID") or None,
            scheduler_lock_poll_seconds=_number(env, "SCHEDULER_LOCK_POLL_SECONDS", 5.0, float) or 5.0,
            recording_retention_days=_number(env, "RECORDING_RETENTION_DAYS", 180, int),
            aliyun_access_key_id=env.get("ALIYUN_ACCESS_KEY_ID") or None,
            aliyun_access_key_secret=env.get("ALIYUN_ACCESS_KEY_SECRET") or None,
            aliyun_sms_sign_name=env.get("ALIYUN_SMS_SIGN_NAME") or None,
            aliyun_sms_endpoint=env.get("ALIYUN_SMS_ENDPOINT") or None,
            aliyun_push_token=env.get("ALIYUN_PUSH_TOKEN") or None,
            aliyun_batch_size=min(100, max(1, _number(env, "ALIYUN_BATCH_SIZE", 100, int))),
            sms_routes=routes,
            sms_survey_by_voice=tuple(filter(None, (p.strip() for p in env.get("SMS_SURVEY_BY_VOICE", "").split(",")))),
            fallback_spool=Path(env.get("FALLBACK_SPOOL") or instance_path / "fallback-spool.jsonl"),
            metrics_token=env.get("METRICS_TOKEN") or None,
            log_format=_log_format(env.get("LOG_FORMAT") or "text"),
            campaign_frequency_days=_number(env, "CAMPAIGN_FREQUENCY_DAYS", 7, int),
            campaign_fail_share=min(_number(env, "CAMPAIGN_FAIL_SHARE", 0.2, float), 1.0),
            campaign_auto_approve=env.get("CAMPAIGN_AUTO_APPROVE") == "1",
            campaign_seasons_file=Path(env["CAMPAIGN_SEASONS_FILE"]) if env.get("CAMPAIGN_SEASONS_FILE") else None,
            secret_key=env.get("SECRET_KEY") or None,
            session_cookie_secure={"1": True, "0": False}.get(env.get("SESSION_COOKIE_SECURE") or ""),
            console_login_limit=env.get("CONSOLE_LOGIN_LIMIT") or "10 per 5 minutes",
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or "memory://",
        )


def _sms_routes(raw: str) -> tuple[tuple[str, str], ...]:
    """SMS_ROUTES="+86=aliyun,*=twilio": number prefix (or * for any number) -> backend, in order."""
    routes = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        prefix, sep, name = (x.strip() for x in item.partition("="))
        if not sep or not (prefix == "*" or (prefix.startswith("+") and prefix[1:].isdigit())):
            raise ValueError(f"SMS_ROUTES: {item!r} must read +PREFIX=BACKEND or *=BACKEND")
        if name not in SMS_BACKENDS:
            raise ValueError(f"SMS_ROUTES: {name!r} is not a backend; use one of {', '.join(SMS_BACKENDS)}")
        routes.append((prefix, name))
    return tuple(routes)


def _number(env, name: str, default, kind):
    """A non-negative number from `env[name]`, or `default`; a bad value fails at start-up."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if not value >= 0:  # also refuses nan
        raise ValueError(f"{name} must be a non-negative {kind.__name__}, not {raw!r}")
    return value


def _log_format(raw: str) -> str:
    if raw not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, not {raw!r}")
    return raw


def _sms_sender_kind(raw: str | None) -> str | None:
    if raw not in (None, "long_code", "short_code", "messaging_service"):
        raise ValueError(f"SMS_SENDER_KIND must be long_code, short_code or messaging_service, not {raw!r}")
    return raw


def _product_line(raw: str, name: str) -> str:
    if raw not in PRODUCT_LINES:
        raise ValueError(f"{name}: {raw!r} is not a product line; use one of {', '.join(PRODUCT_LINES)}")
    return raw


def _hotline_numbers(raw: str) -> dict[str, str]:
    """HOTLINE_NUMBERS="+17005550001=home_ac,+17005550002=water_heater": Twilio numbers -> hotline.

    A number is stored as written and, when it is a valid number, also as E.164, so a Twilio `To`
    matches either way.
    """
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        number, sep, line = (x.strip() for x in item.partition("="))
        if not sep or not number:
            raise ValueError(f"HOTLINE_NUMBERS: {item!r} must read NUMBER=PRODUCT_LINE")
        mapping[number] = _product_line(line, "HOTLINE_NUMBERS")
        try:
            mapping[normalise_phone(number).e164] = line
        except InvalidPhoneNumber:
            pass  # e.g. a test number the numbering plan does not know: matched as written
    return mapping


def _staff_numbers(raw: str) -> tuple[str, ...]:
    """IVR_STAFF_NUMBERS="+8613800000001,+8620..." : the phones <Dial> rings for key 0."""
    numbers = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            numbers.append(normalise_phone(item).e164)
        except InvalidPhoneNumber as exc:
            raise ValueError(f"IVR_STAFF_NUMBERS: {exc}") from None
    return tuple(numbers)


def _staffed_hours(raw: str) -> str:
    """IVR_STAFFED_HOURS "HH:MM-HH:MM" in business time (may run past midnight); "" = never staffed."""
    if raw.strip():
        DailyWindow.parse(raw, "staffed hours")  # raises ValueError with the reason
    return raw

