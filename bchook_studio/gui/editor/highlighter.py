"""Incremental syntax highlighting of a QTextDocument in time slices.

`QSyntaxHighlighter` highlights a whole document synchronously when its text is
set, which blocks the GUI for seconds on a text of several megabytes. This
highlighter lexes one block (line) at a time with the block lexers, and stores the
state each block ends in with `QTextBlock.setUserState`, so lexing can resume at
any block. Its work order:

1. the blocks an edit touched, at once in the `contentsChange` handler, so the
   edited line has its final colours at the next paint;
2. blocks still to lex that are visible in the attached view;
3. the rest, from the top, in slices of at most SLICE_SECONDS from a 0 ms timer.

A block is lexed again when its text changed, or when the block before it now
ends in a different state. So the work after an edit stops at the first block
whose end state matches the stored one.
"""

import bisect
import logging
import re
import time
from collections.abc import Hashable

from PySide6.QtCore import QObject, QPoint, QTimer, Signal, Slot
from PySide6.QtGui import QTextBlock, QTextCharFormat, QTextDocument, QTextLayout
from PySide6.QtWidgets import QPlainTextEdit

from bchook_studio.core.unsafe_text import unsafe_positions
from bchook_studio.gui.editor.block_lexers import BlockLexer, make_block_lexer
from bchook_studio.gui.editor.block_ranges import BlockRanges
from bchook_studio.gui.editor.lexers import TEXT, check_language
from bchook_studio.gui.editor.template_tags import OUTSIDE_TAG, find_template_tags
from bchook_studio.gui.editor.theme import (
    format_for_token,
    invisible_format,
    template_format,
)

logger = logging.getLogger(__name__)

# Lexing work per timer slice. The event loop runs between slices, so input and
# painting wait at most about this long, plus the time of one block.
SLICE_SECONDS = 0.008

# Lexing done inside the contentsChange handler before the rest of the edited
# blocks go to the timer (a paste of many lines).
EDIT_SECONDS = 0.008

# A longer block is left plain and passes its start state on unchanged, because
# lexing it would hold the GUI thread too long in one go. Pygments' JsonLexer
# took about 40 ms for 230,000 characters of minified JSON on a 2-core x86-64 VM
# with Python 3.11. Typical long blocks are minified JSON and binary shown as text.
MAX_BLOCK_LENGTH = 200_000

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# (language, block lexer state, closer of an open template tag or OUTSIDE_TAG)
State = tuple[str, Hashable, str]

# One format range of a block: start and end in code points, and its format.
_Range = tuple[int, int, QTextCharFormat]


