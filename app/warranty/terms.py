"""Warranty cover terms per product line (rules P-WAR-1 .. P-WAR-6).

The terms are data: one registry row per covered part. The engine reads
this table and never branches on a product line by name, so a changed
policy is a one-line edit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.product_lines import PRODUCT_LINES

# Every status reports these parts, in this order, for every unit.
PARTS_ORDER = ("whole_unit", "compressor", "parts", "tank")


@dataclass(frozen=True)
class CoverTerm:
    """How long one part of a product line is covered.

    ``years`` is None for lifetime cover. A part with no CoverTerm row for
    a line is not applicable to that line (e.g. the tank on an AC).
    """

    part: str
    years: int | None
    rule_id: str


COVER_TERMS: dict[str, tuple[CoverTerm, ...]] = {
    "home_ac": (
        CoverTerm("whole_unit", 6, "P-WAR-1"),
        CoverTerm("compressor", 6, "P-WAR-2"),
        CoverTerm("parts", None, "P-WAR-3"),  # spare parts free for life
    ),
    # Commercial compressor and parts ride on the whole-unit cover.
    "commercial_ac": (
        CoverTerm("whole_unit", 6, "P-WAR-4"),
        CoverTerm("compressor", 6, "P-WAR-4"),
        CoverTerm("parts", 6, "P-WAR-4"),
    ),
    # Water heater: the main-unit cover also covers compressor and parts.
    "water_heater": (
        CoverTerm("whole_unit", 5, "P-WAR-5"),
        CoverTerm("compressor", 5, "P-WAR-5"),
        CoverTerm("parts", 5, "P-WAR-5"),
        CoverTerm("tank", 8, "P-WAR-6"),
    ),
}


def check_product_line(product_line: str) -> str:
    """Return ``product_line`` unchanged, or raise ValueError if it is unknown."""
    if product_line not in COVER_TERMS:
        raise ValueError(
            f"unknown product line {product_line!r}; "
            f"expected one of {', '.join(PRODUCT_LINES)}"
        )
    return product_line


def cover_terms(product_line: str) -> tuple[CoverTerm, ...]:
    """Return the cover terms of a product line (ValueError if unknown)."""
    return COVER_TERMS[check_product_line(product_line)]


def term_for(product_line: str, part: str) -> CoverTerm | None:
    """Return the CoverTerm for one part of a line, or None if not applicable."""
    for term in cover_terms(product_line):
        if term.part == part:
            return term
    return None


def add_years(d: date, years: int) -> date:
    """Return ``d`` moved by whole calendar years.

    29 February lands on 1 March when the target year is not a leap year
    (the cover then ends on 28 February, the day before).
    """
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # only 29 Feb into a non-leap year can fail here
        return date(d.year + years, 3, 1)
