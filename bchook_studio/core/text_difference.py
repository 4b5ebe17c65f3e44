"""The span in which two texts differ, found by comparing slices.

A keystroke in a 5 MB body changes a few characters of the live preview, so
the view can replace that span instead of loading the whole text again. Each
comparison below is a slice equality, which CPython runs as one memory compare.
"""

from dataclasses import dataclass

_CHUNK = 64 * 1024
"""Characters compared at a time before narrowing down within a chunk."""


@dataclass(frozen=True)
class ChangedSpan:
    """`old[start:old_end]` was replaced by `new[start:new_end]`."""

    start: int
    old_end: int
    new_end: int


def changed_span(old: str, new: str) -> ChangedSpan | None:
    """Return the smallest span whose replacement turns `old` into `new`, or
    None when the texts are equal."""
    if old == new:
        return None

    limit = min(len(old), len(new))
    start = _common_prefix(old, new, limit)
    # The suffix may not overlap the prefix in either text.
    suffix = _common_suffix(old, new, limit - start)
    return ChangedSpan(start, len(old) - suffix, len(new) - suffix)


def utf16_offset(text: str, index: int) -> int:
    """Return the UTF-16 code unit offset of `text[index]`, the unit in which Qt
    counts positions: characters beyond U+FFFF take two units."""
    head = text[:index]
    if head.isascii():
        return index
    return len(head.encode("utf-16-le")) // 2


def _common_prefix(old: str, new: str, limit: int) -> int:
    position = 0
    while position < limit:
        end = min(position + _CHUNK, limit)
        if old[position:end] == new[position:end]:
            position = end
            continue
        return _narrow(old, new, position, end, forward=True)
    return limit


def _common_suffix(old: str, new: str, limit: int) -> int:
    length = 0
    while length < limit:
        size = min(length + _CHUNK, limit)
        if (
            old[len(old) - size : len(old) - length]
            == new[len(new) - size : len(new) - length]
        ):
            length = size
            continue
        return _narrow(old, new, length, size, forward=False)
    return limit


def _narrow(old: str, new: str, low: int, high: int, *, forward: bool) -> int:
    """Return the length of the common run, known to lie between `low` (equal)
    and `high` (differs), by bisection."""
    while high - low > 1:
        middle = (low + high) // 2
        if forward:
            equal = old[low:middle] == new[low:middle]
        else:
            equal = (
                old[len(old) - middle : len(old) - low]
                == new[len(new) - middle : len(new) - low]
            )
        if equal:
            low = middle
        else:
            high = middle
    return low
