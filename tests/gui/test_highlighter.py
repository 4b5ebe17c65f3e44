"""Incremental highlighting: formats, carried states, edits, time slices."""

import time

import pytest
from pygments.token import Comment, Keyword, Name, Number, Punctuation, String
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextDocument

from bchook_studio.gui.editor.block_ranges import BlockRanges
from bchook_studio.gui.editor.code_editor import CodeEditor
from bchook_studio.gui.editor.highlighter import (
    MAX_BLOCK_LENGTH,
    IncrementalHighlighter,
)
from bchook_studio.gui.editor.theme import (
    format_for_token,
    invisible_format,
    template_format,
)

WAIT_MS = 30_000

JSON_TEXT = """{
  "name": "Ann",
  "age": 31,
  "ok": true,
  "tags": ["a", null]
}
"""

XML_TEXT = """<?xml version="1.0"?>
<webhook>
  <!-- one
  two -->
  <id type="number">7</id>
</webhook>
"""


def _color(token):
    return format_for_token(token).foreground().color().name()


def _format_at(document: QTextDocument, line: int, column: int):
    """Return the format covering a 0-based line and column, or None."""
    block = document.findBlockByNumber(line)
    found = None
    for format_range in block.layout().formats():
        if format_range.start <= column < format_range.start + format_range.length:
            # Copy: the range owns its format and is freed with the list.
            found = QTextCharFormat(format_range.format)
    return found


def _color_at(document: QTextDocument, line: int, column: int) -> str | None:
    text_format = _format_at(document, line, column)
    return None if text_format is None else text_format.foreground().color().name()


def _wait_idle(qtbot, highlighter: IncrementalHighlighter) -> None:
    if not highlighter.is_idle():
        with qtbot.waitSignal(highlighter.finished, timeout=WAIT_MS):
            pass


@pytest.fixture
def editor(qtbot):
    widget = CodeEditor()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    return widget


def _load(qtbot, editor: CodeEditor, language: str, text: str) -> QTextDocument:
    editor.set_language(language)
    editor.set_text(text)
    _wait_idle(qtbot, editor.highlighter)
    return editor.document()


def test_json_key_string_number(qtbot, editor):
    document = _load(qtbot, editor, "json", JSON_TEXT)
    assert _color_at(document, 1, 2) == _color(Name.Tag)
    assert _color_at(document, 1, 10) == _color(String)
    assert _color_at(document, 2, 9) == _color(Number)
    assert _color_at(document, 3, 8) == _color(Keyword.Constant)
    assert _color_at(document, 4, 10) == _color(Punctuation)
    assert _color_at(document, 4, 16) == _color(Keyword.Constant)
    assert _color_at(document, 1, 0) is None


def test_json_key_and_value_differ(qtbot, editor):
    _load(qtbot, editor, "json", "{}")
    assert _color(Name.Tag) != _color(String)


def test_xml_tags_and_attributes(qtbot, editor):
    document = _load(qtbot, editor, "xml", XML_TEXT)
    assert _color_at(document, 0, 0) == _color(Comment.Preproc)
    assert _color_at(document, 1, 0) == _color(Name.Tag)
    assert _color_at(document, 4, 6) == _color(Name.Attribute)
    assert _color_at(document, 4, 12) == _color(String)
    assert _color_at(document, 4, 20) is None


def test_xml_comment_carries_to_next_block(qtbot, editor):
    document = _load(qtbot, editor, "xml", XML_TEXT)
    assert _color_at(document, 2, 2) == _color(Comment)
    assert _color_at(document, 3, 2) == _color(Comment)
    assert _color_at(document, 4, 2) == _color(Name.Tag)
    opened = document.findBlockByNumber(2).userState()
    closed = document.findBlockByNumber(3).userState()
    assert opened != closed


def test_edit_highlights_block_at_once(qtbot, editor):
    document = _load(qtbot, editor, "json", JSON_TEXT)
    cursor = QTextCursor(document.findBlockByNumber(2))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    cursor.insertText(' "id": 42,')

    # No event loop has run since the edit.
    assert _color_at(document, 2, 13) == _color(Name.Tag)
    assert _color_at(document, 2, 19) == _color(Number)


def test_edit_propagates_state(qtbot, editor):
    document = _load(qtbot, editor, "xml", XML_TEXT)
    cursor = QTextCursor(document.findBlockByNumber(4))
    cursor.insertText("<!--")
    _wait_idle(qtbot, editor.highlighter)
    assert _color_at(document, 4, 8) == _color(Comment)
    assert _color_at(document, 5, 0) == _color(Comment)

    cursor.movePosition(
        QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, 4
    )
    cursor.removeSelectedText()
    _wait_idle(qtbot, editor.highlighter)
    assert _color_at(document, 4, 2) == _color(Name.Tag)
    assert _color_at(document, 5, 0) == _color(Name.Tag)


