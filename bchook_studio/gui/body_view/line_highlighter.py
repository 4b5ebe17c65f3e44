"""Syntax colours for the lines a body view shows, computed when it shows them.

The view has no QTextDocument, so this highlighter keeps its own data. It caches
the colours of recently shown lines, up to a bound. It also stores the lexer
state each line ends in, from the top down to the last line shown so far. Its
work order:

1. visible lines without colours, lexed from the state the line above ends in,
   or from the initial state while that state is unknown (a provisional colour);
2. the end states of the lines above the last visible one, from the top down,
   which turns provisional colours into final ones (a line whose real start
   state differs is lexed again).

A paint runs both steps for a few ms first, which colours a screen at the top of
the text completely. The rest runs in slices of at most SLICE_SECONDS from a 0 ms
timer, plus the time of one line. JSON without "/*" needs no states, because
every line starts outside a comment. The check for "/*" (about 16 ms for 18 MB)
runs only when the view is far below the scanned lines. A line is lexed up to
MAX_HIGHLIGHTED_COLUMNS characters; the rest stays plain and the line passes its
start state on unchanged.
"""

import logging
import time
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Hashable, Iterator

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QTextCharFormat

from bchook_studio.core.content_types import JSON, TEXT
from bchook_studio.core.line_index import LineIndex
from bchook_studio.gui.editor.block_lexers import BlockLexer, make_block_lexer
from bchook_studio.gui.editor.theme import format_for_token

logger = logging.getLogger(__name__)

# Lexing work per timer slice. The event loop runs between slices.
SLICE_SECONDS = 0.008

# Pygments lexes minified JSON and XML at about 3 MB/s on a 2-core x86-64 VM
# with Python 3.11, so the prefix of a long line costs at most about 10 ms.
MAX_HIGHLIGHTED_COLUMNS = 20_000

# The colour cache keeps at most this many ranges (about 100 bytes each) and
# lines, but never drops a visible line.
_CACHE_RANGES = 400_000
_CACHE_LINES = 5_000

_INITIAL_STATE_ID = 0

# A paint lexes no line longer than this (about 1 ms of lexing), and stops at
# its deadline, so a long line never delays a paint. The timer lexes the rest.
_PAINT_LINE_LIMIT = 2_000

# Scanning this many lines costs about as much as checking a large text for
# "/*", so a shorter scan goes ahead without the check.
_SCAN_WITHOUT_CHECK = 2_000


class LineColours:
    """The coloured ranges of one line, sorted, in code points from the line start."""

    __slots__ = ("end_state", "ends", "formats", "start_state", "starts")

    def __init__(self, start_state: int, end_state: int) -> None:
        self.start_state = start_state
        """The id of the lexer state the line was lexed from."""

        self.end_state = end_state
        """The id of the lexer state the line ends in."""

        self.starts: list[int] = []
        self.ends: list[int] = []
        self.formats: list[QTextCharFormat] = []

    def __len__(self) -> int:
        return len(self.starts)

    def ranges_between(
        self, first: int, last: int
    ) -> Iterator[tuple[int, int, QTextCharFormat]]:
        """Yield the ranges that overlap columns [first, last), cut to them."""
        index = max(0, bisect_right(self.starts, first) - 1)
        while index < len(self.starts) and self.starts[index] < last:
            start = max(self.starts[index], first)
            end = min(self.ends[index], last)
            if start < end:
                yield start, end, self.formats[index]
            index += 1


