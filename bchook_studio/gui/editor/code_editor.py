"""The code editor: a plain text editor with line numbers, highlighting and problems."""

import logging
import unicodedata
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, QRectF, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from bchook_studio.core.unsafe_text import BIDI_CONTROLS, unsafe_positions
from bchook_studio.gui.editor import theme
from bchook_studio.gui.editor.gutter import LineNumberArea
from bchook_studio.gui.editor.highlighter import IncrementalHighlighter
from bchook_studio.gui.editor.problems import Problem
from bchook_studio.gui.placeholders import fill

logger = logging.getLogger(__name__)

INDENT = "  "
TAB_STOP_COLUMNS = 4

# Gutter layout in pixels: the problem marker's column, then the numbers.
_MARKER_MARGIN = 4
_NUMBER_MARGIN = 6


def raw_plain_text(editor: QPlainTextEdit) -> str:
    """Return the text of `editor` with no-break spaces and U+2028 kept.

    See `CodeEditor.toPlainText`.
    """
    return editor.document().toRawText().replace("\u2029", "\n")


def escape_paragraph_separators(text: str, language: str) -> str:
    """Return JSON or XML text with each U+2029 written as an escape.

    The editor would turn the character into a line break, which changes a
    JSON string. Text that Hook Studio wrote from a parsed document has the
    character only inside strings, text and attribute values, where `\\u2029`
    (JSON) and `&#x2029;` (XML) mean the same. Other text is returned as it is.
    """
    if "\u2029" not in text:
        return text
    if language == "json":
        return text.replace("\u2029", "\\u2029")
    if language == "xml":
        return text.replace("\u2029", "&#x2029;")
    return text


