"""Reading a customer's rating forgivingly: "5", "５分", "非常满意", "不太满意，师傅来晚了".

A score is 1 to 5 (5 = very satisfied, as the survey text says). Digits win over words, since
a digit is the answer the question asked for; words alone decide when there is no digit. An
answer that names two different scores, or none, is not understood (None), never guessed.
"""
from __future__ import annotations

import re
import unicodedata

# Phrase -> score. Longer phrases are tried first, so 不满意 is never read as 满意.
WORDS: dict[str, int] = {
    "非常满意": 5, "很满意": 5, "十分满意": 5, "特别满意": 5, "超级满意": 5, "太满意": 5, "完全满意": 5,
    "好评": 5, "非常好": 5, "very satisfied": 5, "excellent": 5,
    "比较满意": 4, "基本满意": 4, "还算满意": 4, "挺满意": 4, "满意": 4, "satisfied": 4,
    "一般": 3, "还行": 3, "凑合": 3, "average": 3,
    "不太满意": 2, "不大满意": 2, "不怎么满意": 2, "不是很满意": 2, "不太好": 2,
    "非常不满意": 1, "很不满意": 1, "十分不满意": 1, "特别不满意": 1, "极不满意": 1, "不满意": 1,
    "差评": 1, "很差": 1, "太差": 1, "very dissatisfied": 1, "dissatisfied": 1, "unsatisfied": 1,
    "not satisfied": 1,
}
_PHRASES = sorted(WORDS, key=len, reverse=True)
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
# "5分", "5 星", "五分", "4颗星", "5 points": a number that says it is a rating.
_RATED = re.compile(r"(?<![0-9])([0-9]+|[一二两三四五])\s*(?:分|颗星|星|points?|stars?)", re.IGNORECASE)
# A number standing alone (not a piece of a ticket or phone number).
_BARE = re.compile(r"(?<![0-9])([0-9]+)(?![0-9])")


def _number(token: str) -> int | None:
    if token in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[token]
    value = int(token)
    return value if 1 <= value <= 5 else -1  # -1: a number, but not a score


def _single(values: list[int]) -> int | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _from_digits(text: str) -> tuple[bool, int | None]:
    """(found a number, its score); a number out of range or two different scores read as None."""
    rated = [_number(m.group(1)) for m in _RATED.finditer(text)]
    if rated:
        score = _single(rated)
        return True, score if score and score > 0 else None
    bare = [_number(m.group(1)) for m in _BARE.finditer(text) if len(m.group(1)) <= 2]
    if bare:
        score = _single(bare)
        return True, score if score and score > 0 else None
    return False, None


def _from_words(text: str) -> int | None:
    """Longest phrases first, each character read once; two different scores are no answer."""
    found: list[int] = []
    rest = text.lower()
    for phrase in _PHRASES:
        if phrase in rest:
            found.extend([WORDS[phrase]] * rest.count(phrase))
            rest = rest.replace(phrase, "|")
    return _single(found)


def read_score(answer: str | None) -> int | None:
    """The score 1-5 in `answer`, or None when it does not clearly give one."""
    if not answer or not isinstance(answer, str):
        return None
    text = unicodedata.normalize("NFKC", answer)[:500].strip()  # full-width digits become ASCII
    found_number, score = _from_digits(text)
    if found_number:
        return score
    return _from_words(text)


_EDGES = " \t\r\n,.;:!?、。，；：！？-—~"
_LEADING_BARE = re.compile(r"^\s*[0-9]{1,2}(?![0-9])")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def remark(answer: str | None) -> str:
    """The customer's words beside the rating: "1分 太慢了" -> "太慢了"; "1" -> ""; "不满意，太慢了" stays."""
    if not answer or not isinstance(answer, str):
        return ""
    text = _RATED.sub(" ", answer[:500].translate(_FULL_WIDTH_DIGITS))  # the words as written, digits read
    return _LEADING_BARE.sub(" ", text).strip(_EDGES)
