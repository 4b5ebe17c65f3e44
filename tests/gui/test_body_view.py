"""The body view: painting only what shows, colours, selection, copy and find."""

import json
import time

import pytest
from pygments.token import Comment, Name, String
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from bchook_studio.core.line_index import LineIndex
from bchook_studio.gui.body_view.line_highlighter import MAX_HIGHLIGHTED_COLUMNS
from bchook_studio.gui.body_view.view import TEXT_MARGIN, BodyView
from bchook_studio.gui.editor.theme import format_for_token

WAIT_MS = 10_000

JSON_TEXT = '{\n  "name": "Ann",\n  "tags": ["a", "b"],\n  "age": 31\n}\n'

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def view(qtbot):
    widget = BodyView()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    qtbot.waitExposed(widget)
    widget.setFocus()
    return widget


def _show(qtbot, view: BodyView, text: str, language: str = "text") -> None:
    with qtbot.waitSignal(view.screen_ready, timeout=WAIT_MS):
        view.set_text(text, language=language)


def _colour_at(view: BodyView, line: int, column: int) -> str | None:
    colours = view.highlighter.colours(line)
    if colours is None:
        return None
    for start, end, text_format in colours.ranges_between(column, column + 1):
        if start <= column < end:
            return text_format.foreground().color().name()
    return None


def _token_colour(token) -> str:
    return format_for_token(token).foreground().color().name()


def _point(view: BodyView, line: int, column: int) -> QPoint:
    """Return a viewport point just right of where a column starts."""
    x = TEXT_MARGIN + view._column_width * (column + 0.2)
    y = view._line_height * (line - view.first_visible_line() + 0.5)
    return QPoint(round(x), round(y))


def test_text_and_lines(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    assert view.toPlainText() == JSON_TEXT
    assert view.text() == JSON_TEXT
    assert view.line_count() == 6
    assert view.language() == "json"


def test_json_colours(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    assert _colour_at(view, 1, 3) == _token_colour(Name.Tag)
    assert _colour_at(view, 1, 12) == _token_colour(String)


def test_screen_ready_once_per_text(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    emitted = []
    view.screen_ready.connect(lambda: emitted.append(True))
    view.viewport().repaint()
    assert emitted == []


def test_plain_text_not_coloured(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "text")
    assert not view.highlighter.is_enabled()
    assert view.highlighter.colours(1) is None


def test_xml_comment_state_reaches_far_lines(qtbot, view):
    inside = [f"inside {number}" for number in range(5000)]
    text = "\n".join(["<a>", "<!-- open", *inside, "-->", "<b>x</b>", "</a>"])
    _show(qtbot, view, "", "text")
    view.set_text(text, language="xml")
    view.verticalScrollBar().setValue(3000)
    view.viewport().repaint()
    if not view.highlighter.is_idle():
        with qtbot.waitSignal(view.highlighter.finished, timeout=WAIT_MS):
            pass

    assert view.highlighter.is_final(3000)
    assert _colour_at(view, 3000, 1) == _token_colour(Comment)
    last = view.line_count() - 2
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    view.viewport().repaint()
    if not view.highlighter.is_idle():
        with qtbot.waitSignal(view.highlighter.finished, timeout=WAIT_MS):
            pass
    assert _colour_at(view, last, 1) == _token_colour(Name.Tag)


def test_json_far_jump_needs_no_scan(qtbot, view):
    lines = [f'  "key{number}": {number},' for number in range(20_000)]
    text = "{\n" + "\n".join(lines) + '\n  "end": 0\n}\n'
    _show(qtbot, view, text, "json")
    view.verticalScrollBar().setValue(15_000)
    view.viewport().repaint()
    assert view.highlighter.visible_lines_final()
    assert _colour_at(view, 15_000, 3) == _token_colour(Name.Tag)


def test_long_line_paint_is_bounded(qtbot, view):
    records = [{"id": number, "name": f"user {number}"} for number in range(80_000)]
    text = json.dumps(records)
    assert len(text) > 2_000_000
    _show(qtbot, view, text, "json")

    started = time.perf_counter()
    view.horizontalScrollBar().setValue(len(text) // 2)
    view.viewport().repaint()
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert _colour_at(view, 0, 2) == _token_colour(Name.Tag)
    assert view.highlighter.colours(0).ends[-1] <= MAX_HIGHLIGHTED_COLUMNS


def test_keyboard_selection(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_End, SHIFT)
    assert view.selected_text() == '  "name": "Ann",'

    QTest.keyClick(view, Qt.Key.Key_Down, SHIFT)
    assert view.selected_text() == '  "name": "Ann",\n  "tags": ["a", '


def test_vertical_moves_keep_column(qtbot, view):
    _show(qtbot, view, "abcdef\nab\nabcdef\n")
    QTest.keyClick(view, Qt.Key.Key_End)
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert view.cursor_position() == 9
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert view.cursor_position() == 16


def test_select_all_and_copy(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    QTest.keyClick(view, Qt.Key.Key_A, CTRL)
    QTest.keyClick(view, Qt.Key.Key_C, CTRL)
    assert QGuiApplication.clipboard().text() == JSON_TEXT


def test_windows_line_breaks(qtbot, view):
    _show(qtbot, view, "one\r\ntwo\r\n")
    QTest.keyClick(view, Qt.Key.Key_End)
    assert view.cursor_position() == 3
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.cursor_position() == 5
    QTest.keyClick(view, Qt.Key.Key_Home, CTRL | SHIFT)
    assert view.selected_text() == "one\r\n"


def test_mouse_drag_selects(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    viewport = view.viewport()
    start = _point(view, 1, 3)
    end = _point(view, 2, 7)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), start)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), end)
    assert view.selected_text() == 'name": "Ann",\n  "tags'


def test_shift_click_extends(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    viewport = view.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=_point(view, 1, 2))
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, SHIFT, _point(view, 1, 8))
    assert view.selected_text() == '"name"'


def test_double_click_selects_word(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    QTest.mouseDClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=_point(view, 1, 5)
    )
    assert view.selected_text() == "name"


def test_find_selects_match(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    QTest.keyClick(view, Qt.Key.Key_F, CTRL)
    assert view.find_bar().isVisible()
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS) as blocker:
        QTest.keyClicks(view.find_bar().field, "ANN")
    assert blocker.args == [True]
    assert view.selected_text() == "Ann"


def test_find_field_fits_placeholder(qtbot, view):
    view.resize(300, 200)
    view.open_find_bar()
    field = view.find_bar().field
    qtbot.waitUntil(field.isVisible, timeout=WAIT_MS)
    metrics = field.fontMetrics()
    placeholder = metrics.horizontalAdvance(field.placeholderText())

    # Room for the placeholder, the clear button and the frame.
    assert field.width() >= placeholder + metrics.height()


def test_match_left_of_view_shows_whole(qtbot, view):
    needle = "needle-" + "x" * 37
    text = "a" * 2_000 + needle + "b" * 20_000
    _show(qtbot, view, text)
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())

    start = text.index(needle)
    view.select(start, start + len(needle))

    left = view.horizontalScrollBar().value()
    assert left <= start
    assert start + len(needle) <= left + view._visible_column_count()


