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

    @property
    def quiet_hours(self) -> QuietHours | None:
        return self.sending.quiet_hours

    @classmethod
    def from_settings(cls, settings: Settings) -> "CampaignPolicy":
        return cls(cap_days=settings.campaign_frequency_days, fail_share=settings.campaign_fail_share,
                   sending=SendingPolicy.from_settings(settings), auto_approve=settings.campaign_auto_approve,
                   seasons_file=settings.campaign_seasons_file or SEASONS_FILE, tz=settings.tz_name)
