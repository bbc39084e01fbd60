"""The ladder's timings and the settings it reads, in one value the services take as an argument."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.config import Settings
from app.messaging.policy import SendingPolicy


@dataclass(frozen=True)
class SurveyPolicy:
    """When each rung of the ladder comes, and where calls come from."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    sending: SendingPolicy = field(default_factory=SendingPolicy)  # signature, links, quiet hours
    reminder_after: timedelta = timedelta(hours=24)   # no reply to the text: one reminder
    call_after: timedelta = timedelta(hours=48)       # still none: the automated voice survey
    # A call claimed but never recorded as placed (the process died mid-create) is not retried,
    # since Twilio might have placed it: after this lease a person calls instead.
    claim_lease: timedelta = timedelta(minutes=10)
    # A placed call whose final status never came back goes to a person after this.
    answer_lease: timedelta = timedelta(hours=2)
    public_base_url: str | None = None
    caller_ids: dict[str, str] = field(default_factory=dict)  # product line -> Twilio number
    default_caller_id: str | None = None

    def is_quiet(self, now: datetime) -> bool:
        """No survey text, reminder or automated call in the quiet hours (SMS_QUIET_HOURS)."""
        quiet = self.sending.quiet_hours
        return quiet is not None and quiet.is_quiet(now)

    def caller_id_for(self, product_line: str) -> str | None:
        """The number a survey call for `product_line` comes from, so the customer sees that hotline."""
        return self.caller_ids.get(product_line) or self.default_caller_id

    @classmethod
    def from_settings(cls, settings: Settings) -> "SurveyPolicy":
        """SMS_QUIET_HOURS, TZ_NAME, SMS_SIGNATURE, PUBLIC_BASE_URL, the hotline map and SURVEY_CALLER_ID."""
        return cls(
            tz=ZoneInfo(settings.tz_name),
            sending=SendingPolicy.from_settings(settings),
            public_base_url=settings.public_base_url,
            caller_ids=settings.outbound_caller_ids(),
            default_caller_id=settings.survey_caller_id or settings.sms_from,
        )