class IncrementalHighlighter(QObject):
    """Highlight a QTextDocument in the background, a block at a time.

    The document's block user states belong to this highlighter: each holds an
    index into its table of lexer states, shifted left by one, with bit 0 set
    when the block has formats. -1 (Qt's default) marks a block never lexed.
    """

    finished = Signal()
    """Emitted from the event loop when the last queued block has been lexed."""

    def __init__(self, document: QTextDocument, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else document)
        self._document = document
        self._language = TEXT
        self._block_lexer: BlockLexer = make_block_lexer(TEXT)
        self._template_tags = False
        self._enabled = True
        self._view: QPlainTextEdit | None = None

        self._states: list[State] = []
        self._state_ids: dict[State, int] = {}
        self._pending = BlockRanges()
        self._block_count = document.blockCount()
        self._applying = False

        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_slice)
        # QTextDocument emits contentsChange only once it has a layout, and it
        # creates the layout on first request.
        document.documentLayout()
        document.contentsChange.connect(self._on_contents_change)
        self.rehighlight()

    def document(self) -> QTextDocument:
        return self._document

    def language(self) -> str:
        return self._language

    def set_language(self, language: str) -> None:
        """Lex as "json", "xml" or "text" from now on, and highlight everything again.

        Raises ValueError for any other language.
        """
        check_language(language)
        if language == self._language:
            return
        self._language = language
        self._block_lexer = make_block_lexer(language)
        self.rehighlight()

    def template_tags(self) -> bool:
        return self._template_tags

    def set_template_tags(self, enabled: bool) -> None:
        """Turn the template tag overlay on or off, and highlight everything again.

        Tags are found on top of the language's tokens and replace their formats.
        A tag left open at the end of a line continues on the next lines.
        """
        if enabled == self._template_tags:
            return
        self._template_tags = enabled
        self.rehighlight()

    def is_enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, enabled: bool) -> None:
        """Highlight, or show plain text with every format removed.

        A view turns highlighting off above its size cap before it sets the text.
        Turning it off costs one pass over the blocks, turning it on queues them all.
        """
        if enabled == self._enabled:
            return
        self._enabled = enabled
        if enabled:
            self.rehighlight()
        else:
            self._pending.clear()
            self._clear_formats()
            self._timer.start()  # emits finished from the event loop

    def attach_view(self, view: QPlainTextEdit | None) -> None:
        """Lex the blocks visible in `view` before the others (None detaches)."""
        if self._view is not None:
            self._view.destroyed.disconnect(self._on_view_destroyed)
        self._view = view
        if view is not None:
            view.destroyed.connect(self._on_view_destroyed)

    def is_idle(self) -> bool:
        """Return True when no block is waiting to be lexed."""
        return not self._pending

    def is_final(self, block_number: int) -> bool:
        """Return True when neither the block nor any block before it waits to be
        lexed, so the block has its final formats."""
        first = self._pending.first()
        return first is None or first > block_number

    def rehighlight(self) -> None:
        """Queue every block of the document to be lexed again."""
        self._pending.clear()
        if self._enabled:
            self._pending.add(0, self._document.blockCount() - 1)
        self._timer.start()

    @Slot(int, int, int)
    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        document = self._document
        count = document.blockCount()
        delta = count - self._block_count
        self._block_count = count
        # Formats set by this highlighter change no text. Qt 6.11 emits no
        # contentsChange for them, and this guard keeps it that way.
        if self._applying or not self._enabled:
            return

        # The edit replaced blocks first..old_last with blocks first..last.
        end_of_text = document.characterCount() - 1
        first = document.findBlock(min(position, end_of_text)).blockNumber()
        last = document.findBlock(min(position + added, end_of_text)).blockNumber()
        self._pending.apply_edit(first, last - delta, delta)

        # The block after the edit is lexed too: its starting state may differ.
        self._pending.add(first, min(last + 1, count - 1))
        self._lex_run(first, last, time.perf_counter() + EDIT_SECONDS, None)
        self._timer.start()

    @Slot()
    def _run_slice(self) -> None:
        deadline = time.perf_counter() + SLICE_SECONDS
        visible = self._visible_blocks()
        if visible is not None:
            self._lex_visible(visible, deadline)

        while self._pending and time.perf_counter() < deadline:
            first = self._pending.first()
            assert first is not None
            self._lex_run(first, None, deadline, visible)

        if not self._pending:
            self._timer.stop()
            self.finished.emit()

    @Slot()
    def _on_view_destroyed(self) -> None:
        self._view = None

    def _visible_blocks(self) -> tuple[int, int] | None:
        """Return the first and last block numbers the attached view shows."""
        view = self._view
        if view is None or not view.isVisible():
            return None
        top = view.cursorForPosition(QPoint(0, 0)).blockNumber()
        bottom_edge = QPoint(0, max(0, view.viewport().height() - 1))
        return top, view.cursorForPosition(bottom_edge).blockNumber()

    def _lex_visible(self, visible: tuple[int, int], deadline: float) -> None:
        top, bottom = visible
        number = self._pending.next_from(top)
        while number is not None and number <= bottom:
            if time.perf_counter() >= deadline:
                return
            self._lex_run(number, bottom, deadline, None)
            number = self._pending.next_from(number)

    def _lex_run(
        self,
        start: int,
        stop: int | None,
        deadline: float,
        visible: tuple[int, int] | None,
    ) -> None:
        """Lex queued blocks from `start` on, in order, while they are queued.

        A block whose end state changed queues the next one. Stops after block
        `stop` (None: no limit) or at `deadline`, but always lexes block `start`.
        `visible` is the view's visible block range, when known.
        """
        document = self._document
        block = document.findBlockByNumber(start)
        if not block.isValid():
            self._pending.discard(start)
            return
        state_id = self._start_state_id(block)
        run_start = block.position()
        last_block = block
        last_number = self._block_count - 1 if stop is None else stop
        number = start
        queued_until = -1
        changed = False

        self._applying = True
        try:
            while block.isValid() and number <= last_number:
                if number > start and time.perf_counter() >= deadline:
                    break
                if number > queued_until:
                    if not changed and number not in self._pending:
                        break
                    queued_until = self._pending.last_of_range(number) or number
                state_id, changed = self._lex_block(block, state_id)
                last_block = block
                block = block.next()
                number += 1

            # The loop lexed blocks start..number - 1.
            self._pending.discard(start, number - 1)
            if changed and number < self._block_count:
                self._pending.add(number, number)
            run_end = last_block.position() + last_block.length()
            self._mark_dirty(run_start, run_end, start, number - 1, visible)
        finally:
            self._applying = False

    def _mark_dirty(
        self,
        start: int,
        end: int,
        first_block: int,
        last_block: int,
        visible: tuple[int, int] | None,
    ) -> None:
        """Make Qt lay out and repaint the characters start..end with new formats.

        `setFormats` only records the change, and the next edit would report it as
        part of the edited range, so every run of changed blocks ends here.
        """
        document = self._document
        offscreen = visible is not None and (
            last_block < visible[0] or first_block > visible[1]
        )
        if not offscreen:
            document.markContentsDirty(start, end - start)
            return

        # The blocks are out of view, so the layout's update and size signals
        # would only repaint the whole viewport for nothing.
        # NOTE: with line wrapping on, a line count changed by a format (a bold
        # glyph wider than a plain one) reaches the scroll bar on a later change.
        layout = document.documentLayout()
        was_blocked = layout.blockSignals(True)
        try:
            document.markContentsDirty(start, end - start)
        finally:
            layout.blockSignals(was_blocked)

    def _start_state_id(self, block: QTextBlock) -> int:
        previous = block.previous()
        user_state = previous.userState() if previous.isValid() else -1
        if user_state >= 0:
            state_id = user_state >> 1
            if self._states[state_id][0] == self._language:
                return state_id
        initial_state = (self._language, self._block_lexer.initial_state, OUTSIDE_TAG)
        return self._intern(initial_state)

    def _lex_block(self, block: QTextBlock, start_id: int) -> tuple[int, bool]:
        """Lex and format one block and store its end state.

        Returns the end state and whether it differs from the one stored before.
        """
        text = block.text()
        start_state = self._states[start_id]
        if len(text) > MAX_BLOCK_LENGTH:
            ranges: list[QTextLayout.FormatRange] = []
            end_state = start_state
        else:
            ranges, end_state = self._format_ranges(text, start_state)
        end_id = self._state_ids.get(end_state)
        if end_id is None:
            end_id = self._intern(end_state)

        old_user_state = block.userState()
        had_formats = old_user_state >= 0 and old_user_state & 1
        if ranges or had_formats:
            block.layout().setFormats(ranges)
        block.setUserState(end_id << 1 | bool(ranges))
        return end_id, old_user_state < 0 or old_user_state >> 1 != end_id

    def _format_ranges(
        self, text: str, state: State
    ) -> tuple[list[QTextLayout.FormatRange], State]:
        language, lexer_state, closer = state
        tokens, lexer_state = self._block_lexer.lex(text, lexer_state)

        ranges: list[_Range] = []
        for start, length, token in tokens:
            text_format = format_for_token(token)
            if text_format is None:
                continue
            end = start + length
            # Merge with the previous range when it has the same format and touches.
            if ranges and ranges[-1][2] is text_format and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end, text_format)
            else:
                ranges.append((start, end, text_format))

        if self._template_tags:
            tags, closer = find_template_tags(text, closer)
            if tags:
                ranges = _cut_out(ranges, tags)
                tag_format = template_format()
                ranges.extend((start, end, tag_format) for start, end in tags)

        invisible = [(index, index + 1) for index in unsafe_positions(text)]
        if invisible:
            ranges = _cut_out(ranges, invisible)
            marked = invisible_format()
            ranges.extend((start, end, marked) for start, end in invisible)
        return _to_format_ranges(text, ranges), (language, lexer_state, closer)

    def _intern(self, state: State) -> int:
        state_id = self._state_ids.get(state)
        if state_id is None:
            state_id = len(self._states)
            self._states.append(state)
            self._state_ids[state] = state_id
            logger.debug("New highlighter state %d: %r", state_id, state)
        return state_id

    def _clear_formats(self) -> None:
        """Remove the formats of every block that has some."""
        self._applying = True
        try:
            block = self._document.firstBlock()
            while block.isValid():
                user_state = block.userState()
                if user_state >= 0 and user_state & 1:
                    block.layout().clearFormats()
                    block.setUserState(user_state & ~1)
                block = block.next()
            self._document.markContentsDirty(0, self._document.characterCount())
        finally:
            self._applying = False


