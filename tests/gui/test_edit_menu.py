"""The Edit menu: its entries act on the focused text widget or body view."""

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.gui.body_view.view import BodyView
from bchook_studio.gui.edit_menu import EditMenu


class EditWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.line = QLineEdit(central)
        self.password = QLineEdit(central)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.editor = QPlainTextEdit(central)
        self.read_only = QPlainTextEdit(central)
        self.read_only.setReadOnly(True)
        self.view = BodyView(central)
        self.spin = QSpinBox(central)
        self.combo = QComboBox(central)
        self.combo.setEditable(True)
        self.fixed_combo = QComboBox(central)
        for widget in (
            self.line,
            self.password,
            self.editor,
            self.read_only,
            self.spin,
            self.combo,
            self.fixed_combo,
        ):
            layout.addWidget(widget)
        layout.addWidget(self.view)
        self.setCentralWidget(central)
        self.edit = EditMenu(self, QMenu(self))
        self.edit.retranslate(lambda text: text)


@pytest.fixture
def window(qtbot):
    edit_window = EditWindow()
    qtbot.addWidget(edit_window)
    edit_window.show()
    qtbot.waitExposed(edit_window)
    edit_window.activateWindow()
    return edit_window


def focus(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=3000)


def enabled(menu: EditMenu) -> dict[str, bool]:
    menu.update_actions()
    return {
        action.text().split("\t")[0]: action.isEnabled()
        for action in menu.menu.actions()
        if not action.isSeparator()
    }


def test_entries_show_keys_without_binding(window):
    actions = [a for a in window.edit.menu.actions() if not a.isSeparator()]

    assert [action.text().split("\t")[0] for action in actions] == [
        "&Undo",
        "&Redo",
        "Cu&t",
        "&Copy",
        "&Paste",
        "Select &all",
    ]
    assert all("\t" in action.text() for action in actions)
    assert all(action.shortcut().isEmpty() for action in actions)


def test_undo_reverts_typing(qtbot, window):
    focus(qtbot, window.line)
    qtbot.keyClicks(window.line, "hook")
    states = enabled(window.edit)

    window.edit.undo_action.trigger()

    assert states["&Undo"]
    assert not states["&Redo"]
    assert window.line.text() == ""


def test_cut_and_paste_in_editor(qtbot, window):
    focus(qtbot, window.editor)
    window.editor.setPlainText("{}")
    enabled(window.edit)
    window.edit.select_all_action.trigger()
    states = enabled(window.edit)

    window.edit.cut_action.trigger()
    cut_text = window.editor.toPlainText()
    enabled(window.edit)
    window.edit.paste_action.trigger()

    assert states["Cu&t"]
    assert cut_text == ""
    assert window.editor.toPlainText() == "{}"


def test_password_field_not_copied(qtbot, window):
    focus(qtbot, window.password)
    window.password.setText("secret")
    window.password.selectAll()

    states = enabled(window.edit)

    assert not states["&Copy"]
    assert not states["Cu&t"]
    assert states["&Paste"]


def test_read_only_editor_copies_only(qtbot, window):
    focus(qtbot, window.read_only)
    window.read_only.setPlainText("response")
    window.read_only.selectAll()

    states = enabled(window.edit)

    assert states["&Copy"]
    assert not states["Cu&t"]
    assert not states["&Paste"]
    assert not states["&Undo"]


def test_body_view_copies_selection(qtbot, window):
    with qtbot.waitSignal(window.view.screen_ready, timeout=10_000):
        window.view.set_text('{"ok": true}', language="json")
    focus(qtbot, window.view)
    window.edit.update_actions()
    window.edit.select_all_action.trigger()
    states = enabled(window.edit)

    window.edit.copy_action.trigger()

    assert states["&Copy"]
    assert not states["&Paste"]
    assert QGuiApplication.clipboard().text() == '{"ok": true}'


def test_spin_box_text_selected(qtbot, window):
    window.spin.setValue(42)
    focus(qtbot, window.spin)
    enabled(window.edit)

    window.edit.select_all_action.trigger()
    states = enabled(window.edit)
    window.edit.copy_action.trigger()

    assert states["&Copy"]
    assert states["&Paste"]
    assert QGuiApplication.clipboard().text() == "42"


def test_editable_combo_pasted_into(qtbot, window):
    QGuiApplication.clipboard().setText("from clipboard")
    focus(qtbot, window.combo)
    enabled(window.edit)

    window.edit.paste_action.trigger()

    assert window.combo.currentText() == "from clipboard"


def test_fixed_combo_disables_all(qtbot, window):
    focus(qtbot, window.fixed_combo)

    states = enabled(window.edit)

    assert not any(states.values())


def test_nothing_focused_disables_all(qtbot, window):
    focus(qtbot, window)

    states = enabled(window.edit)

    assert not any(states.values())
