"""Warranty rules P-WAR-1 .. P-WAR-8: cover terms, status and restarts."""

from .engine import (
    DEFAULT_TZ,
    DOWNTIME_LIMIT,
    DowntimeSpell,
    PartCover,
    WarrantyRestart,
    WarrantyStatus,
    is_covered,
    warranty_restarts,
    warranty_status,
)
from .terms import COVER_TERMS, PARTS_ORDER, PRODUCT_LINES, CoverTerm, add_years

__all__ = [
    "COVER_TERMS",
    "CoverTerm",
    "DEFAULT_TZ",
    "DOWNTIME_LIMIT",
    "DowntimeSpell",
    "PARTS_ORDER",
    "PRODUCT_LINES",
    "PartCover",
    "WarrantyRestart",
    "WarrantyStatus",
    "add_years",
    "is_covered",
    "warranty_restarts",
    "warranty_status",
]