def _cut_out(ranges: list[_Range], holes: list[tuple[int, int]]) -> list[_Range]:
    """Return `ranges` without the parts inside `holes` (sorted, disjoint spans)."""
    result: list[_Range] = []
    first_hole = 0
    for start, end, text_format in ranges:
        while first_hole < len(holes) and holes[first_hole][1] <= start:
            first_hole += 1
        hole = first_hole
        while start < end:
            if hole >= len(holes) or holes[hole][0] >= end:
                result.append((start, end, text_format))
                break
            hole_start, hole_end = holes[hole]
            if hole_start > start:
                result.append((start, hole_start, text_format))
            start = max(start, hole_end)
            hole += 1
    return result


def _to_format_ranges(text: str, ranges: list[_Range]) -> list[QTextLayout.FormatRange]:
    """Convert code point ranges to Qt format ranges, which count UTF-16 units."""
    astral: list[int] = []
    if not text.isascii():
        astral = [match.start() for match in _ASTRAL.finditer(text)]

    format_ranges = []
    for start, end, text_format in ranges:
        if astral:
            # Each character above U+FFFF before a position adds one UTF-16 unit.
            start += bisect.bisect_left(astral, start)
            end += bisect.bisect_left(astral, end)
        format_range = QTextLayout.FormatRange()
        format_range.start = start
        format_range.length = end - start
        format_range.format = text_format
        format_ranges.append(format_range)
    return format_ranges
