"""Cursor moves over a text and its LineIndex: by character, word, line and page.

Offsets count code points. A line's visible end is before its "\\r\\n" or "\\n",
so the cursor never stops between the two characters of a Windows line break.
"""

import logging
import re

from bchook_studio.core.line_index import LineIndex

logger = logging.getLogger(__name__)

# A word is a run of letters, digits and underscores. Word moves look at most
# this many characters ahead or behind, so a long line costs no full scan.
_WORD = re.compile(r"\w+")
_WORD_WINDOW = 4096


class TextNavigator:
    """Computes cursor targets in one text; every method returns a new offset."""

    def __init__(self, text: str, lines: LineIndex) -> None:
        self._text = text
        self._lines = lines

    def line_end(self, line: int) -> int:
        """Return the offset after the last visible character of a line.

        The CR of a CR LF pair is not visible. A CR that ends the text is, like
        any other lone CR.
        """
        end = self._lines.end(line)
        ends_with_pair = end < len(self._text) and self._text[end - 1 : end] == "\r"
        if end > self._lines.start(line) and ends_with_pair:
            return end - 1
        return end

    def clamp(self, offset: int) -> int:
        """Return `offset` inside the text and outside any "\\r\\n" pair."""
        offset = min(max(offset, 0), len(self._text))
        line = self._lines.line_at(offset)
        return min(offset, self.line_end(line))

    def column(self, offset: int) -> int:
        return offset - self._lines.start(self._lines.line_at(offset))

    def next_char(self, offset: int) -> int:
        line = self._lines.line_at(offset)
        if offset < self.line_end(line):
            return offset + 1
        if line + 1 < self._lines.line_count:
            return self._lines.start(line + 1)
        return offset

    def previous_char(self, offset: int) -> int:
        line = self._lines.line_at(offset)
        if offset > self._lines.start(line):
            return offset - 1
        if line > 0:
            return self.line_end(line - 1)
        return offset

    def next_word(self, offset: int) -> int:
        """Return the end of the word at or after `offset` on its line."""
        line = self._lines.line_at(offset)
        end = self.line_end(line)
        if offset >= end:
            return self.next_char(offset)
        window_end = min(end, offset + _WORD_WINDOW)
        found = _WORD.search(self._text, offset, window_end)
        return found.end() if found else window_end

    def previous_word(self, offset: int) -> int:
        """Return the start of the word before `offset` on its line."""
        line = self._lines.line_at(offset)
        start = self._lines.start(line)
        if offset <= start:
            return self.previous_char(offset)
        window_start = max(start, offset - _WORD_WINDOW)
        last_start = window_start
        for found in _WORD.finditer(self._text, window_start, offset):
            last_start = found.start()
        return last_start

    def word_at(self, offset: int) -> tuple[int, int]:
        """Return the start and end of the word around `offset`, or (offset, offset)."""
        line = self._lines.line_at(offset)
        start = max(self._lines.start(line), offset - _WORD_WINDOW)
        end = min(self.line_end(line), offset + _WORD_WINDOW)
        for found in _WORD.finditer(self._text, start, end):
            if found.start() <= offset <= found.end():
                return found.span()
            if found.start() > offset:
                break
        return offset, offset

    def line_start(self, offset: int) -> int:
        return self._lines.start(self._lines.line_at(offset))

    def line_end_of(self, offset: int) -> int:
        return self.line_end(self._lines.line_at(offset))

    def move_lines(self, offset: int, count: int, column: int) -> int:
        """Return the offset `count` lines down (up when negative) at `column`,
        or at the end of a shorter line."""
        line = self._lines.line_at(offset)
        target = min(max(line + count, 0), self._lines.line_count - 1)
        start = self._lines.start(target)
        return min(start + column, self.line_end(target))

    def document_end(self) -> int:
        return self.line_end(self._lines.line_count - 1)
