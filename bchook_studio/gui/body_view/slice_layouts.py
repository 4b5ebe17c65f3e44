"""The visible part of one line laid out for painting, and a cache of such layouts.

A view lays out only the columns it shows, so a line of ten million characters
costs no more than a short one. QTextLayout counts UTF-16 code units, the view
counts code points; SliceLayout converts between the two.
"""

import logging
import re
from bisect import bisect_left
from collections import OrderedDict

from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont, QTextLayout, QTextOption

from bchook_studio.gui.body_view.line_highlighter import LineColours

logger = logging.getLogger(__name__)

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


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

        # Positions of characters above U+FFFF, which take two UTF-16 units.
        self._astral: list[int] = []
        if not text.isascii():
            self._astral = [found.start() for found in _ASTRAL.finditer(text)]

        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.NoWrap)
        option.setTabStopDistance(tab_stop)
        self.layout = QTextLayout(text, font)
        self.layout.setTextOption(option)
        self.layout.setCacheEnabled(True)
        if colours is not None:
            self.layout.setFormats(self._format_ranges(colours, column))
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
