"""The code editor widget: text, keys, gutter, problems and navigation."""

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import (
    QFontMetrics,
    QHelpEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication, QToolTip

from bchook_studio.gui.editor import theme
from bchook_studio.gui.editor.code_editor import CodeEditor

WAIT_MS = 10_000


@dataclass(frozen=True)
class Problem:
    line: int
    column: int | None
    message: str


@pytest.fixture
def editor(qtbot):
    widget = CodeEditor()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _wait_idle(qtbot, editor: CodeEditor) -> None:
    if not editor.highlighter.is_idle():
        with qtbot.waitSignal(editor.highlighter.finished, timeout=WAIT_MS):
            pass


def _underlines(editor: CodeEditor) -> list[tuple[int, int, int]]:
    """Return (line, start column, end column) of each wavy underline, 0-based."""
    found = []
    for selection in editor.extraSelections():
        style = selection.format.underlineStyle()
        if style != QTextCharFormat.UnderlineStyle.WaveUnderline:
            continue
        cursor = selection.cursor
        block = editor.document().findBlock(cursor.selectionStart())
        found.append(
            (
                block.blockNumber(),
                cursor.selectionStart() - block.position(),
                cursor.selectionEnd() - block.position(),
            )
        )
    return found


def _full_width_lines(editor: CodeEditor) -> list[int]:
    full_width = QTextFormat.Property.FullWidthSelection
    return [
        selection.cursor.blockNumber()
        for selection in editor.extraSelections()
        if selection.format.property(full_width)
    ]


def test_set_text_is_not_a_user_edit(qtbot, editor):
    with qtbot.assertNotEmitted(editor.text_edited):
        editor.set_language("json")
        editor.set_text('{"a": 1}')
        _wait_idle(qtbot, editor)
    assert editor.toPlainText() == '{"a": 1}'


def test_typing_emits_text_edited(qtbot, editor):
    with qtbot.waitSignal(editor.text_edited, timeout=WAIT_MS):
        qtbot.keyClicks(editor, "x")
    assert editor.toPlainText() == "x"


def test_undo_emits_text_edited(qtbot, editor):
    qtbot.keyClicks(editor, "x")
    with qtbot.waitSignal(editor.text_edited, timeout=WAIT_MS):
        editor.undo()
    assert editor.toPlainText() == ""


def test_replace_text_undoably(qtbot, editor):
    editor.set_text("old")
    with qtbot.assertNotEmitted(editor.text_edited):
        editor.replace_text_undoably("new text")
    assert editor.toPlainText() == "new text"
    editor.undo()
    assert editor.toPlainText() == "old"


def test_replaced_text_shown_from_start(qtbot, editor):
    editor.resize(300, 120)
    editor.set_text("old")

    editor.replace_text_undoably("\n".join(f"line {n}" for n in range(200)))

    assert editor.textCursor().position() == 0
    assert editor.verticalScrollBar().value() == 0


def test_tab_inserts_two_spaces(qtbot, editor):
    editor.set_text("ab")
    editor.go_to(1, 2)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "a  b"


def test_tab_indents_selected_lines(qtbot, editor):
    editor.set_text("one\ntwo\nthree")
    cursor = editor.textCursor()
    cursor.setPosition(1)
    cursor.setPosition(5, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "  one\n  two\nthree"

    editor.undo()
    assert editor.toPlainText() == "one\ntwo\nthree"


def test_shift_tab_removes_indent(qtbot, editor):
    editor.set_text("    one\n two\nthree")
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(14, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert editor.toPlainText() == "  one\ntwo\nthree"


def test_read_only_ignores_typing(qtbot):
    editor = CodeEditor(read_only=True)
    qtbot.addWidget(editor)
    editor.set_text("fixed")
    qtbot.keyClicks(editor, "x")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "fixed"
    assert editor.isReadOnly()
    assert editor.tabChangesFocus()


def test_current_line_marked_when_editable(qtbot, editor):
    editor.set_text("a\nb\nc")
    editor.go_to(2)
    assert _full_width_lines(editor) == [1]


def test_current_line_not_marked_read_only(qtbot):
    editor = CodeEditor(read_only=True)
    qtbot.addWidget(editor)
    editor.set_text("a\nb")
    assert _full_width_lines(editor) == []


def test_font_is_monospaced(editor):
    metrics = QFontMetrics(editor.font())

    assert metrics.horizontalAdvance("i") == metrics.horizontalAdvance("M")
    assert metrics.horizontalAdvance(".") == metrics.horizontalAdvance("W")


def test_no_wrap_by_default(editor):
    assert editor.lineWrapMode() == CodeEditor.LineWrapMode.NoWrap
    editor.set_wrap(True)
    assert editor.lineWrapMode() == CodeEditor.LineWrapMode.WidgetWidth
    editor.set_wrap(False)
    assert editor.lineWrapMode() == CodeEditor.LineWrapMode.NoWrap


def test_gutter_grows_with_line_count(editor):
    editor.set_text("\n" * 10)
    narrow = editor.gutter_width()
    editor.set_text("\n" * 10_000)
    assert editor.gutter_width() > narrow
    assert editor.viewportMargins().left() == editor.gutter_width()


def test_set_problems_marks_line(editor):
    editor.set_text('{\n  "a": 1\n  "b": 2\n}')
    editor.set_problems([Problem(3, 3, "Expecting ',' delimiter")])
    assert _underlines(editor) == [(2, 2, 8)]
    assert 2 in _full_width_lines(editor)


def test_problem_without_column_marks_whole_line(editor):
    editor.set_text("<a>\n  <b>\n</a>")
    editor.set_problems([Problem(2, None, "Opening and ending tag mismatch")])
    assert _underlines(editor) == [(1, 0, 5)]


def test_problem_column_past_end_marks_last_character(editor):
    editor.set_text("[1, 2")
    editor.set_problems([Problem(1, 99, "Unexpected end of input")])
    assert _underlines(editor) == [(0, 4, 5)]


def test_problem_on_empty_line_has_no_underline(editor):
    editor.set_text("a\n\nb")
    editor.set_problems([Problem(2, 1, "Empty")])
    assert _underlines(editor) == []
    assert editor.problem_at_line(2) == "Line 2, column 1: Empty"


def test_problem_tooltip_text(editor):
    editor.set_text("a\nb\nc")
    editor.set_problems(
        [Problem(2, 1, "First"), Problem(2, None, "Second"), Problem(3, 4, "Third")]
    )
    assert editor.problem_at_line(2) == "Line 2, column 1: First\nLine 2: Second"
    assert editor.problem_at_line(3) == "Line 3, column 4: Third"
    assert editor.problem_at_line(1) is None


def test_problem_message_with_placeholder_text(editor):
    editor.set_text("a")
    editor.set_problems([Problem(1, None, "odd %1 %2 text")])
    assert editor.problem_at_line(1) == "Line 1: odd %1 %2 text"


def test_problem_past_last_line_marks_last_line(editor):
    editor.set_text("a\nb")
    editor.set_problems([Problem(7, None, "Truncated")])
    assert editor.problem_at_line(2) == "Line 7: Truncated"
    assert _underlines(editor) == [(1, 0, 1)]


def test_set_problems_empty_clears(editor):
    editor.set_text("a\nb")
    editor.set_problems([Problem(1, 1, "Bad")])
    editor.set_problems([])
    assert _underlines(editor) == []
    assert editor.problem_at_line(1) is None
    assert editor.problems() == ()


def test_set_text_clears_problems(editor):
    editor.set_text("a\nb")
    editor.set_problems([Problem(2, 1, "Bad")])
    editor.set_text("c")
    assert editor.problems() == ()
    assert _underlines(editor) == []


def test_problem_line_removed_by_edit(editor):
    editor.set_text("a\nb\nc")
    editor.set_problems([Problem(3, 1, "Bad")])
    cursor = editor.textCursor()
    cursor.setPosition(1)
    cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    editor.setTextCursor(cursor)
    assert editor.toPlainText() == "a"
    assert _underlines(editor) == []


def test_font_change_resizes_gutter(editor):
    editor.set_text("\n" * 100)
    narrow = editor.gutter_width()
    font = editor.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    editor.setFont(font)
    assert editor.gutter_width() > narrow
    assert editor.viewportMargins().left() == editor.gutter_width()
    assert editor.gutter().width() == editor.gutter_width()


def test_tooltip_at_problem_line(editor):
    editor.set_text("a\nb\nc")
    editor.set_problems([Problem(2, None, "Bad")])
    block = editor.document().findBlockByNumber(1)
    top = editor.cursorRect(QTextCursor(block)).center().y()
    assert editor.tooltip_at_y(top) == "Line 2: Bad"
    first = editor.cursorRect(QTextCursor(editor.document().firstBlock()))
    assert editor.tooltip_at_y(first.center().y()) is None
    assert editor.tooltip_at_y(editor.viewport().height() - 2) is None


def test_go_to_line_and_column(editor):
    editor.set_text("\n".join(f"line {number}" for number in range(1, 501)))
    editor.go_to(400, 3)
    cursor = editor.textCursor()
    assert cursor.blockNumber() == 399
    assert cursor.positionInBlock() == 2

    # The cursor is scrolled into the middle of the view.
    center = editor.cursorRect().center().y()
    height = editor.viewport().height()
    assert height / 4 < center < height * 3 / 4


def test_go_to_clamps(editor):
    editor.set_text("ab\ncd")
    editor.go_to(99, 99)
    assert editor.textCursor().blockNumber() == 1
    assert editor.textCursor().positionInBlock() == 2
    editor.go_to(0)
    assert editor.textCursor().blockNumber() == 0


def test_go_to_counts_characters_not_utf16_units(editor):
    editor.set_text("🎓ab")
    editor.go_to(1, 3)
    assert editor.textCursor().positionInBlock() == 3


def test_highlighter_is_attached(qtbot, editor):
    editor.set_language("json")
    assert editor.language() == "json"
    assert editor.highlighter.document() is editor.document()
    editor.set_text('{"a": 1}')
    _wait_idle(qtbot, editor)
    assert editor.document().firstBlock().layout().formats() != []


def test_highlighting_is_not_a_user_edit(qtbot, editor):
    editor.set_text('{"a": 1}')
    with qtbot.assertNotEmitted(editor.text_edited):
        editor.set_language("json")
        _wait_idle(qtbot, editor)


def test_gutter_paints(qtbot, editor):
    editor.set_text("a\nb")
    editor.set_problems([Problem(1, None, "Bad")])
    image = editor.grab().toImage()
    marker_y = editor.cursorRect(QTextCursor(editor.document().firstBlock()))
    gutter_x = editor.contentsRect().left() + 4 + 2
    color = image.pixelColor(QPoint(gutter_x + 2, marker_y.center().y()))
    assert color.red() > 150
    assert color.green() < 100


@pytest.mark.parametrize("target", ["viewport", "gutter"])
def test_tooltip_event_shows_problem(qtbot, editor, target):
    editor.set_text("a\nb\nc")
    editor.set_problems([Problem(2, None, "Bad")])
    widget = editor.viewport() if target == "viewport" else editor.gutter()
    block = editor.document().findBlockByNumber(1)
    position = QPoint(3, editor.cursorRect(QTextCursor(block)).center().y())
    event = QHelpEvent(QEvent.Type.ToolTip, position, widget.mapToGlobal(position))
    QApplication.sendEvent(widget, event)
    assert QToolTip.text() == "Line 2: Bad"
    QToolTip.hideText()


def test_gutter_border_is_one_pixel(qtbot, editor):
    editor.set_text("\n".join(f"line {number}" for number in range(30)))
    image = editor.gutter().grab().toImage()
    right = image.width() - 1

    border = {image.pixelColor(right, y).name() for y in range(image.height())}
    inside = {image.pixelColor(right - 1, y).name() for y in range(image.height())}

    assert border == {theme.GUTTER_BORDER.name()}
    assert inside == {theme.GUTTER_BACKGROUND.name()}


def test_text_keeps_special_spaces(editor):
    text = '{"note": "100\u00a0€\u2028next"}\n'

    editor.set_text(text)

    assert editor.toPlainText() == text
    assert editor.document().toPlainText() != text


def test_typed_no_break_space_kept(qtbot, editor):
    editor.set_text("")

    qtbot.keyClicks(editor, "a\u00a0b")

    assert editor.toPlainText() == "a\u00a0b"