def test_edit_in_large_document_is_sliced(qtbot, editor):
    lines = ["<r>"] + ['  <k a="1">value</k>'] * 20_000 + ["</r>"]
    document = _load(qtbot, editor, "xml", "\n".join(lines))
    far = document.findBlockByNumber(19_000)
    state_before = far.userState()

    QTextCursor(document.findBlockByNumber(1)).insertText("<!--")
    assert editor.highlighter.is_idle() is False
    assert far.userState() == state_before

    _wait_idle(qtbot, editor.highlighter)
    assert far.userState() != state_before
    assert _color_at(document, 19_000, 4) == _color(Comment)


def test_edit_stops_when_state_matches(qtbot, editor):
    lines = ["<r>"] + ['  <k a="1">value</k>'] * 20_000 + ["</r>"]
    document = _load(qtbot, editor, "xml", "\n".join(lines))
    QTextCursor(document.findBlockByNumber(5)).insertText("x")
    assert editor.highlighter.is_idle() is False

    # The next slice lexes block 6, finds its end state unchanged and stops.
    with qtbot.waitSignal(editor.highlighter.finished, timeout=WAIT_MS):
        pass
    assert _color_at(document, 5, 3) == _color(Name.Tag)


def test_large_json_keeps_event_loop_running(qtbot, editor):
    line = '  "key_12": "v1234",'
    assert len(line) == 20
    count = 5 * 1024 * 1024 // (len(line) + 1)
    text = "{\n" + "\n".join([line] * count) + '\n  "end": 0\n}\n'
    editor.set_language("json")
    editor.show()

    editor.set_text(text)
    assert editor.highlighter.is_idle() is False

    gaps: list[float] = []
    last_beat = time.perf_counter()

    def beat() -> None:
        nonlocal last_beat
        now = time.perf_counter()
        gaps.append(now - last_beat)
        last_beat = now

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    last_beat = time.perf_counter()
    try:
        with qtbot.waitSignal(editor.highlighter.finished, timeout=120_000):
            pass
    finally:
        heartbeat.stop()

    # A guard against one long block of work, not a benchmark: the machine is
    # shared and slow, so the bound is generous.
    assert len(gaps) > 10
    assert max(gaps) < 0.25
    document = editor.document()
    assert _color_at(document, count, 2) == _color(Name.Tag)
    assert _color_at(document, count - 1, 12) == _color(String)


def test_visible_blocks_first(qtbot, editor):
    lines = ["{"] + ['  "key": "value",'] * 50_000 + ["}"]
    editor.show()
    document = _load(qtbot, editor, "text", "\n".join(lines))
    editor.go_to(40_000)

    # Blocks out of view are flushed with the layout's signals blocked, so the
    # first update the layout sends comes from the visible blocks.
    with qtbot.waitSignal(document.documentLayout().update, timeout=WAIT_MS):
        editor.set_language("json")
    assert _color_at(document, 39_999, 2) == _color(Name.Tag)
    assert _color_at(document, 20_000, 2) is None
    _wait_idle(qtbot, editor.highlighter)
    assert _color_at(document, 20_000, 2) == _color(Name.Tag)


def test_template_tag_inside_json_string(qtbot, editor):
    editor.highlighter.set_template_tags(True)
    document = _load(qtbot, editor, "json", '{"title": "{{ name }}", "n": 1}')
    tag = _format_at(document, 0, 12)
    assert tag is not None
    assert tag.background() == template_format().background()
    assert tag.fontWeight() == template_format().fontWeight()
    assert _color_at(document, 0, 10) == _color(String)
    assert _color_at(document, 0, 21) == _color(String)
    assert _color_at(document, 0, 29) == _color(Number)


def test_template_tag_across_lines(qtbot, editor):
    editor.highlighter.set_template_tags(True)
    document = _load(qtbot, editor, "xml", "<a>{% if\n  x %}</a>\n<b/>")
    template = template_format().foreground().color().name()
    assert _color_at(document, 0, 3) == template
    assert _color_at(document, 1, 2) == template
    assert _color_at(document, 1, 6) == _color(Name.Tag)
    assert _color_at(document, 2, 0) == _color(Name.Tag)


def test_template_tags_off_by_default(qtbot, editor):
    document = _load(qtbot, editor, "json", '{"title": "{{ name }}"}')
    assert _color_at(document, 0, 12) == _color(String)


def test_set_enabled_clears_formats(qtbot, editor):
    document = _load(qtbot, editor, "json", JSON_TEXT)
    editor.highlighter.set_enabled(False)
    assert document.findBlockByNumber(1).layout().formats() == []

    editor.highlighter.set_enabled(True)
    _wait_idle(qtbot, editor.highlighter)
    assert _color_at(document, 1, 2) == _color(Name.Tag)


def test_disabled_ignores_edits(qtbot, editor):
    document = _load(qtbot, editor, "json", JSON_TEXT)
    editor.highlighter.set_enabled(False)
    editor.set_text('{"a": 1}')
    assert editor.highlighter.is_idle()
    assert document.firstBlock().layout().formats() == []