def test_find_next_wraps(qtbot, view):
    _show(qtbot, view, "x1\nx2\n")
    view.open_find_bar()
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClicks(view.find_bar().field, "x")
    assert view.selection() == (0, 1)
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClick(view.find_bar().field, Qt.Key.Key_Return)
    assert view.selection() == (3, 4)
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClick(view.find_bar().field, Qt.Key.Key_Return)
    assert view.selection() == (0, 1)
    assert view.find_bar().status_label.text() == "Found after wrapping around"


def test_find_previous(qtbot, view):
    _show(qtbot, view, "x1\nx2\nx3\n")
    view.select(6, 7)
    view.open_find_bar()
    view.find_bar().field.setText("x")
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClick(view.find_bar().field, Qt.Key.Key_Return, SHIFT)
    assert view.selection() == (3, 4)


def test_find_match_case(qtbot, view):
    _show(qtbot, view, "Ann ann\n")
    view.open_find_bar()
    view.find_bar().match_case_box.setChecked(True)
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClicks(view.find_bar().field, "ann")
    assert view.selection() == (4, 7)


def test_find_not_found(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    view.open_find_bar()
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS) as blocker:
        QTest.keyClicks(view.find_bar().field, "q")
    assert blocker.args == [False]
    assert view.find_bar().status_label.text() == "Not found"


def test_find_bar_narrow_keeps_field(qtbot, view):
    view.resize(420, 300)
    _show(qtbot, view, "x1\nx2\n")
    view.open_find_bar()
    bar = view.find_bar()
    bar.show_result(found=True, wrapped=True)
    qtbot.wait(50)

    characters = bar.field.width() / bar.field.fontMetrics().averageCharWidth()

    assert characters >= 12
    assert bar.status_label.toolTip() == "Found after wrapping around"
    assert bar.status_label.width() < bar.status_label.sizeHint().width()


