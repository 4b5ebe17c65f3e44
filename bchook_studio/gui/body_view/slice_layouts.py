"""The visible part of one line laid out for painting, and a cache of such layouts.

A view lays out only the columns it shows, so a line of ten million characters
costs no more than a short one. QTextLayout counts UTF-16 code units, the view
counts code points; SliceLayout converts between the two.

Controls, format characters and the line and paragraph separators are laid out
as visible marks, one character for one, so offsets do not change. Drawn as
they are, U+2028 ends the laid-out line and hides the rest of it, a lone CR
shows nothing, and the bidirectional controls reorder the line on screen.
"""

import logging
import re
from bisect import bisect_left
from collections import OrderedDict

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextLayout, QTextOption

from bchook_studio.core.unsafe_text import escape_unsafe
from bchook_studio.gui.body_view.line_highlighter import LineColours

logger = logging.getLogger(__name__)

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

_ASCII_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")

MARK_COLOUR = "#b02a37"
MARK_BACKGROUND = "#f8e1e3"
"""Colours of the marks that stand for controls and format characters."""


def control_mark(char: str) -> str:
    """Return the visible character drawn in place of a control or format character.

    A lone CR shows as U+00AB («), the line and paragraph separators as U+00B6
    (a pilcrow), and every other control or format character, the
    bidirectional controls among them, as U+00A4 (¤). Monospace fonts draw
    these Latin-1 characters one column wide, as the view's column arithmetic
    needs: arrows and geometric shapes came from wider fallback fonts. The
    view's tooltip names the character under the mouse.
    """
    if char == "\r":
        return "\u00ab"
    if char in "\u2028\u2029":
        return "\u00b6"
    return "\u00a4"


def drawn_text(text: str) -> str:
    """Return one line's text with each unsafe character replaced by its mark."""
    if text.isascii() and _ASCII_CONTROL.search(text) is None:
        return text
    return escape_unsafe(text, control_mark)


class SliceLayout:
    """Characters `first` to `first + len(text)` of the whole text, laid out."""

    __slots__ = ("_astral", "first", "layout", "text")

    def __init__(
        self,
        text: str,
        first: int,
        column: int,
        font: QFont,
        tab_stop: float,
        colours: LineColours | None,
    ) -> None:
        self.text = text
        self.first = first
        """The offset of the slice's first character in the whole text."""

        drawn = drawn_text(text)

        # Positions of characters above U+FFFF, which take two UTF-16 units.
        self._astral: list[int] = []
        if not drawn.isascii():
            self._astral = [found.start() for found in _ASTRAL.finditer(drawn)]

        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        option.setTabStopDistance(tab_stop)
        self.layout = QTextLayout(drawn, font)
        self.layout.setTextOption(option)
        self.layout.setCacheEnabled(True)
        ranges = [] if colours is None else self._format_ranges(colours, column)
        if drawn is not text:
            ranges += self._mark_ranges(text, drawn)
        if ranges:
            self.layout.setFormats(ranges)
        self.layout.beginLayout()
        line = self.layout.createLine()
        line.setPosition(QPointF(0, 0))
        self.layout.endLayout()

    @property
    def last(self) -> int:
        """The offset just past the slice's last character."""
        return self.first + len(self.text)

    def to_utf16(self, index: int) -> int:
        """Convert a code point index into the slice to a QTextLayout position."""
        if not self._astral:
            return index
        return index + bisect_left(self._astral, index)

    def from_utf16(self, position: int) -> int:
        """Convert a QTextLayout position to a code point index into the slice."""
        if not self._astral:
            return position
        index = position
        # Each astral character before the index took one extra unit.
        while index > 0 and index + bisect_left(self._astral, index) > position:
            index -= 1
        return index

    def offset_at_x(self, x: float) -> int:
        """Return the text offset of the cursor position nearest to `x`."""
        position = self.layout.lineAt(0).xToCursor(x)
        return self.first + self.from_utf16(position)

    def x_of(self, offset: int) -> float:
        """Return the x of the cursor position before the character at `offset`."""
        index = min(max(offset - self.first, 0), len(self.text))
        x, _line = self.layout.lineAt(0).cursorToX(self.to_utf16(index))
        return x

    def width(self) -> float:
        return self.layout.lineAt(0).naturalTextWidth()

    def _mark_ranges(self, text: str, drawn: str) -> list[QTextLayout.FormatRange]:
        """Return formats that set the marks apart from the text around them."""
        mark_format = QTextCharFormat()
        mark_format.setForeground(QColor(MARK_COLOUR))
        mark_format.setBackground(QColor(MARK_BACKGROUND))
        ranges = []
        for index, (original, mark) in enumerate(zip(text, drawn, strict=True)):
            if original == mark:
                continue
            mark_range = QTextLayout.FormatRange()
            mark_range.start = self.to_utf16(index)
            mark_range.length = 1
            mark_range.format = mark_format
            ranges.append(mark_range)
        return ranges

    def _format_ranges(
        self, colours: LineColours, column: int
    ) -> list[QTextLayout.FormatRange]:
        ranges = []
        last_column = column + len(self.text)
        for start, end, text_format in colours.ranges_between(column, last_column):
            format_range = QTextLayout.FormatRange()
            format_range.start = self.to_utf16(start - column)
            format_range.length = self.to_utf16(end - column) - format_range.start
            format_range.format = text_format
            ranges.append(format_range)
        return ranges


class SliceLayoutCache:
    """The most recently used slice layouts, keyed by line, extent and colours."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._layouts: OrderedDict[tuple[object, ...], SliceLayout] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> SliceLayout | None:
        layout = self._layouts.get(key)
        if layout is not None:
            self._layouts.move_to_end(key)
        return layout

    def put(self, key: tuple[object, ...], layout: SliceLayout) -> None:
        self._layouts[key] = layout
        while len(self._layouts) > self._size:
            self._layouts.popitem(last=False)

    def clear(self) -> None:
        self._layouts.clear()