def test_language_change_rehighlights(qtbot, editor):
    document = _load(qtbot, editor, "json", JSON_TEXT)
    editor.set_language("text")
    _wait_idle(qtbot, editor.highlighter)
    assert document.findBlockByNumber(1).layout().formats() == []


def test_long_block_left_plain(qtbot, editor):
    long_line = '"x": ' + '"' + "a" * MAX_BLOCK_LENGTH + '",'
    document = _load(qtbot, editor, "json", "{\n" + long_line + '\n"b": 2\n}')
    assert document.findBlockByNumber(1).layout().formats() == []
    assert _color_at(document, 2, 0) == _color(Name.Tag)


def test_astral_characters_shift_ranges(qtbot, editor):
    # "🎓" is one code point but two UTF-16 units in Qt positions.
    document = _load(qtbot, editor, "json", '{"e": "🎓", "n": 5}')
    assert _color_at(document, 0, 12) == _color(Name.Tag)
    assert _color_at(document, 0, 17) == _color(Number)


def test_invisible_characters_marked(qtbot, editor):
    # "🎓" shifts the Qt positions after it by one unit.
    text = '{"k\u200by": "🎓\u202e", "z\u200dw": 1}\nplain\u2060'
    document = _load(qtbot, editor, "json", text)
    marked = invisible_format().background().color().name()

    def background(line: int, column: int) -> str | None:
        text_format = _format_at(document, line, column)
        if text_format is None or not text_format.hasProperty(
            QTextCharFormat.Property.BackgroundBrush
        ):
            return None
        return text_format.background().color().name()

    assert background(0, 3) == marked
    assert _color_at(document, 0, 2) == _color(Name.Tag)
    assert background(0, 11) == marked
    assert background(0, 17) is None
    assert background(1, 5) == marked


def test_invisible_character_tooltip(qtbot, editor):
    _load(qtbot, editor, "text", "ab\u202ecd")
    editor.show()
    qtbot.waitExposed(editor)
    rect = editor.cursorRect(_cursor_at(editor, 3))

    tooltip = editor.invisible_character_at(rect.center())

    assert tooltip.startswith("U+202E RIGHT-TO-LEFT OVERRIDE: an invisible character")
    assert "changes the order" in tooltip
    assert editor.invisible_character_at(QPoint(1, 200)) is None


def test_invisible_astral_character_tooltip(qtbot, editor):
    _load(qtbot, editor, "text", "tag\U000e0001t")
    editor.show()
    qtbot.waitExposed(editor)
    left = editor.cursorRect(_cursor_at(editor, 3)).center()
    right = editor.cursorRect(_cursor_at(editor, 5)).center()

    middle = QPoint((left.x() + right.x()) // 2, left.y())

    assert editor.invisible_character_at(middle).startswith("U+E0001 LANGUAGE TAG")


def _cursor_at(editor: CodeEditor, position: int) -> QTextCursor:
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    return cursor


def test_highlighter_on_plain_document(qtbot):
    document = QTextDocument()
    highlighter = IncrementalHighlighter(document)
    highlighter.set_language("json")
    document.setPlainText('{"a": 1}')
    _wait_idle(qtbot, highlighter)
    assert _color_at(document, 0, 1) == _color(Name.Tag)
    assert highlighter.parent() is document


def test_unknown_language_rejected(qtbot, editor):
    with pytest.raises(ValueError, match="'yaml'"):
        editor.highlighter.set_language("yaml")
    assert editor.highlighter.language() == "text"


def test_block_ranges_add_merges():
    ranges = BlockRanges()
    ranges.add(5, 7)
    ranges.add(10, 12)
    ranges.add(8, 9)
    assert ranges.ranges() == [(5, 12)]
    ranges.add(20, 20)
    ranges.add(0, 2)
    assert ranges.ranges() == [(0, 2), (5, 12), (20, 20)]


def test_block_ranges_discard_splits():
    ranges = BlockRanges()
    ranges.add(0, 10)
    ranges.discard(5)
    assert ranges.ranges() == [(0, 4), (6, 10)]
    ranges.discard(0, 7)
    assert ranges.ranges() == [(8, 10)]
    assert 9 in ranges
    assert 7 not in ranges


def test_block_ranges_lookups():
    ranges = BlockRanges()
    assert ranges.first() is None
    ranges.add(3, 4)
    ranges.add(8, 9)
    assert ranges.first() == 3
    assert ranges.next_from(5) == 8
    assert ranges.next_from(4) == 4
    assert ranges.next_from(10) is None
    assert ranges.last_of_range(3) == 4
    assert ranges.last_of_range(5) is None


def test_block_ranges_apply_edit():
    ranges = BlockRanges()
    ranges.add(0, 1)
    ranges.add(4, 6)
    ranges.add(10, 12)
    # Blocks 5..7 were replaced by 5..9: two more blocks.
    ranges.apply_edit(5, 7, 2)
    assert ranges.ranges() == [(0, 1), (4, 4), (12, 14)]
