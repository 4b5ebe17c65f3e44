"""Line start offsets of a text, so a view can show any line without a scan.

Indexing 18 MB of pretty-printed JSON (950,000 lines) took about 180 ms on a
2-core x86-64 VM with Python 3.11, most of it in str.split. A large text is
therefore indexed a chunk at a time: `LineIndex.partial` indexes the start and
counts the lines (str.count, about 10 ms for 18 MB), and `extend` indexes more.
Asking for a line or offset past the indexed part indexes up to it at once.
"""

import logging
from array import array
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add

logger = logging.getLogger(__name__)

FIRST_CHUNK = 256 * 1024
"""Characters `partial` indexes at once: 14,000 lines of pretty-printed JSON in
about 2 ms, after about 6 ms to count the lines of 18 MB."""


class LineIndex:
    """The start offsets of the lines of one text, split at "\\n" only.

    Offsets count code points (Python string indices). `starts` contains the
    start of each indexed line and then the start of the first line not indexed
    yet. Once every line is indexed, that last entry is `len(text) + 1`, as if
    the text ended with a line break, so line n always spans `starts[n]` to
    `starts[n + 1] - 1`. A "\\r" before the "\\n" belongs to the line's text.
    `max_length` is the length of the longest indexed line. Instances pickle,
    so a worker process can build one.
    """

    __slots__ = ("_text", "line_count", "max_length", "starts")

    def __init__(
        self, text: str, starts: array, max_length: int, line_count: int
    ) -> None:
        if len(starts) < 1:
            raise ValueError("a line index needs the start of its first line")
        self._text = text
        self.starts = starts
        self.max_length = max_length
        self.line_count = line_count

    @classmethod
    def of(cls, text: str) -> "LineIndex":
        """Index every line of `text` now."""
        lengths = list(map(len, text.split("\n")))
        # Each line takes its length plus one for the "\n" after it. The C-level
        # iterators keep this off a per-line Python loop.
        starts = array("q", accumulate(map(add, lengths, repeat(1)), initial=0))
        return cls(text, starts, max(lengths), len(lengths))

    @classmethod
    def partial(cls, text: str, first_chunk: int = FIRST_CHUNK) -> "LineIndex":
        """Count the lines of `text` and index about `first_chunk` characters."""
        if len(text) <= first_chunk:
            return cls.of(text)
        index = cls(text, array("q", [0]), 0, text.count("\n") + 1)
        index.extend(first_chunk)
        return index

    def __reduce__(self) -> tuple[type["LineIndex"], tuple[str, array, int, int]]:
        return (LineIndex, (self._text, self.starts, self.max_length, self.line_count))

    @property
    def indexed_lines(self) -> int:
        """The number of lines, from the first, whose start and end are known."""
        return len(self.starts) - 1

    def is_complete(self) -> bool:
        return self.indexed_lines == self.line_count

    @property
    def text_length(self) -> int:
        return len(self._text)

    def extend(self, characters: int) -> bool:
        """Index the lines in about the next `characters` characters.

        At least one more line is indexed, however long. Returns True once
        every line is indexed.
        """
        if self.is_complete():
            return True
        text = self._text
        begin = self.starts[-1]
        stop = text.rfind("\n", begin, begin + max(characters, 1))
        if stop < 0:
            stop = text.find("\n", begin)
        if stop < 0:
            # The last line: it runs to the end of the text.
            self._append_lengths([len(text) - begin])
            return True

        lengths = list(map(len, text[begin:stop].split("\n")))
        self._append_lengths(lengths)
        if self.indexed_lines == self.line_count - 1:
            # A text ending in "\n" has an empty last line after it.
            self._append_lengths([len(text) - self.starts[-1]])
        return self.is_complete()

    def complete(self) -> None:
        """Index every remaining line now."""
        self.extend(len(self._text) + 1)
        while not self.is_complete():
            self.extend(len(self._text) + 1)

    def start(self, line: int) -> int:
        """Return the offset of the first character of a 0-based line."""
        self._index_line(line)
        return self.starts[line]

    def end(self, line: int) -> int:
        """Return the offset just past the last character of a line, before "\\n"."""
        self._index_line(line)
        return self.starts[line + 1] - 1

    def length(self, line: int) -> int:
        return self.end(line) - self.start(line)

    def line_at(self, offset: int) -> int:
        """Return the 0-based line holding `offset`.

        The end of the text is in the last line; offsets out of range go to the
        first or last line.
        """
        while offset >= self.starts[-1] and not self.is_complete():
            self.extend(max(offset + 1 - self.starts[-1], FIRST_CHUNK))
        line = bisect_right(self.starts, offset) - 1
        return min(max(line, 0), self.line_count - 1)

    def _index_line(self, line: int) -> None:
        """Index up to `line` when it is not indexed yet."""
        while line >= self.indexed_lines and not self.is_complete():
            self.extend(FIRST_CHUNK)

    def _append_lengths(self, lengths: list[int]) -> None:
        begin = self.starts[-1]
        added = accumulate(map(add, lengths, repeat(1)), initial=begin)
        next(added)  # `begin` is in `starts` already
        self.starts.extend(array("q", added))
        self.max_length = max(self.max_length, max(lengths))
