"""JSON nesting depth, measured in one linear pass, without parsing or recursion."""

from __future__ import annotations

import re
from itertools import accumulate

# A JSON string: brackets inside one nest nothing.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def deeper_than(data: str | bytes, limit: int) -> bool:
    """Whether arrays and objects in ``data`` nest more than ``limit`` levels.

    Bytes are read as Latin-1, which keeps every byte in place: the quotes, backslashes
    and brackets that matter are ASCII, and UTF-8 never uses an ASCII byte inside a
    multi-byte character. Malformed JSON may be judged either way; the parser refuses it.
    """
    text = data.decode("latin-1") if isinstance(data, bytes) else data
    # No more opening brackets than the limit, even counting those inside strings: every
    # ordinary request stops here.
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0) > limit
