"""How many SMS segments a text costs, as the carriers count them (GSM 03.38 / UCS-2)."""
from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic character set (ESC, 0x1B, left out: it only introduces the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + char, so it costs 2 septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153  # septets; a split text loses 7 to the UDH
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units


@dataclass(frozen=True)
class SegmentCount:
    """The encoding a text needs, its length in that encoding's units, and its segments."""

    encoding: str  # "GSM-7" | "UCS-2"
    characters: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def count_segments(text: str) -> SegmentCount:
    """Count the segments of ``text``.

    GSM-7 when every character is in the GSM 03.38 basic or extension table (extension
    characters cost 2): 160 in one segment, 153 per segment when split. Otherwise UCS-2, counted
    in UTF-16 code units (an emoji costs 2): 70 in one segment, 67 per segment when split.
    The empty text is 0 characters in 0 segments: nothing would be sent.
    """
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentCount("GSM-7", sum(units), _segments(units, GSM7_SINGLE, GSM7_PART))
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentCount("UCS-2", sum(units), _segments(units, UCS2_SINGLE, UCS2_PART))


def _segments(units: list[int], single: int, part: int) -> int:
    """Pack characters into segments; a 2-unit character is never split across two.

    Phones and carriers do not split an escape pair or a surrogate pair, so a split text can need
    one segment more than ceil(total / part).
    """
    total = sum(units)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments
