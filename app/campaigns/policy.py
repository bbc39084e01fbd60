"""The settings campaigns run under, gathered in one place (CAMPAIGN_* and the SMS rules)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from app.config import PROJECT_ROOT, Settings
from app.messaging.policy import SendingPolicy
from app.messaging.quiet_hours import QuietHours

SEASONS_FILE = PROJECT_ROOT / "campaign_calendar" / "seasons.toml"


@dataclass(frozen=True)
class CampaignPolicy:
    # P-PRIV-5: at most one capped campaign text per number in this many days.
    cap_days: int = 7
    # A batch in which more than this share of texts failed pauses its campaign.
    fail_share: float = 0.2
    batch_size: int = 500
    # Texts are handed to the outbox up to this far ahead of their send time.
    lookahead: timedelta = timedelta(seconds=60)
    sending: SendingPolicy = field(default_factory=SendingPolicy)
    auto_approve: bool = False  # calendar drafts approved by the calendar itself
    seasons_file: Path = SEASONS_FILE
    tz: str = "Asia/Shanghai"  # business time: dates of the audience (warranty) and of the calendar
    # A recall's calls: the URL Twilio fetches their TwiML from, and the numbers they come from.
    public_base_url: str | None = None
    caller_ids: dict[str, str] = field(default_factory=dict)  # product line -> Twilio number
    default_caller_id: str | None = None
    # A call claimed but never recorded as placed (the process died mid-create) is not placed
    # again, since Twilio may have placed it: after this lease it is marked `unknown`.
    call_lease: timedelta = timedelta(minutes=10)
    calls_per_pass: int = 100  # calls one pass of the job places at most (each is an HTTP round trip)

    def caller_id_for(self, product_line: str) -> str | None:
        """The number a recall call for `product_line` comes from."""
        return self.caller_ids.get(product_line) or self.default_caller_id

    @property
    def quiet_hours(self) -> QuietHours | None:
        return self.sending.quiet_hours

    @classmethod
    def from_settings(cls, settings: Settings) -> "CampaignPolicy":
        return cls(cap_days=settings.campaign_frequency_days, fail_share=settings.campaign_fail_share,
                   sending=SendingPolicy.from_settings(settings), auto_approve=settings.campaign_auto_approve,
                   seasons_file=settings.campaign_seasons_file or SEASONS_FILE, tz=settings.tz_name,
                   public_base_url=settings.public_base_url, caller_ids=settings.outbound_caller_ids(),
                   default_caller_id=settings.survey_caller_id or settings.sms_from)