def test_find_bar_takes_selection(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    view.select(5, 9)
    QTest.keyClick(view, Qt.Key.Key_F, CTRL)
    assert view.find_bar().needle() == "name"


def test_escape_closes_find_bar(qtbot, view):
    _show(qtbot, view, JSON_TEXT, "json")
    view.open_find_bar()
    QTest.keyClick(view.find_bar().field, Qt.Key.Key_Escape)
    assert not view.find_bar().isVisible()


def test_find_scrolls_to_far_match(qtbot, view):
    text = "\n".join(f"line {number}" for number in range(100_000)) + "\nneedle\n"
    _show(qtbot, view, text)
    view.open_find_bar()
    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClicks(view.find_bar().field, "needle")
    assert view.selected_text() == "needle"
    assert view.first_visible_line() <= 100_000 <= view.last_visible_line()


def test_astral_characters_select_whole(qtbot, view):
    _show(qtbot, view, "a𝄞b\n")
    QTest.keyClick(view, Qt.Key.Key_Right)
    QTest.keyClick(view, Qt.Key.Key_Right, SHIFT)
    assert view.selected_text() == "𝄞"
    view.viewport().repaint()
    point = _point(view, 0, 2)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.cursor_position() in (2, 3)


def test_partial_index_completes_in_slices(qtbot, view):
    text = "".join(f'  "key{number}": {number},\n' for number in range(200_000))
    lines = LineIndex.partial(text, first_chunk=10_000)
    assert not lines.is_complete()
    with qtbot.waitSignal(view.index_completed, timeout=WAIT_MS):
        view.set_text(text, lines, "json")
    assert lines.is_complete()
    assert view.line_count() == 200_001
    assert view.horizontalScrollBar().maximum() >= 0


def test_partial_index_far_line_coloured(qtbot, view):
    text = "".join(f'  "key{number}": {number},\n' for number in range(200_000))
    lines = LineIndex.partial(text, first_chunk=10_000)
    view.set_text(text, lines, "json")
    view.verticalScrollBar().setValue(150_000)
    view.viewport().repaint()
    with qtbot.waitSignal(view.index_completed, timeout=WAIT_MS):
        pass
    view.viewport().repaint()
    if not view.highlighter.is_idle():
        with qtbot.waitSignal(view.highlighter.finished, timeout=WAIT_MS):
            pass
    assert _colour_at(view, 150_000, 3) == _token_colour(Name.Tag)


def test_keys_reach_unindexed_end(qtbot, view):
    text = "".join(f"line {number}\n" for number in range(100_000)) + "end"
    lines = LineIndex.partial(text, first_chunk=1_000)
    view.set_text(text, lines)

    QTest.keyClick(view, Qt.Key.Key_End, CTRL)

    # The jump waits for the index slices instead of indexing all at once.
    assert not lines.is_complete()
    assert view.cursor_position() == 0
    qtbot.waitUntil(lambda: view.cursor_position() == len(text), timeout=10_000)
    assert lines.is_complete()
    assert view.last_visible_line() == 100_000


def test_click_on_unindexed_line_waits(qtbot, view):
    text = "".join(f"line {number}\n" for number in range(200_000))
    lines = LineIndex.partial(text, first_chunk=1_000)
    view.set_text(text, lines)
    view.verticalScrollBar().setValue(150_000)

    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(40, 5))

    assert view.cursor_position() == 0
    qtbot.waitUntil(lambda: view.cursor_position() > 0, timeout=10_000)
    assert text[: view.cursor_position()].count("\n") == 150_000


def test_later_key_drops_waiting_jump(qtbot, view):
    text = "".join(f"line {number}\n" for number in range(100_000))
    lines = LineIndex.partial(text, first_chunk=1_000)
    view.set_text(text, lines)
    QTest.keyClick(view, Qt.Key.Key_End, CTRL)

    QTest.keyClick(view, Qt.Key.Key_Home, CTRL)
    qtbot.waitUntil(lines.is_complete, timeout=10_000)
    qtbot.wait(50)

    assert view.cursor_position() == 0
    assert view.first_visible_line() == 0


def test_select_all_needs_no_index(qtbot, view):
    text = "".join(f"line {number}\n" for number in range(100_000)) + "end"
    lines = LineIndex.partial(text, first_chunk=1_000)
    view.set_text(text, lines)

    QTest.keyClick(view, Qt.Key.Key_End, CTRL)
    QTest.keyClick(view, Qt.Key.Key_A, CTRL)

    assert not lines.is_complete()
    assert view.selection() == (0, len(text))
    qtbot.waitUntil(lines.is_complete, timeout=10_000)
    qtbot.wait(50)
    assert view.selection() == (0, len(text))


