"""Find a string in a large text a chunk at a time, so a GUI stays responsive.

A case-sensitive search uses str.find, at about 2 GB/s. A case-insensitive one
uses a re.IGNORECASE pattern, at about 100 MB/s. Both were measured on 18 MB of
JSON on a 2-core x86-64 VM with Python 3.11. The chunk sizes keep each `step`
at most a few ms past its deadline.
"""

import logging
import re
import time

logger = logging.getLogger(__name__)

_FIND_CHUNK = 2_000_000
_PATTERN_CHUNK = 250_000


class TextSearch:
    """One search for `needle` in `text`, from offset `start` on, wrapping around.

    Forward, the first match starting at or after `start` wins, then the first
    from the top. Backward, the last match starting before `start` wins, then
    the last from the bottom. Call `step` until it returns True, then read
    `match`. Offsets count code points.
    """

    def __init__(
        self,
        text: str,
        needle: str,
        start: int,
        *,
        backward: bool = False,
        match_case: bool = False,
    ) -> None:
        if not needle:
            raise ValueError("the search string is empty; type what to find")
        self._text = text
        self._needle = needle
        self._backward = backward
        self._pattern: re.Pattern[str] | None = None
        if not match_case and needle.lower() != needle.upper():
            self._pattern = re.compile(re.escape(needle), re.IGNORECASE)
        self._chunk = _FIND_CHUNK if self._pattern is None else _PATTERN_CHUNK

        start = min(max(start, 0), len(text))
        # Each range is [first, last): the offsets a match may start at.
        if backward:
            self._ranges = [(0, start), (start, len(text))]
        else:
            self._ranges = [(start, len(text)), (0, start)]
        self._position = self._ranges[0][1] if backward else self._ranges[0][0]
        self._range_number = 0

        self.match: tuple[int, int] | None = None
        """The start and end offsets of the match, once found."""

        self.wrapped = False
        """True when the match came from the part searched after wrapping."""

        self.done = False

    def step(self, seconds: float = 0.005) -> bool:
        """Search for about `seconds`; return True once the search has ended."""
        deadline = time.perf_counter() + seconds
        while not self.done:
            self._search_chunk()
            if time.perf_counter() >= deadline:
                break
        return self.done

    def run(self) -> tuple[int, int] | None:
        """Search to the end at once and return the match, or None."""
        while not self.done:
            self._search_chunk()
        return self.match

    def _search_chunk(self) -> None:
        first, last = self._ranges[self._range_number]
        if self._backward:
            chunk_last = self._position
            chunk_first = max(first, chunk_last - self._chunk)
            found = self._find_last(chunk_first, chunk_last)
            self._position = chunk_first
            exhausted = chunk_first <= first
        else:
            chunk_first = self._position
            chunk_last = min(last, chunk_first + self._chunk)
            found = self._find_first(chunk_first, chunk_last)
            self._position = chunk_last
            exhausted = chunk_last >= last

        if found is not None:
            self.match = found
            self.wrapped = self._range_number == 1
            self.done = True
        elif exhausted:
            self._next_range()

    def _next_range(self) -> None:
        self._range_number += 1
        if self._range_number >= len(self._ranges):
            self.done = True
            return
        first, last = self._ranges[self._range_number]
        self._position = last if self._backward else first

    def _find_first(self, first: int, last: int) -> tuple[int, int] | None:
        """Return the first match that starts in [first, last), or None."""
        # A match starting just before `last` reaches past it.
        end = min(len(self._text), last + len(self._needle) - 1)
        if self._pattern is None:
            index = self._text.find(self._needle, first, end)
            return None if index < 0 else (index, index + len(self._needle))
        found = self._pattern.search(self._text, first, end)
        return None if found is None else found.span()

    def _find_last(self, first: int, last: int) -> tuple[int, int] | None:
        """Return the last match that starts in [first, last), or None."""
        end = min(len(self._text), last + len(self._needle) - 1)
        if self._pattern is None:
            index = self._text.rfind(self._needle, first, end)
            return None if index < 0 else (index, index + len(self._needle))
        found = None
        for candidate in self._pattern.finditer(self._text, first, end):
            if candidate.start() < last:
                found = candidate
        return None if found is None else found.span()
