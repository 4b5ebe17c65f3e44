"""The characters that text shown to a person must carry as escapes.

A character is unsafe when its Unicode general category is Cc (controls), Cf
(format characters), Zl or Zp (the line and paragraph separators U+2028 and
U+2029), except ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER. On a terminal the
controls can move the cursor, clear the screen or retitle the window. The
bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
U+2069) and the separators can make a line display in another order, or on
other lines, than the program reads it ("Trojan Source"). The categories are
those of the running Python's `unicodedata`.
"""

import re
import unicodedata
from collections.abc import Callable

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Controls, format characters and the line and paragraph separators."""

KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
"""ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER, which Persian and Indic text and
emoji sequences need. Neither can reorder text or break a line."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""The bidirectional controls: marks, embeddings, overrides and isolates."""

_KEPT_IN_LINE = frozenset("\t")
_KEPT_IN_TEXT = frozenset("\t\n")


def is_unsafe(char: str) -> bool:
    """True when `char` is of category Cc, Cf, Zl or Zp and is not ZWNJ or ZWJ.

    Tab and new line are controls, so they are unsafe here. `contains_unsafe`
    and `escape_unsafe` keep them where the text allows it.
    """
    return (
        unicodedata.category(char) in UNSAFE_CATEGORIES
        and char not in KEPT_FORMAT_CHARACTERS
    )


def _unsafe_characters(text: str, multiline: bool) -> set[str]:
    """Return the distinct characters of `text` that `escape_unsafe` replaces."""
    kept_characters = _KEPT_IN_TEXT if multiline else _KEPT_IN_LINE
    if multiline:
        # The carriage return of a CR LF pair is kept, but a lone one is not.
        text = text.replace("\r\n", "")
    return {
        char for char in set(text) if char not in kept_characters and is_unsafe(char)
    }


# Every code point of category Cc, Cf, Zl or Zp in Unicode 15.1, the version of
# Python 3.13, plus a few neighbours. `unsafe_positions` checks each match with
# `is_unsafe`, so the running Python's categories decide.
_CANDIDATES = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001-\U000e007f]"
)


def unsafe_positions(text: str) -> list[int]:
    """Return the index of each unsafe character of one line of text, tab kept."""
    if text.isascii() and text.replace("\t", " ").isprintable():
        return []
    return [
        match.start()
        for match in _CANDIDATES.finditer(text)
        if match.group() != "\t" and is_unsafe(match.group())
    ]


def contains_unsafe(text: str, *, multiline: bool = False) -> bool:
    """True when `escape_unsafe` would change `text`."""
    return bool(_unsafe_characters(text, multiline))


def escape_unsafe(
    text: str, escape: Callable[[str], str], *, multiline: bool = False
) -> str:
    """Return `text` with each unsafe character replaced by `escape(char)`.

    Tab is kept. With `multiline`, new lines are kept too, and so is the
    carriage return of each CR LF pair. A lone carriage return is replaced,
    because it would move the cursor back over the line.
    """
    unsafe = _unsafe_characters(text, multiline)
    if not unsafe:
        return text

    def escape_part(part: str) -> str:
        return "".join(escape(char) if char in unsafe else char for char in part)

    if not multiline:
        return escape_part(text)
    return "\r\n".join(escape_part(part) for part in text.split("\r\n"))


def escaped_for_display(text: str) -> str:
    """Return `text` with each unsafe character, tab and new line included,
    written as `\\uHHHH` (`\\UHHHHHHHH` above U+FFFF), for a one-line message."""
    return "".join(_code_escape(char) if is_unsafe(char) else char for char in text)


def _code_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
