"""A read-only text view that lays out and paints only the lines and columns shown.

QPlainTextEdit lays out its whole document. With PySide6 6.11, offscreen on a
2-core x86-64 VM, setPlainText of 5 MB blocked the GUI for about 0.9 s and one
line of 2 MB for 0.75 s. Filling 18 MB in slices of 20,000 lines took 55 to
100 ms per slice, growing with the document. This view keeps the text as one
Python string
with a LineIndex. A paint lays out, with QTextLayout, the visible columns of
each visible line, so its cost does not depend on the size of the text or the
length of a line. Scrolling counts whole lines down and columns across.

It selects with the mouse (drag, Shift+click, double-click for a word) and the
keyboard (the platform's standard move and select keys), copies with Ctrl+C,
selects all with Ctrl+A, and finds with Ctrl+F, F3 and Shift+F3.
"""

import logging
import math
import time
import unicodedata
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QFontMetricsF,
    QGuiApplication,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import QAbstractScrollArea, QMenu, QToolTip, QWidget

from bchook_studio.core.content_types import TEXT
from bchook_studio.core.line_index import LineIndex
from bchook_studio.core.text_search import TextSearch
from bchook_studio.core.unsafe_text import is_unsafe
from bchook_studio.gui.body_view.find_bar import FindBar
from bchook_studio.gui.body_view.line_highlighter import LineHighlighter
from bchook_studio.gui.body_view.navigation import TextNavigator
from bchook_studio.gui.body_view.slice_layouts import SliceLayout, SliceLayoutCache
from bchook_studio.gui.editor import theme
from bchook_studio.gui.placeholders import fill

logger = logging.getLogger(__name__)

TEXT_MARGIN = 4
"""Pixels between the gutter and the text."""

TAB_STOP_COLUMNS = 4

# Colouring done inside a paint; the highlighter's timer does the rest.
_PAINT_COLOUR_SECONDS = 0.008

# Searching done per timer slice.
_SEARCH_SECONDS = 0.005

# Line indexing done per timer slice, in chunks of about 2 ms each.
_INDEX_SECONDS = 0.005
_INDEX_CHUNK = 256 * 1024

# Characters laid out past the right edge, for glyphs narrower than a column.
# NOTE: every character is taken as one column wide. Text scrolled sideways
# starts at column * width, so wide (East Asian) glyphs and tabs before the
# first visible column shift what follows. The slice itself is laid out right.
_EXTRA_COLUMNS = 16

_LAYOUT_CACHE_SIZE = 600
_DRAG_SCROLL_MS = 50
_NUMBER_MARGIN = 6

_StandardKey = QKeySequence.StandardKey


