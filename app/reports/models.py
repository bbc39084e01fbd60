"""The dashboard's snapshots: the figures of each standard window as the refresh job computed them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base, UTCDateTime


class DashboardSnapshot(Base):
    """One row per standard window (`today`, `7d`, `30d`): the window's days in business time, the
    figures app.reports computed for it as of `computed_at`, and how long that took."""

    __tablename__ = "dashboard_snapshots"

    window: Mapped[str] = mapped_column(String(8), primary_key=True)
    first_day: Mapped[date] = mapped_column(Date())
    last_day: Mapped[date] = mapped_column(Date())
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(Float)