def test_move_from_unindexed_cursor_waits(qtbot, view):
    text = "".join(f"line {number}\n" for number in range(100_000)) + "end"
    lines = LineIndex.partial(text, first_chunk=1_000)
    view.set_text(text, lines)
    view.select_all()

    QTest.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)

    assert not lines.is_complete()
    qtbot.waitUntil(lambda: view.selection()[1] < len(text), timeout=10_000)
    assert view.selection() == (0, text.rindex("\n") - len("line 99999") + 3)


def test_find_drops_waiting_jump(qtbot, view):
    text = "needle\n" + "".join(f"line {n}\n" for n in range(100_000))
    lines = LineIndex.partial(text, first_chunk=1_000)
    view.set_text(text, lines)
    QTest.keyClick(view, Qt.Key.Key_End, CTRL)

    view.find("needle", backward=True)
    qtbot.waitUntil(view.has_selection, timeout=5_000)
    qtbot.waitUntil(lines.is_complete, timeout=10_000)
    qtbot.wait(50)

    assert view.selection() == (0, 6)


def test_new_text_drops_waiting_jump(qtbot, view):
    text = "".join(f"line {number}\n" for number in range(100_000))
    view.set_text(text, LineIndex.partial(text, first_chunk=1_000))
    QTest.keyClick(view, Qt.Key.Key_End, CTRL)

    view.set_text("short")
    qtbot.wait(50)

    assert view.cursor_position() == 0


def test_screen_ready_after_long_line(qtbot, view):
    text = '<?xml version="1.0"?>\n<a>' + "<b>x</b>" * 100_000 + "</a>"
    _show(qtbot, view, text, "xml")
    assert view.highlighter.visible_lines_final()
    assert _colour_at(view, 1, 1) == _token_colour(Name.Tag)


def _piece_text(view: BodyView, line: int) -> str:
    """Return the text laid out for `line`, as the view draws it."""
    return view._slice(line).layout.text()


def test_line_separator_shown_as_mark(qtbot, view):
    _show(qtbot, view, '{"bio": "one\u2028two", "id": 42}\n', "json")

    drawn = _piece_text(view, 0)

    assert drawn == '{"bio": "one\u00b6two", "id": 42}'
    assert view.text() == '{"bio": "one\u2028two", "id": 42}\n'


def test_bidi_controls_shown_as_marks(qtbot, view):
    _show(qtbot, view, '"admin\u202e\u2066gnp.exe\u2069"\n')

    assert _piece_text(view, 0) == '"admin\u00a4\u00a4gnp.exe\u00a4"'


def test_lone_carriage_return_shown(qtbot, view):
    _show(qtbot, view, "first\rsecond\r\nthird\r")

    assert _piece_text(view, 0) == "first\u00absecond"
    assert _piece_text(view, 1) == "third\u00ab"


def test_copy_keeps_final_carriage_return(qtbot, view):
    _show(qtbot, view, "first\rsecond\r")
    view.select_all()
    view.copy()

    assert QGuiApplication.clipboard().text() == "first\rsecond\r"


def test_mark_offsets_match_astral_text(qtbot, view):
    _show(qtbot, view, "\U0001f600\u202ex\n")
    piece = view._slice(0)

    assert piece.layout.text() == "\U0001f600\u00a4x"
    assert piece.to_utf16(2) == 3


def test_mark_tooltip_names_character(qtbot, view):
    _show(qtbot, view, "ab\u202ecd\n")
    piece = view._slice(0)
    x = TEXT_MARGIN + (piece.x_of(2) + piece.x_of(3)) / 2
    position = QPoint(round(x), view._line_height // 2)
    event = QHelpEvent(
        QEvent.Type.ToolTip, position, view.viewport().mapToGlobal(position)
    )

    view.viewportEvent(event)

    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in QToolTip.text()


def test_find_in_partial_text_says_so(qtbot, view):
    with qtbot.waitSignal(view.screen_ready, timeout=WAIT_MS):
        view.set_text("start of a long body\n", complete=False)
    view.open_find_bar()

    with qtbot.waitSignal(view.search_finished, timeout=WAIT_MS):
        QTest.keyClicks(view.find_bar().field, "q")

    assert view.find_bar().status_label.text() == "Not in the part shown"


def test_marks_take_one_column(qtbot, view):
    _show(qtbot, view, "a\r\u2028\u202e\x1bz\n")
    piece = view._slice(0)
    column = view.fontMetrics().horizontalAdvance("a")

    widths = [piece.x_of(index + 1) - piece.x_of(index) for index in range(6)]

    assert widths == pytest.approx([column] * 6, abs=0.5)