class BodyView(QAbstractScrollArea):
    """A read-only, selectable, searchable view of one text, coloured by language."""

    screen_ready = Signal()
    """Emitted once per `set_text`, after the first paint that drew every visible
    line with its final colours (or plain, for plain text)."""

    highlighting_finished = Signal()
    """Emitted from the event loop when the visible lines have their final colours."""

    search_finished = Signal(bool)
    """Emitted when a search ends: True when it found and selected a match."""

    index_completed = Signal()
    """Emitted from the event loop when the last line of a text given with a
    partial LineIndex is indexed (see `set_text`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._complete = True
        self._lines = LineIndex.of("")
        self._navigator = TextNavigator(self._text, self._lines)
        self._anchor = 0
        self._cursor = 0
        self._goal_column: int | None = None
        self._screen_reported = False
        self._layouts = SliceLayoutCache(_LAYOUT_CACHE_SIZE)
        self._line_height = 1
        self._column_width = 1.0

        self.highlighter = LineHighlighter(self)
        self._gutter = _Gutter(self)
        self._find_bar = FindBar(self)
        self._find_bar.hide()
        self._search: TextSearch | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setInterval(0)
        self._drag_timer = QTimer(self)
        self._drag_timer.setInterval(_DRAG_SCROLL_MS)
        self._index_timer = QTimer(self)
        self._index_timer.setInterval(0)
        self._drag_position: QPoint | None = None
        self._waiting_for_line: tuple[int, Callable[[], None]] | None = None
        """A line not indexed yet and the action to run once it is."""

        self._selection_format = QTextCharFormat()
        self._selection_format.setBackground(theme.SELECTION)
        self._selection_format.setForeground(theme.FOREGROUND)

        self.setFont(theme.editor_font())
        self._apply_palette()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)

        self.highlighter.changed.connect(self._on_colours_changed)
        self.highlighter.finished.connect(self._on_highlighting_finished)
        self._search_timer.timeout.connect(self._continue_search)
        self._drag_timer.timeout.connect(self._on_drag_timer)
        self._index_timer.timeout.connect(self._extend_index)
        self._find_bar.search_edited.connect(self._on_search_edited)
        self._find_bar.next_requested.connect(self.find_next)
        self._find_bar.previous_requested.connect(self.find_previous)
        self._find_bar.closed.connect(self.close_find_bar)
        self.verticalScrollBar().valueChanged.connect(self._gutter.update)
        self._apply_font_metrics()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every user-visible string again, in the current language."""
        self._gutter.setAccessibleName(self.tr("Line numbers"))
        self._find_bar.retranslate_ui()

    # Text

    def set_text(
        self,
        text: str,
        lines: LineIndex | None = None,
        language: str = TEXT,
        *,
        complete: bool = True,
    ) -> None:
        """Show `text`, coloured as "json", "xml" or "text" (no colours).

        `lines` is the text's LineIndex when the caller has built it already,
        for example in a worker process. A partial index is completed in time
        slices, and lines not indexed yet stay blank until then. The view
        scrolls to the top and the selection is cleared. `complete` is False
        when `text` is only the start of a longer body, so a failed Find reports
        that it searched only the part shown.
        """
        self._stop_search()
        self._stop_waiting()
        self._complete = complete
        self._text = text
        self._lines = lines if lines is not None else LineIndex.partial(text)
        self._navigator = TextNavigator(self._text, self._lines)
        self._anchor = self._cursor = 0
        self._goal_column = None
        self._layouts.clear()
        self._screen_reported = False
        self.highlighter.set_text(text, self._lines, language)
        self._update_gutter_width()
        self._update_scroll_ranges()
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self.viewport().update()
        self._gutter.update()
        if self._lines.is_complete():
            self._index_timer.stop()
        else:
            self._index_timer.start()

    def set_language(self, language: str) -> None:
        """Colour the current text as "json", "xml" or "text" from now on."""
        if language != self.highlighter.language():
            self._layouts.clear()
            self._screen_reported = False
            self.highlighter.set_text(self._text, self._lines, language)
            self.viewport().update()

    def text(self) -> str:
        return self._text

    def toPlainText(self) -> str:  # noqa: N802 - QPlainTextEdit's name
        """Return the whole text, as QPlainTextEdit.toPlainText does."""
        return self._text

    def language(self) -> str:
        return self.highlighter.language()

    def line_count(self) -> int:
        return self._lines.line_count

    def line_index(self) -> LineIndex:
        return self._lines

    # Selection and clipboard

    def cursor_position(self) -> int:
        """Return the cursor's offset in code points."""
        return self._cursor

    def selection(self) -> tuple[int, int]:
        """Return the start and end offsets of the selection (equal when empty)."""
        return min(self._anchor, self._cursor), max(self._anchor, self._cursor)

    def has_selection(self) -> bool:
        return self._anchor != self._cursor

    def selected_text(self) -> str:
        start, end = self.selection()
        return self._text[start:end]

    def select(self, start: int, end: int) -> None:
        """Select offsets start..end, with the cursor at `end`, and scroll to it.

        A selection within one line, such as a find match, also has its start
        scrolled into view. A match left of the view then shows in full.
        """
        self._stop_waiting()
        self._anchor = self._navigator.clamp(start)
        self._cursor = self._navigator.clamp(end)
        self._goal_column = None
        self.ensure_visible(self._cursor)
        if self._lines.line_at(self._anchor) == self._lines.line_at(self._cursor):
            self.ensure_visible(min(self._anchor, self._cursor))
        self.viewport().update()

    def select_all(self) -> None:
        self._stop_waiting()
        self._anchor = 0
        # The end of the last line is the end of the text, which needs no index.
        self._cursor = len(self._text)
        self.viewport().update()

    def copy(self) -> None:
        """Put the selected text on the clipboard; nothing happens without one."""
        if self.has_selection():
            QGuiApplication.clipboard().setText(self.selected_text())

    # Scrolling

    def first_visible_line(self) -> int:
        return self.verticalScrollBar().value()

    def last_visible_line(self) -> int:
        last = self.first_visible_line() + self._visible_line_count() - 1
        return min(last, self._lines.line_count - 1)

    def ensure_visible(self, offset: int) -> None:
        """Scroll the least needed to show the character at `offset`."""
        line = self._lines.line_at(offset)
        first = self.first_visible_line()
        full = self._full_line_count()
        if line < first:
            self.verticalScrollBar().setValue(line)
        elif line >= first + full:
            self.verticalScrollBar().setValue(line - full + 1)

        column = offset - self._lines.start(line)
        left = self.horizontalScrollBar().value()
        columns = self._visible_column_count()
        margin = min(8, columns // 4)
        if column < left:
            self.horizontalScrollBar().setValue(max(0, column - margin))
        elif column >= left + columns - 1:
            self.horizontalScrollBar().setValue(column - columns + 1 + margin)

    # Find

    def find_bar(self) -> FindBar:
        return self._find_bar

    def open_find_bar(self) -> None:
        """Show the find bar, filled in with the selection when it is short."""
        start, end = self.selection()
        selected = self._text[start:end] if end - start <= 200 else ""
        self._find_bar.open(selected if "\n" not in selected else None)
        self._place_find_bar()

    @Slot()
    def close_find_bar(self) -> None:
        self._stop_search()
        self._find_bar.hide()
        self._place_find_bar()
        self.setFocus()

    def find(
        self,
        needle: str,
        *,
        backward: bool = False,
        match_case: bool = False,
        from_selection_start: bool = False,
    ) -> None:
        """Start searching for `needle` after the selection (before it when
        `backward`), wrapping around; `search_finished` reports the result.

        With `from_selection_start` a forward search starts at the selection's
        start, so typing more letters keeps the current match when it still fits.
        """
        self._stop_search()
        self._stop_waiting()
        if not needle:
            self._find_bar.clear_status()
            return
        start, end = self.selection()
        origin = start if backward or from_selection_start else end
        self._search = TextSearch(
            self._text, needle, origin, backward=backward, match_case=match_case
        )
        self._find_bar.show_searching()
        self._search_timer.start()

    @Slot()
    def find_next(self) -> None:
        needle = self._find_bar.needle()
        if not needle and not self._find_bar.isVisible():
            self.open_find_bar()
            return
        self.find(needle, match_case=self._find_bar.match_case())

    @Slot()
    def find_previous(self) -> None:
        needle = self._find_bar.needle()
        if not needle and not self._find_bar.isVisible():
            self.open_find_bar()
            return
        self.find(needle, backward=True, match_case=self._find_bar.match_case())

    @Slot()
    def _on_search_edited(self) -> None:
        self.find(
            self._find_bar.needle(),
            match_case=self._find_bar.match_case(),
            from_selection_start=True,
        )

    @Slot()
    def _continue_search(self) -> None:
        search = self._search
        if search is None:
            self._search_timer.stop()
            return
        if not search.step(_SEARCH_SECONDS):
            return

        self._search_timer.stop()
        self._search = None
        if search.match is not None:
            self.select(*search.match)
        self._find_bar.show_result(
            search.match is not None, search.wrapped, searched_all=self._complete
        )
        self.search_finished.emit(search.match is not None)

    def _stop_search(self) -> None:
        self._search_timer.stop()
        self._search = None

    # Painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), theme.BACKGROUND)
        first = self.first_visible_line()
        last = self.last_visible_line()
        self.highlighter.show_lines(first, last)
        self.highlighter.colour_visible_lines(_PAINT_COLOUR_SECONDS)

        selection_start, selection_end = self.selection()
        show_cursor = self.hasFocus() and not self.has_selection()
        # Lines past the indexed ones stay blank until _extend_index gets there.
        last_indexed = min(last, self._lines.indexed_lines - 1)
        for line in range(first, last_indexed + 1):
            top = (line - first) * self._line_height
            if top > event.rect().bottom():
                break
            if top + self._line_height < event.rect().top():
                continue
            piece = self._slice(line)
            origin = QPointF(TEXT_MARGIN, top)
            selections = self._selection_ranges(piece, selection_start, selection_end)
            piece.layout.draw(painter, origin, selections)
            self._paint_line_break_selection(
                painter, line, piece, top, selection_start, selection_end
            )
            if show_cursor and piece.first <= self._cursor <= piece.last:
                painter.setPen(theme.FOREGROUND)
                cursor_index = piece.to_utf16(self._cursor - piece.first)
                piece.layout.drawCursor(painter, origin, cursor_index, 1)
        painter.end()

        if not self._screen_reported and self.highlighter.visible_lines_final():
            self._screen_reported = True
            self.screen_ready.emit()

    def _slice(self, line: int) -> SliceLayout:
        """Return the layout of the visible columns of `line`, from the cache."""
        start = self._lines.start(line)
        end = self._navigator.line_end(line)
        column = self.horizontalScrollBar().value()
        first = min(start + column, end)
        last = min(first + self._visible_column_count() + _EXTRA_COLUMNS, end)
        colours = self.highlighter.colours(line)
        key = (line, first, last, colours)
        piece = self._layouts.get(key)
        if piece is None:
            piece = SliceLayout(
                self._text[first:last],
                first,
                first - start,
                self.font(),
                self._column_width * TAB_STOP_COLUMNS,
                colours,
            )
            self._layouts.put(key, piece)
        return piece

    def _selection_ranges(
        self, piece: SliceLayout, start: int, end: int
    ) -> list[QTextLayout.FormatRange]:
        first = max(start, piece.first)
        last = min(end, piece.last)
        if first >= last:
            return []
        selection = QTextLayout.FormatRange()
        selection.start = piece.to_utf16(first - piece.first)
        selection.length = piece.to_utf16(last - piece.first) - selection.start
        selection.format = self._selection_format
        return [selection]

    def _paint_line_break_selection(
        self,
        painter: QPainter,
        line: int,
        piece: SliceLayout,
        top: int,
        start: int,
        end: int,
    ) -> None:
        """Mark a selected line break with one selected column after the text."""
        line_end = self._navigator.line_end(line)
        if piece.last != line_end or line + 1 >= self._lines.line_count:
            return
        if not start <= line_end < end:
            return
        x = TEXT_MARGIN + piece.width()
        rectangle = QRectF(x, top, self._column_width, self._line_height)
        painter.fillRect(rectangle, theme.SELECTION)

    @Slot()
    def _on_colours_changed(self) -> None:
        self.viewport().update()

    @Slot()
    def _on_highlighting_finished(self) -> None:
        # Colours can become final without changing, when the state a line was
        # lexed from turns out right. One more paint then reports the screen.
        if not self._screen_reported:
            self.viewport().update()
        self.highlighting_finished.emit()

    @Slot()
    def _extend_index(self) -> None:
        """Index more lines for up to _INDEX_SECONDS, then repaint if they show."""
        lines = self._lines
        was_visible = lines.indexed_lines <= self.last_visible_line()
        deadline = time.perf_counter() + _INDEX_SECONDS
        while not lines.is_complete() and time.perf_counter() < deadline:
            lines.extend(_INDEX_CHUNK)

        self._update_scroll_ranges()
        if was_visible:
            self.highlighter.lines_indexed()
            self.viewport().update()
        if self._waiting_for_line is not None:
            line, action = self._waiting_for_line
            if line < lines.indexed_lines:
                self._stop_waiting()
                action()
        if lines.is_complete():
            self._index_timer.stop()
            self.index_completed.emit()

    def _when_indexed(self, line: int, action: Callable[[], None]) -> None:
        """Run `action` now when `line` is indexed, else once indexing reaches it.

        Indexing the rest of a text of millions of lines at once stalled the
        window for about half a second, so a jump past the indexed lines waits
        for the slices of `_extend_index` instead. A later call replaces an
        action still waiting.
        """
        if line < self._lines.indexed_lines or self._lines.is_complete():
            self._stop_waiting()
            action()
            return
        self._waiting_for_line = (line, action)
        self.viewport().setCursor(Qt.CursorShape.BusyCursor)
        self._index_timer.start()

    def _stop_waiting(self) -> None:
        if self._waiting_for_line is not None:
            self._waiting_for_line = None
            self.viewport().setCursor(Qt.CursorShape.IBeamCursor)

    # Gutter

    def gutter_width(self) -> int:
        digits = max(3, len(str(self._lines.line_count)))
        number_width = math.ceil(self._column_width * digits)
        return _NUMBER_MARGIN + number_width + _NUMBER_MARGIN

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(gutter)
        painter.fillRect(event.rect(), theme.GUTTER_BACKGROUND)
        painter.setPen(theme.GUTTER_BORDER)
        right = gutter.width() - 1
        painter.drawLine(right, event.rect().top(), right, event.rect().bottom())
        painter.setFont(self.font())
        painter.setPen(theme.GUTTER_NUMBER)
        first = self.first_visible_line()
        number_width = gutter.width() - 2 * _NUMBER_MARGIN
        for line in range(first, self.last_visible_line() + 1):
            top = (line - first) * self._line_height
            painter.drawText(
                QRectF(_NUMBER_MARGIN, top, number_width, self._line_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(line + 1),
            )
        painter.end()

    def _update_gutter_width(self) -> None:
        bottom = self._find_bar.sizeHint().height() if self._find_bar.isVisible() else 0
        self.setViewportMargins(self.gutter_width(), 0, 0, bottom)
        self._place_gutter()

    def _place_gutter(self) -> None:
        viewport = self.viewport().geometry()
        self._gutter.setGeometry(
            viewport.left() - self.gutter_width(),
            viewport.top(),
            self.gutter_width(),
            viewport.height(),
        )

    def _place_find_bar(self) -> None:
        self._update_gutter_width()
        self._update_scroll_ranges()
        if not self._find_bar.isVisible():
            return
        viewport = self.viewport().geometry()
        left = viewport.left() - self.gutter_width()
        self._find_bar.setGeometry(
            left,
            viewport.bottom() + 1,
            viewport.width() + self.gutter_width(),
            self._find_bar.sizeHint().height(),
        )

    # Geometry

    def _visible_line_count(self) -> int:
        """Lines that touch the viewport, the last one possibly cut off."""
        return max(1, math.ceil(self.viewport().height() / self._line_height))

    def _full_line_count(self) -> int:
        """Lines that fit whole in the viewport."""
        return max(1, self.viewport().height() // self._line_height)

    def _visible_column_count(self) -> int:
        width = self.viewport().width() - TEXT_MARGIN
        return max(1, math.ceil(width / self._column_width))

    def _update_scroll_ranges(self) -> None:
        lines = self._full_line_count()
        vertical = self.verticalScrollBar()
        vertical.setRange(0, max(0, self._lines.line_count - lines))
        vertical.setPageStep(lines)
        vertical.setSingleStep(1)

        columns = self._visible_column_count()
        horizontal = self.horizontalScrollBar()
        horizontal.setRange(0, max(0, self._lines.max_length + 2 - columns))
        horizontal.setPageStep(columns)
        horizontal.setSingleStep(2)

    def _line_at_y(self, y: int) -> int:
        """Return the line drawn at a y coordinate of the viewport."""
        line = self.first_visible_line() + math.floor(y / self._line_height)
        return min(max(line, 0), self._lines.line_count - 1)

    def _is_indexed_offset(self, offset: int) -> bool:
        """True when the line that contains `offset` is indexed."""
        lines = self._lines
        return lines.is_complete() or offset < lines.starts[-1]

    def _is_indexed_at(self, position: QPoint) -> bool:
        """True when the line drawn at a point of the viewport is indexed."""
        return self._lines.is_complete() or (
            self._line_at_y(position.y()) < self._lines.indexed_lines
        )

    def _offset_at(self, position: QPoint) -> int:
        """Return the text offset nearest to a point of the viewport."""
        line = self._line_at_y(position.y())
        piece = self._slice(line)
        return piece.offset_at_x(position.x() - TEXT_MARGIN)

    def _character_at(self, position: QPoint) -> int | None:
        """Return the offset of the character drawn at a point of the viewport."""
        row = math.floor(position.y() / self._line_height)
        line = self.first_visible_line() + row
        if row < 0 or line >= self._lines.line_count:
            return None
        piece = self._slice(line)
        x = position.x() - TEXT_MARGIN
        offset = piece.offset_at_x(x)
        for candidate in (offset, offset - 1):
            inside = piece.first <= candidate < piece.last
            if inside and piece.x_of(candidate) <= x < piece.x_of(candidate + 1):
                return candidate
        return None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            self._show_mark_tooltip(event)
            return True
        return super().viewportEvent(event)

    def _show_mark_tooltip(self, event: QHelpEvent) -> None:
        """Name the control or format character under the mouse, if any."""
        offset = self._character_at(event.pos())
        char = self._text[offset] if offset is not None else ""
        if not char or char == "\t" or not is_unsafe(char):
            QToolTip.hideText()
            return
        name = unicodedata.name(char, "") or self.tr("a control character")
        text = fill(
            self.tr(
                "U+%1 %2, shown as a mark. Copy and Save body… keep the character."
            ),
            f"{ord(char):04X}",
            name,
        )
        QToolTip.showText(event.globalPos(), text, self.viewport())

    def _apply_palette(self) -> None:
        palette = self.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Base, theme.BACKGROUND)
            palette.setColor(group, QPalette.ColorRole.Text, theme.FOREGROUND)
        self.setPalette(palette)

    def _apply_font_metrics(self) -> None:
        metrics = QFontMetricsF(self.font())
        self._line_height = max(1, math.ceil(metrics.height()))
        self._column_width = max(1.0, metrics.horizontalAdvance("0"))
        self._layouts.clear()
        self._update_gutter_width()
        self._update_scroll_ranges()

    # Keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(_StandardKey.Copy):
            self.copy()
        elif event.matches(_StandardKey.SelectAll):
            self.select_all()
        elif event.matches(_StandardKey.Find):
            self.open_find_bar()
        elif event.matches(_StandardKey.FindNext):
            self.find_next()
        elif event.matches(_StandardKey.FindPrevious):
            self.find_previous()
        elif event.key() == Qt.Key.Key_Escape and self._find_bar.isVisible():
            self.close_find_bar()
        elif not self._move_for_key(event):
            super().keyPressEvent(event)

    def _move_for_key(self, event: QKeyEvent) -> bool:
        """Move the cursor for a standard move or select key; False for others."""
        for move_key, select_key, target, vertical in self._moves():
            keep_anchor = event.matches(select_key)
            if not (keep_anchor or event.matches(move_key)):
                continue

            def move(target=target, keep_anchor=keep_anchor, vertical=vertical):
                self._move_cursor(target(), keep_anchor=keep_anchor, vertical=vertical)

            to_end = event.matches(_StandardKey.MoveToEndOfDocument) or event.matches(
                _StandardKey.SelectEndOfDocument
            )
            if to_end or not self._is_indexed_offset(self._cursor):
                # The move needs the lines up to the end of the text, or around
                # a cursor past the indexed ones, as after Select All.
                self._when_indexed(self._lines.line_count - 1, move)
            else:
                # A later key wins over a jump still waiting for the index.
                self._stop_waiting()
                move()
            return True
        return False

    def _moves(
        self,
    ) -> list[tuple[_StandardKey, _StandardKey, Callable[[], int], bool]]:
        """Return (move key, select key, target, whether vertical) for each move."""
        navigator = self._navigator
        cursor = self._cursor
        page = self._full_line_count()
        keys = _StandardKey
        return [
            (
                keys.MoveToNextChar,
                keys.SelectNextChar,
                lambda: navigator.next_char(cursor),
                False,
            ),
            (
                keys.MoveToPreviousChar,
                keys.SelectPreviousChar,
                lambda: navigator.previous_char(cursor),
                False,
            ),
            (
                keys.MoveToNextWord,
                keys.SelectNextWord,
                lambda: navigator.next_word(cursor),
                False,
            ),
            (
                keys.MoveToPreviousWord,
                keys.SelectPreviousWord,
                lambda: navigator.previous_word(cursor),
                False,
            ),
            (
                keys.MoveToNextLine,
                keys.SelectNextLine,
                lambda: self._vertical_target(1),
                True,
            ),
            (
                keys.MoveToPreviousLine,
                keys.SelectPreviousLine,
                lambda: self._vertical_target(-1),
                True,
            ),
            (
                keys.MoveToNextPage,
                keys.SelectNextPage,
                lambda: self._vertical_target(page),
                True,
            ),
            (
                keys.MoveToPreviousPage,
                keys.SelectPreviousPage,
                lambda: self._vertical_target(-page),
                True,
            ),
            (
                keys.MoveToStartOfLine,
                keys.SelectStartOfLine,
                lambda: navigator.line_start(cursor),
                False,
            ),
            (
                keys.MoveToEndOfLine,
                keys.SelectEndOfLine,
                lambda: navigator.line_end_of(cursor),
                False,
            ),
            (
                keys.MoveToStartOfDocument,
                keys.SelectStartOfDocument,
                lambda: 0,
                False,
            ),
            (
                keys.MoveToEndOfDocument,
                keys.SelectEndOfDocument,
                navigator.document_end,
                False,
            ),
        ]

    def _vertical_target(self, count: int) -> int:
        """Return the offset `count` lines away, in the column of the last
        horizontal move (or of the cursor) as far as the line reaches."""
        if self._goal_column is None:
            self._goal_column = self._navigator.column(self._cursor)
        return self._navigator.move_lines(self._cursor, count, self._goal_column)

    def _move_cursor(self, offset: int, *, keep_anchor: bool, vertical: bool) -> None:
        self._cursor = offset
        if not keep_anchor:
            self._anchor = offset
        if not vertical:
            self._goal_column = None
        self.ensure_visible(offset)
        self.viewport().update()

    # Mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        position = event.position().toPoint()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)

        def place_cursor() -> None:
            offset = self._offset_at(position)
            self._cursor = offset
            if not shift:
                self._anchor = offset
            self._goal_column = None
            self.viewport().update()

        self._drag_position = position
        self._when_indexed(self._line_at_y(position.y()), place_cursor)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        position = event.position().toPoint()
        self._drag_position = None
        if not self._is_indexed_at(position):
            return
        offset = self._offset_at(position)
        self._anchor, self._cursor = self._navigator.word_at(offset)
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_position is None or not (
            event.buttons() & Qt.MouseButton.LeftButton
        ):
            super().mouseMoveEvent(event)
            return
        self._drag_position = event.position().toPoint()
        if self._is_indexed_at(self._drag_position):
            self._cursor = self._offset_at(self._drag_position)
        if self.viewport().rect().contains(self._drag_position):
            self._drag_timer.stop()
        elif not self._drag_timer.isActive():
            self._drag_timer.start()
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._drag_position = None
        self._drag_timer.stop()

    @Slot()
    def _on_drag_timer(self) -> None:
        """Scroll towards the mouse while a drag keeps it outside the viewport."""
        position = self._drag_position
        if position is None:
            self._drag_timer.stop()
            return
        area = self.viewport().rect()
        vertical = self.verticalScrollBar()
        horizontal = self.horizontalScrollBar()
        if position.y() < area.top():
            vertical.setValue(vertical.value() - 1 - (area.top() - position.y()) // 20)
        elif position.y() > area.bottom():
            step = 1 + (position.y() - area.bottom()) // 20
            vertical.setValue(vertical.value() + step)
        if position.x() < area.left():
            horizontal.setValue(horizontal.value() - 4)
        elif position.x() > area.right():
            horizontal.setValue(horizontal.value() + 4)
        clamped = QPoint(
            min(max(position.x(), area.left()), area.right()),
            min(max(position.y(), area.top()), area.bottom()),
        )
        if self._is_indexed_at(clamped):
            self._cursor = self._offset_at(clamped)
        self.viewport().update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        copy_action = menu.addAction(self.tr("Copy"), self.copy)
        copy_action.setShortcut(QKeySequence(_StandardKey.Copy))
        copy_action.setEnabled(self.has_selection())
        select_action = menu.addAction(self.tr("Select All"), self.select_all)
        select_action.setShortcut(QKeySequence(_StandardKey.SelectAll))
        find_action = menu.addAction(self.tr("Find…"), self.open_find_bar)
        find_action.setShortcut(QKeySequence(_StandardKey.Find))
        menu.exec(event.globalPos())
        menu.deleteLater()

    # Qt overrides

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scroll_ranges()
        self._place_find_bar()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt name
        self.viewport().update()
        self._gutter.update()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_font_metrics()
        elif event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()


class _Gutter(QWidget):
    """The line numbers on the left of a BodyView, which paints them."""

    def __init__(self, view: BodyView) -> None:
        super().__init__(view)
        self._view = view

    def paintEvent(self, event: QPaintEvent) -> None:
        self._view.paint_gutter(self, event)
