"""The rules texts are sent under, gathered from Settings in one place.

`SendingPolicy` is what queuing a text needs (signature, links, quiet hours, the identical-text
limit); `DispatchPolicy` is what the dispatcher needs (leases, retries, batch size).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.config import Settings
from app.messaging.quiet_hours import QUIET_CATEGORIES, QuietHours
from app.messaging.routes import SmsRoutes


@dataclass(frozen=True)
class SendingPolicy:
    """China's content rules and our quiet hours, as queue_text applies them."""

    signature: str = "【志高】"
    allow_urls: bool = False
    quiet_hours: QuietHours | None = field(default_factory=QuietHours)
    # Carriers reject the 4th identical text to one number within 24 hours.
    identical_limit: int = 3
    identical_window: timedelta = timedelta(hours=24)
    routes: SmsRoutes = field(default_factory=SmsRoutes)
    aliyun_sign_name: str | None = None  # texts routed to Alibaba carry 【this】 (ALIYUN_SMS_SIGN_NAME)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SendingPolicy":
        """SMS_SIGNATURE, SMS_ALLOW_URLS, SMS_QUIET_HOURS / SMS_QUIET_SPREAD_MINUTES in TZ_NAME, the routes."""
        return cls(
            signature=settings.sms_signature, allow_urls=settings.sms_allow_urls,
            quiet_hours=QuietHours.parse(settings.sms_quiet_hours, settings.tz_name, settings.sms_quiet_spread_minutes),
            routes=SmsRoutes.from_settings(settings), aliyun_sign_name=settings.aliyun_sms_sign_name,
        )

    def signature_for(self, provider: str | None) -> str:
        """The signature a text on `provider`'s route starts with (Alibaba's is its registered one)."""
        if provider == "aliyun" and self.aliyun_sign_name:
            return f"【{self.aliyun_sign_name}】"
        return self.signature


@dataclass(frozen=True)
class DispatchPolicy:
    """Leases, retries and batches of the dispatcher (see dispatch.py for how they fit together)."""

    lease: timedelta = timedelta(seconds=60)
    # How long after a lease ends before its row is looked up at Twilio: longer than any request
    # the dead claimant could still have in flight, so Twilio's list is complete by then.
    reconcile_grace: timedelta = timedelta(seconds=120)
    # Twilio's date_created has whole seconds and hosts' clocks differ a little.
    clock_skew: timedelta = timedelta(seconds=60)
    # A row whose outcome could not be looked up for this long goes to staff.
    reconcile_give_up: timedelta = timedelta(hours=24)
    request_timeout: float = 10.0
    max_attempts: int = 6
    batch_size: int = 100
    backoff_base: timedelta = timedelta(seconds=60)
    backoff_cap: timedelta = timedelta(hours=1)
    # Results are written at least this often, so status callbacks find their sid.
    flush_every: int = 50
    flush_interval: timedelta = timedelta(milliseconds=250)
    quiet_hours: QuietHours | None = field(default_factory=QuietHours)

    @classmethod
    def from_settings(cls, settings: Settings) -> "DispatchPolicy":
        """SMS_LEASE_SECONDS, SMS_RECONCILE_GRACE_SECONDS, SMS_TWILIO_TIMEOUT, SMS_MAX_ATTEMPTS, SMS_BATCH_SIZE."""
        return cls(
            lease=timedelta(seconds=settings.sms_lease_seconds),
            reconcile_grace=timedelta(seconds=settings.sms_reconcile_grace_seconds),
            request_timeout=settings.sms_twilio_timeout, max_attempts=max(1, settings.sms_max_attempts),
            batch_size=max(1, settings.sms_batch_size),
            quiet_hours=QuietHours.parse(settings.sms_quiet_hours, settings.tz_name, settings.sms_quiet_spread_minutes),
        )

    def retry_at(self, now: datetime, attempts: int, category: str, rng: random.Random,
                 minimum: timedelta = timedelta(0)) -> datetime:
        """When to try again after `attempts` tries: exponential backoff with jitter, bounded,
        and never inside quiet hours for a quiet-category text."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempts - 1)))
        # "Equal jitter": at least half the step, so retries never bunch up at zero.
        delay = max(minimum, ceiling * (0.5 + rng.random() / 2))
        when = now + delay
        if self.quiet_hours is not None and category in QUIET_CATEGORIES:
            when = self.quiet_hours.release_time(when, rng.randrange(1 << 30))
        return when
