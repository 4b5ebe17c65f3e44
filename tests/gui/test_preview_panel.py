"""The preview shows each new rendered body, large ones by their changed span."""

from bchook_studio.gui.designer.preview_panel import SPAN_EDIT_MIN_CHARS, PreviewPanel


def large_body(middle: str) -> str:
    line = '  {"name": "Zoë 😀", "id": 1},\n'
    half = line * (SPAN_EDIT_MIN_CHARS // len(line) + 1)
    return "[\n" + half + middle + half + "]\n"


def test_edit_of_large_body_shown(qtbot):
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    panel.show_text(large_body('  {"k": 1},\n'))
    edited = large_body('  {"k": 12, "😀": true},\n')

    panel.show_text(edited)

    assert panel.editor.toPlainText() == edited


def test_new_small_body_replaces_large(qtbot):
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    panel.show_text(large_body(""))

    panel.show_text('{"a": 1}\n')

    assert panel.editor.toPlainText() == '{"a": 1}\n'
