"""Text as it arrives (webhooks, API bodies, query strings) made safe for the database.

PostgreSQL refuses a NUL character in text and neither database can store a lone UTF-16
surrogate (JSON's "\\ud800"), so such a value, bound as it came, fails the whole request.
A customer's text is never refused for it: each such character becomes U+FFFD (the Unicode
replacement character) and the text is kept. Staff input is refused instead, naming the field,
because the person typing can send it again. Identifiers longer than their column (a forged
`MessageSid`) are folded into a value that fits and stays distinct.
"""
from __future__ import annotations

import hashlib
import re

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FOLD_SUFFIX = 9  # "~" and eight hex digits of the value's hash


def storable(text: str) -> str:
    """`text` with every character a database cannot store replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def has_unstorable(text: str) -> bool:
    """True when `text` holds a NUL or a lone surrogate."""
    return _UNSTORABLE.search(text) is not None


def fit(value: str, width: int) -> str:
    """`value` when it fits in `width` characters; otherwise its head and a hash of the whole.

    Two different over-long values stay different (with the odds of a 32-bit hash), and the same
    value always folds the same way, so a retried webhook is still recognised as a retry.
    """
    if len(value) <= width:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:_FOLD_SUFFIX - 1]
    return f"{value[:width - _FOLD_SUFFIX]}~{digest}"