class LineHighlighter(QObject):
    """Colours the lines of one text as a view requests them."""

    changed = Signal()
    """Emitted when visible lines got new colours, so the view repaints."""

    finished = Signal()
    """Emitted from the event loop when every visible line has its final colours."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._lines = LineIndex.of("")
        self._language = TEXT
        self._lexer: BlockLexer | None = None
        self._uniform: bool | None = True
        self._states: list[Hashable] = []
        self._state_ids: dict[Hashable, int] = {}
        self._end_states = array("i")
        self._cache: OrderedDict[int, LineColours] = OrderedDict()
        self._cached_ranges = 0
        self._visible: range | None = None

        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_slice)

    def set_text(self, text: str, lines: LineIndex, language: str) -> None:
        """Colour `text` as "json", "xml" or "text" (no colours) from now on."""
        self._text = text
        self._lines = lines
        self._language = language
        self._lexer = None if language == TEXT else make_block_lexer(language)
        # None: not checked yet (see _check_uniform).
        self._uniform = True if self._lexer is None else None
        self._states = []
        self._state_ids = {}
        if self._lexer is not None:
            self._intern(self._lexer.initial_state)
        self._end_states = array("i")
        self._cache.clear()
        self._cached_ranges = 0
        # Until a view reports its visible lines, an enabled highlighter has
        # not finished; plain text has finished at once.
        self._visible = None
        if self._lexer is None:
            self._timer.start()  # emits finished from the event loop

    def language(self) -> str:
        return self._language

    def is_enabled(self) -> bool:
        """False for plain text, which gets no colours at all."""
        return self._lexer is not None

    def is_idle(self) -> bool:
        """True when every visible line has its final colours."""
        return not self._timer.isActive()

    def show_lines(self, first: int, last: int) -> None:
        """Take lines first..last (0-based) as the visible ones, to colour first."""
        visible = range(first, last + 1)
        if visible == self._visible:
            return
        self._visible = visible
        if self._lexer is not None and not self.visible_lines_final():
            self._timer.start()

    def colours(self, line: int) -> LineColours | None:
        """Return the colours of a line lexed from its current start state, or None.

        The start state is the final one when `is_final(line)`, else a guess.
        """
        entry = self._cache.get(line)
        if entry is None or entry.start_state != self._start_state_id(line):
            return None
        self._cache.move_to_end(line)
        return entry

    def is_final(self, line: int) -> bool:
        """True when the lexer state at the start of `line` is known for certain."""
        return line <= len(self._end_states) or self._uniform is True

    def visible_lines_final(self) -> bool:
        """True when every visible line has colours from its final start state."""
        if self._lexer is None:
            return True
        if self._visible is None:
            return False
        return all(
            self.is_final(line) and self.colours(line) is not None
            for line in self._visible
        )

    def colour_visible_lines(self, seconds: float) -> None:
        """Colour visible lines for up to `seconds`; the timer does the rest."""
        if self._lexer is None:
            return
        self._work(time.perf_counter() + seconds, in_paint=True)
        if not self.visible_lines_final():
            self._timer.start()

    def lines_indexed(self) -> None:
        """Take note that more lines of the text are indexed, so colour them."""
        if self._lexer is not None and not self.visible_lines_final():
            self._timer.start()

    @Slot()
    def _run_slice(self) -> None:
        if self._lexer is not None and self._work(time.perf_counter() + SLICE_SECONDS):
            self.changed.emit()
        if self.visible_lines_final():
            self._timer.stop()
            self.finished.emit()
        elif self._waiting_for_index():
            # lines_indexed starts the timer again.
            self._timer.stop()

    def _waiting_for_index(self) -> bool:
        """True when the only visible lines left to colour are not indexed yet."""
        visible = self._visible
        indexed = self._lines.indexed_lines
        if not visible or visible[-1] < indexed:
            return False
        return all(
            self.is_final(line) and self.colours(line) is not None
            for line in range(visible[0], min(visible[-1] + 1, indexed))
        )

    def _work(self, deadline: float, *, in_paint: bool = False) -> bool:
        """Run both steps of the work order; return True if visible lines changed.

        Outside a paint, at least one line is lexed even past the deadline, so
        the work always moves on.
        """
        lexed = self._lex_visible(deadline, in_paint)
        if self._scan(deadline, in_paint):
            # Lines whose real start state differs need lexing again.
            lexed = self._lex_visible(deadline, in_paint) or lexed
        return lexed

    def _lex_visible(self, deadline: float, in_paint: bool) -> bool:
        """Lex visible lines without current colours; return True if any were."""
        lexed = False
        for line in self._visible or ():
            if line >= self._lines.indexed_lines:
                break
            if self.colours(line) is not None:
                continue
            if (lexed or in_paint) and time.perf_counter() >= deadline:
                break
            if in_paint and self._lines.length(line) > _PAINT_LINE_LIMIT:
                continue
            self._remember(line, self._lex_line(line, self._start_state_id(line)))
            lexed = True
        return lexed

    def _scan(self, deadline: float, in_paint: bool) -> bool:
        """Store end states down to the last visible line; True when a visible
        line's start state became final."""
        if not self._visible:
            return False
        # Scanning line n needs it indexed, and gives the start state of n + 1.
        target = min(
            self._visible[-1], self._lines.line_count - 1, self._lines.indexed_lines
        )
        if len(self._end_states) >= target:
            return False
        distance = target - len(self._end_states)
        if self._uniform is None and distance > _SCAN_WITHOUT_CHECK:
            self._check_uniform()
        if self._uniform:
            return False

        visible = self._visible
        reached_visible = False
        while len(self._end_states) < target:
            if time.perf_counter() >= deadline:
                break
            line = len(self._end_states)
            if in_paint and self._lines.length(line) > _PAINT_LINE_LIMIT:
                break
            start_id = self._start_state_id(line)
            colours = self._cache.get(line)
            if colours is not None and colours.start_state == start_id:
                end_id = colours.end_state
            elif line in visible:
                colours = self._lex_line(line, start_id)
                self._remember(line, colours)
                end_id = colours.end_state
            else:
                end_id = self._end_state_only(line, start_id)
            self._end_states.append(end_id)
            reached_visible = reached_visible or line + 1 in visible
        return reached_visible

    def _check_uniform(self) -> None:
        """Find out whether every line starts in the initial state."""
        self._uniform = self._language == JSON and "/*" not in self._text

    def _start_state_id(self, line: int) -> int:
        if line == 0:
            return _INITIAL_STATE_ID
        if line - 1 < len(self._end_states):
            return self._end_states[line - 1]
        # Provisional until the scan gets here, unless every line starts so.
        return _INITIAL_STATE_ID

    def _line_text(self, line: int) -> str:
        """Return the text of a line, cut after MAX_HIGHLIGHTED_COLUMNS + 1
        characters so a long line is not copied whole."""
        start = self._lines.start(line)
        end = min(self._lines.end(line), start + MAX_HIGHLIGHTED_COLUMNS + 1)
        return self._text[start:end]

    def _lex_line(self, line: int, start_id: int) -> LineColours:
        assert self._lexer is not None
        text = self._line_text(line)
        long_line = len(text) > MAX_HIGHLIGHTED_COLUMNS
        if long_line:
            text = text[:MAX_HIGHLIGHTED_COLUMNS]
        tokens, end_state = self._lexer.lex(text, self._states[start_id])

        end_id = start_id if long_line else self._intern(end_state)
        colours = LineColours(start_id, end_id)
        starts, ends, formats = colours.starts, colours.ends, colours.formats
        for start, length, token in tokens:
            text_format = format_for_token(token)
            if text_format is None:
                continue
            # Merge with the previous range when it has the same format and touches.
            if formats and formats[-1] is text_format and ends[-1] == start:
                ends[-1] = start + length
            else:
                starts.append(start)
                ends.append(start + length)
                formats.append(text_format)
        return colours

    def _end_state_only(self, line: int, start_id: int) -> int:
        assert self._lexer is not None
        text = self._line_text(line)
        if len(text) > MAX_HIGHLIGHTED_COLUMNS:
            return start_id
        _tokens, end_state = self._lexer.lex(text, self._states[start_id])
        return self._intern(end_state)

    def _remember(self, line: int, colours: LineColours) -> None:
        old = self._cache.pop(line, None)
        if old is not None:
            self._cached_ranges -= len(old)
        self._cache[line] = colours
        self._cached_ranges += len(colours)

        visible = self._visible or range(0)
        while (
            self._cached_ranges > _CACHE_RANGES or len(self._cache) > _CACHE_LINES
        ) and len(self._cache) > len(visible):
            oldest = next(iter(self._cache))
            if oldest in visible:
                break
            self._cached_ranges -= len(self._cache.pop(oldest))

    def _intern(self, state: Hashable) -> int:
        state_id = self._state_ids.get(state)
        if state_id is None:
            state_id = len(self._states)
            self._states.append(state)
            self._state_ids[state] = state_id
        return state_id