class CodeEditor(QPlainTextEdit):
    """A monospace text editor with a line-number gutter and incremental highlighting.

    `set_text` loads text without making it a user edit. The Tab key inserts two
    spaces, or indents the selected lines by two. Shift+Tab removes up to two
    spaces from the start of each selected line. Undo and redo are Qt's.
    """

    text_edited = Signal()
    """Emitted on every change of the text except those made by `set_text` and
    `replace_text_undoably`: typing, pasting, undo and redo. Not debounced."""

    paragraph_separators_replaced = Signal(int)
    """Emitted with their count when text set or pasted contained U+2029
    PARAGRAPH SEPARATOR characters. The document keeps text as lines, so each
    became a line break."""

    def __init__(
        self, parent: QWidget | None = None, *, read_only: bool = False
    ) -> None:
        super().__init__(parent)
        self._setting_text = False
        self._problems: tuple[Problem, ...] = ()
        self._problems_by_line: dict[int, list[Problem]] = {}

        self.highlighter = IncrementalHighlighter(self.document(), self)
        self.highlighter.attach_view(self)
        self._gutter = LineNumberArea(self)

        self.setFont(theme.editor_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._apply_palette()
        self._apply_font_metrics()
        self.setReadOnly(read_only)
        if read_only:
            # Tab moves the focus on, because it cannot indent.
            self.setTabChangesFocus(True)
            self.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.TextSelectableByKeyboard
            )

        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self._on_cursor_position_changed)
        self.textChanged.connect(self._on_text_changed)
        self._update_gutter_width()
        self._update_extra_selections()
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        """Set every user-visible string again, in the current language."""
        self._gutter.setAccessibleName(self.tr("Line numbers"))

    # Text

    def toPlainText(self) -> str:  # noqa: N802 - QPlainTextEdit's name
        """Return the text as it was set or typed, line breaks as LF.

        QTextDocument.toPlainText turns each no-break space (U+00A0) into a
        space and each line separator (U+2028) into a line break, so a body
        would not be sent as typed. The raw text keeps both, and separates
        blocks with U+2029, which becomes LF here as in toPlainText.
        """
        return raw_plain_text(self)

    def set_text(self, text: str) -> None:
        """Replace the text without emitting `text_edited`.

        This also clears the undo history and the problems, which belonged to the
        old text.
        """
        self._setting_text = True
        try:
            self.setPlainText(text)
        finally:
            self._setting_text = False
        if self._problems:
            self.set_problems(())
        self._report_paragraph_separators(text)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 - Qt's name
        super().insertFromMimeData(source)
        if source.hasText():
            self._report_paragraph_separators(source.text())

    def _report_paragraph_separators(self, text: str) -> None:
        separators = text.count("\u2029")
        if separators:
            self.paragraph_separators_replaced.emit(separators)

    def replace_span(self, start: int, end: int, text: str) -> None:
        """Replace the characters from `start` to `end` (in UTF-16 code units, as
        Qt counts) with `text`, without emitting `text_edited`.

        For a read-only view that follows a large text: the document, its
        layout and its highlighting change only around the span.
        """
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._setting_text = True
        try:
            cursor.insertText(text)
        finally:
            self._setting_text = False

    def replace_text_undoably(self, text: str) -> None:
        """Replace the whole text as one undo step, without emitting `text_edited`.

        The cursor and the view go to the start, where a new body or event
        begins.
        """
        cursor = QTextCursor(self.document())
        cursor.select(QTextCursor.SelectionType.Document)
        self._setting_text = True
        try:
            cursor.beginEditBlock()
            cursor.insertText(text)
            cursor.endEditBlock()
        finally:
            self._setting_text = False
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        self._report_paragraph_separators(text)

    def set_language(self, language: str) -> None:
        """Highlight the text as "json", "xml" or "text" (else ValueError)."""
        self.highlighter.set_language(language)

    def language(self) -> str:
        return self.highlighter.language()

    def set_wrap(self, enabled: bool) -> None:
        """Wrap long lines at the editor's width, or scroll sideways (the default)."""
        mode = (
            QPlainTextEdit.LineWrapMode.WidgetWidth
            if enabled
            else QPlainTextEdit.LineWrapMode.NoWrap
        )
        self.setLineWrapMode(mode)

    def go_to(self, line: int, column: int | None = None) -> None:
        """Move the cursor to a 1-based line and column and scroll it to the centre.

        Out-of-range values go to the nearest line or the end of the line.
        """
        document = self.document()
        number = min(max(line, 1), document.blockCount()) - 1
        block = document.findBlockByNumber(number)
        cursor = QTextCursor(block)
        if column is not None and column > 1:
            offset = _utf16_length(block.text()[: column - 1])
            cursor.setPosition(block.position() + offset)
        self.setTextCursor(cursor)
        self.centerCursor()

    # Problems

    def set_problems(self, problems: Iterable[Problem]) -> None:
        """Mark each problem's line with a wavy underline and a gutter marker.

        An empty iterable clears the marks. A line past the end marks the last line.
        """
        self._problems = tuple(problems)
        self._problems_by_line = {}
        last_line = self.document().blockCount()
        for problem in self._problems:
            line = min(max(problem.line, 1), last_line)
            self._problems_by_line.setdefault(line, []).append(problem)
        self._update_extra_selections()
        self._gutter.update()

    def problems(self) -> tuple[Problem, ...]:
        return self._problems

    def problem_at_line(self, line: int) -> str | None:
        """Return the tooltip text of the problems on a 1-based line, or None."""
        problems = self._problems_by_line.get(line)
        if not problems:
            return None
        return "\n".join(self._describe(problem) for problem in problems)

    def tooltip_at_y(self, y: int) -> str | None:
        """Return the problem tooltip for a y coordinate of the viewport or gutter."""
        block = self.cursorForPosition(QPoint(0, y)).block()
        geometry = self.blockBoundingGeometry(block).translated(self.contentOffset())
        if not geometry.top() <= y < geometry.bottom():
            return None
        return self.problem_at_line(block.blockNumber() + 1)

    def invisible_character_at(self, point: QPoint) -> str | None:
        """Return a description of the invisible character drawn at a viewport
        point, or None when there is none."""
        cursor = self.cursorForPosition(point)
        block = cursor.block()
        text = block.text()
        positions = unsafe_positions(text)
        if not positions:
            return None

        # Qt counts UTF-16 units. Each character above U+FFFF is two of them.
        unit = cursor.positionInBlock()
        for index in positions:
            start = _utf16_length(text[:index])
            if start <= unit <= start + _utf16_length(text[index]):
                return self._describe_invisible(text[index])
        return None

    def _describe_invisible(self, char: str) -> str:
        name = unicodedata.name(char, "") or self.tr("control character")
        text = fill(
            self.tr("U+%1 %2: an invisible character, sent as it is."),
            f"{ord(char):04X}",
            name,
        )
        if char in BIDI_CONTROLS:
            text += " " + self.tr(
                "It changes the order in which the text around it is displayed."
            )
        return text

    def _describe(self, problem: Problem) -> str:
        if problem.column is None:
            text = self.tr("Line %1: %2")
            return text.replace("%1", str(problem.line)).replace("%2", problem.message)
        text = self.tr("Line %1, column %2: %3")
        text = text.replace("%1", str(problem.line)).replace("%2", str(problem.column))
        return text.replace("%3", problem.message)

    # Gutter

    def gutter(self) -> QWidget:
        """Return the line-number gutter widget."""
        return self._gutter

    def gutter_width(self) -> int:
        """Return the gutter width in pixels for the current number of lines."""
        digits = max(3, len(str(self.blockCount())))
        metrics = self.fontMetrics()
        marker = _marker_size(metrics.height())
        number_width = metrics.horizontalAdvance("9") * digits
        return _MARKER_MARGIN + marker + _NUMBER_MARGIN + number_width + _NUMBER_MARGIN

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Paint the line numbers and problem markers of the visible blocks."""
        painter = QPainter(gutter)
        # drawRect, not fillRect: PySide6 matches fillRect's overloads against
        # QGradient.Preset on first use and builds that type, which cost 2 ms of
        # the window's first paint.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.GUTTER_BACKGROUND)
        painter.drawRect(event.rect())
        # Without antialiasing, so the border stays one crisp pixel wide.
        painter.setPen(theme.GUTTER_BORDER)
        painter.drawLine(
            gutter.width() - 1,
            event.rect().top(),
            gutter.width() - 1,
            event.rect().bottom(),
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

        metrics = self.fontMetrics()
        line_height = metrics.height()
        marker = _marker_size(line_height)
        number_left = _MARKER_MARGIN + marker + _NUMBER_MARGIN
        number_width = gutter.width() - number_left - _NUMBER_MARGIN
        current = self.textCursor().blockNumber()
        bold_font = self.font()
        bold_font.setBold(True)

        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + self.blockBoundingRect(block).height()
            if block.isVisible() and bottom >= event.rect().top():
                is_current = number == current and not self.isReadOnly()
                painter.setFont(bold_font if is_current else self.font())
                painter.setPen(
                    theme.GUTTER_CURRENT_NUMBER if is_current else theme.GUTTER_NUMBER
                )
                painter.drawText(
                    QRectF(number_left, top, number_width, line_height),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    str(number + 1),
                )
                if number + 1 in self._problems_by_line:
                    _paint_marker(painter, top, line_height, marker)
            block = block.next()
            top = bottom
            number += 1
        painter.end()

    @Slot()
    def _update_gutter_width(self) -> None:
        width = self.gutter_width()
        if self.viewportMargins().left() != width:
            self.setViewportMargins(width, 0, 0, 0)
            self._place_gutter()

    def _place_gutter(self) -> None:
        contents = self.contentsRect()
        self._gutter.setGeometry(
            QRect(
                contents.left(), contents.top(), self.gutter_width(), contents.height()
            )
        )

    @Slot(QRect, int)
    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    # Qt overrides

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_gutter()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.isReadOnly():
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if (
                event.key() == Qt.Key.Key_Tab
                and modifiers == Qt.KeyboardModifier.NoModifier
            ):
                self._indent()
                return
            if event.key() == Qt.Key.Key_Backtab:
                self._dedent()
                return
        super().keyPressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.invisible_character_at(event.pos())
            if text is None:
                text = self.tooltip_at_y(event.pos().y())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        elif event.type() == QEvent.Type.FontChange:
            self._apply_font_metrics()
        super().changeEvent(event)

    # Private

    def _apply_palette(self) -> None:
        # The token colours are chosen for a light background, so the editor keeps
        # one under a dark desktop theme.
        palette = self.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Base, theme.BACKGROUND)
            palette.setColor(group, QPalette.ColorRole.Text, theme.FOREGROUND)
            palette.setColor(group, QPalette.ColorRole.Highlight, theme.SELECTION)
            palette.setColor(
                group, QPalette.ColorRole.HighlightedText, theme.FOREGROUND
            )
        self.setPalette(palette)

    def _apply_font_metrics(self) -> None:
        space = self.fontMetrics().horizontalAdvance(" ")
        self.setTabStopDistance(space * TAB_STOP_COLUMNS)
        self._update_gutter_width()

    def _indent(self) -> None:
        cursor = self.textCursor()
        numbers = _selected_block_numbers(cursor)
        if len(numbers) == 1:
            cursor.insertText(INDENT)
            return

        document = self.document()
        cursor.beginEditBlock()
        for number in numbers:
            QTextCursor(document.findBlockByNumber(number)).insertText(INDENT)
        cursor.endEditBlock()

    def _dedent(self) -> None:
        cursor = self.textCursor()
        document = self.document()
        cursor.beginEditBlock()
        for number in _selected_block_numbers(cursor):
            block = document.findBlockByNumber(number)
            text = block.text()
            width = len(text) - len(text.lstrip(" "))
            if width:
                line_cursor = QTextCursor(block)
                line_cursor.setPosition(
                    block.position() + min(width, len(INDENT)),
                    QTextCursor.MoveMode.KeepAnchor,
                )
                line_cursor.removeSelectedText()
        cursor.endEditBlock()

    @Slot()
    def _on_text_changed(self) -> None:
        if not self._setting_text:
            self.text_edited.emit()

    @Slot()
    def _on_cursor_position_changed(self) -> None:
        self._update_extra_selections()
        self._gutter.update()

    def _update_extra_selections(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        if not self.isReadOnly():
            selections.append(_line_selection(self.textCursor(), theme.CURRENT_LINE))
        document = self.document()
        for line, problems in self._problems_by_line.items():
            block = document.findBlockByNumber(line - 1)
            if not block.isValid():  # the text got shorter since set_problems
                continue
            selections.append(_line_selection(QTextCursor(block), theme.PROBLEM_LINE))
            for problem in problems:
                underline = _problem_underline(block, problem.column)
                if underline is not None:
                    selections.append(underline)
        self.setExtraSelections(selections)


def _utf16_length(text: str) -> int:
    """Return the length of `text` in UTF-16 code units, the unit of Qt positions."""
    return len(text.encode("utf-16-le")) // 2


def _selected_block_numbers(cursor: QTextCursor) -> range:
    """Return the numbers of the blocks a selection covers, or the cursor's block.

    A selection ending at the start of a line does not cover that line.
    """
    document = cursor.document()
    first = document.findBlock(cursor.selectionStart())
    last = document.findBlock(cursor.selectionEnd())
    if (
        last.blockNumber() > first.blockNumber()
        and cursor.selectionEnd() == last.position()
    ):
        last = last.previous()
    return range(first.blockNumber(), last.blockNumber() + 1)


def _line_selection(cursor: QTextCursor, color: QColor) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    selection.format.setBackground(color)
    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
    selection.cursor = QTextCursor(cursor)
    selection.cursor.clearSelection()
    return selection


def _problem_underline(
    block: QTextBlock, column: int | None
) -> QTextEdit.ExtraSelection | None:
    """Underline a block from a 1-based column to its end; None when it is empty."""
    text = block.text()
    if not text:
        return None
    start = 0 if column is None else min(max(column, 1), len(text)) - 1
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + _utf16_length(text[:start]))
    cursor.setPosition(
        block.position() + _utf16_length(text), QTextCursor.MoveMode.KeepAnchor
    )

    selection = QTextEdit.ExtraSelection()
    text_format = QTextCharFormat()
    text_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    text_format.setUnderlineColor(theme.PROBLEM)
    selection.format = text_format
    selection.cursor = cursor
    return selection


def _marker_size(line_height: int) -> int:
    return max(6, round(line_height * 0.5))


def _paint_marker(painter: QPainter, top: float, line_height: int, size: int) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.PROBLEM)
    painter.drawEllipse(
        QRectF(_MARKER_MARGIN, top + (line_height - size) / 2, size, size)
    )
