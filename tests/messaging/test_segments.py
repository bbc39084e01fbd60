"""Segment counting as the carriers do it: GSM-7 160/153, UCS-2 70/67."""
import pytest

from app.messaging.segments import SegmentCount, count_segments


def test_empty_text_is_no_segments():
    assert count_segments("") == SegmentCount("GSM-7", 0, 0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a" * 160, SegmentCount("GSM-7", 160, 1)),
        ("a" * 161, SegmentCount("GSM-7", 161, 2)),
        ("a" * 153 * 2, SegmentCount("GSM-7", 306, 2)),
        ("a" * (153 * 2 + 1), SegmentCount("GSM-7", 307, 3)),
    ],
)
def test_gsm7_boundaries(text, expected):
    assert count_segments(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("中" * 70, SegmentCount("UCS-2", 70, 1)),
        ("中" * 71, SegmentCount("UCS-2", 71, 2)),
        ("中" * 67 * 2, SegmentCount("UCS-2", 134, 2)),
        ("中" * (67 * 2 + 1), SegmentCount("UCS-2", 135, 3)),
    ],
)
def test_ucs2_boundaries(text, expected):
    assert count_segments(text) == expected


def test_one_chinese_character_makes_the_whole_text_ucs2():
    assert count_segments("a" * 69 + "中") == SegmentCount("UCS-2", 70, 1)


def test_emoji_counts_two_utf16_units():
    assert count_segments("😀") == SegmentCount("UCS-2", 2, 1)


def test_emoji_over_the_single_segment_limit():
    assert count_segments("中" * 69 + "😀") == SegmentCount("UCS-2", 71, 2)


def test_emoji_is_not_split_across_segments():
    # 66 units then a surrogate pair: the pair moves whole into segment 2, so 134 units
    # (2 x 67) no longer fit in two segments.
    assert count_segments("中" * 66 + "😀" + "中" * 65) == SegmentCount("UCS-2", 133, 2)
    assert count_segments("中" * 66 + "😀" + "中" * 66) == SegmentCount("UCS-2", 134, 3)


@pytest.mark.parametrize("char", list("^{}\\[~]|€"))
def test_extension_characters_cost_two_septets(char):
    assert count_segments(char) == SegmentCount("GSM-7", 2, 1)


def test_extension_characters_at_the_single_segment_limit():
    assert count_segments("a" * 158 + "€") == SegmentCount("GSM-7", 160, 1)
    assert count_segments("a" * 159 + "€") == SegmentCount("GSM-7", 161, 2)


def test_extension_character_is_not_split_across_segments():
    # 152 + 2 would straddle the first 153-septet segment, so the escape pair moves on and
    # 306 septets (2 x 153) need three segments.
    assert count_segments("a" * 152 + "€" + "a" * 151) == SegmentCount("GSM-7", 305, 2)
    assert count_segments("a" * 152 + "€" + "a" * 152) == SegmentCount("GSM-7", 306, 3)


@pytest.mark.parametrize("text", ["Hello @ £5, Über? No: Ä Ö Ñ Ü ä ö ñ ü à é è", "line\r\nbreak", "Ç§¿¡ΔΩ_"])
def test_gsm7_basic_characters_stay_gsm7(text):
    assert count_segments(text) == SegmentCount("GSM-7", len(text), 1)


@pytest.mark.parametrize("char", ["ç", "á", "`", "’", "【", "。"])
def test_characters_outside_gsm7_force_ucs2(char):
    assert count_segments("a" + char).encoding == "UCS-2"
