"""The Edit menu: undo, redo and the clipboard for the text field that has focus.

The menu's entries act on the focused QLineEdit, QPlainTextEdit or QTextEdit,
and Copy and Select all also on a read-only view with `has_selection`, `copy`
and `select_all` methods, such as the response body view. The entries show the
usual keys as labels but bind none. Each text widget handles those keys itself,
and the webhook list binds Ctrl+Z to Undo delete, so a window-wide binding of the
same key would make Qt ignore both as ambiguous.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

logger = logging.getLogger(__name__)

TextWidget = QLineEdit | QPlainTextEdit | QTextEdit


def focused_text_widget() -> QWidget | None:
    """Return the text widget or read-only view that has the keyboard focus, or
    None. For a spin box or an editable combo box, that is its line edit."""
    widget = QApplication.focusWidget()
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget = widget.lineEdit()
    elif isinstance(widget, QAbstractSpinBox):
        widget = widget.findChild(QLineEdit)
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)) or _is_view(widget):
        return widget
    return None


def _is_view(widget: QWidget | None) -> bool:
    return all(
        callable(getattr(widget, name, None))
        for name in ("has_selection", "copy", "select_all")
    )


def _can_undo(widget: TextWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return widget.isUndoAvailable()
    return widget.document().isUndoAvailable()


def _can_redo(widget: TextWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return widget.isRedoAvailable()
    return widget.document().isRedoAvailable()


def _has_selection(widget: TextWidget) -> bool:
    if isinstance(widget, QLineEdit):
        return widget.hasSelectedText()
    return widget.textCursor().hasSelection()


def _is_writable(widget: QWidget) -> bool:
    return not _is_view(widget) and not widget.isReadOnly()


def _copy_allowed(widget: QWidget) -> bool:
    if _is_view(widget):
        return widget.has_selection()
    # A password field in Password mode does not copy its text.
    if isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal:
        return False
    return _has_selection(widget)


class EditMenu:
    """The Edit menu's entries in `menu`, enabled for the widget that has focus."""

    def __init__(self, parent: QWidget, menu: QMenu) -> None:
        self.menu = menu
        self.undo_action = self._add(parent, QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._add(parent, QKeySequence.StandardKey.Redo, "redo")
        menu.addSeparator()
        self.cut_action = self._add(parent, QKeySequence.StandardKey.Cut, "cut")
        self.copy_action = self._add(parent, QKeySequence.StandardKey.Copy, "copy")
        self.paste_action = self._add(parent, QKeySequence.StandardKey.Paste, "paste")
        menu.addSeparator()
        self.select_all_action = self._add(
            parent, QKeySequence.StandardKey.SelectAll, "selectAll"
        )
        self._checks: list[tuple[QAction, Callable[[QWidget], bool]]] = [
            (self.undo_action, lambda w: _is_writable(w) and _can_undo(w)),
            (self.redo_action, lambda w: _is_writable(w) and _can_redo(w)),
            (self.cut_action, lambda w: _is_writable(w) and _copy_allowed(w)),
            (self.copy_action, _copy_allowed),
            (self.paste_action, _is_writable),
            (self.select_all_action, lambda w: True),
        ]
        # The target is noted when the menu opens, so that each entry acts on
        # the widget it was enabled for.
        self._target: QWidget | None = None
        menu.aboutToShow.connect(self.update_actions)

    def _add(
        self, parent: QWidget, key: QKeySequence.StandardKey, method: str
    ) -> QAction:
        action = QAction(parent)
        action.setData(
            QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)
        )
        action.triggered.connect(lambda: self._apply(method))
        self.menu.addAction(action)
        return action

    def retranslate(self, tr: Callable[[str], str]) -> None:
        """Set the entries' texts, with each key shown after a tab as its label."""
        for action, text in (
            (self.undo_action, tr("&Undo")),
            (self.redo_action, tr("&Redo")),
            (self.cut_action, tr("Cu&t")),
            (self.copy_action, tr("&Copy")),
            (self.paste_action, tr("&Paste")),
            (self.select_all_action, tr("Select &all")),
        ):
            key = action.data()
            action.setText(f"{text}\t{key}" if key else text)

    def update_actions(self) -> None:
        """Enable the entries that apply to the focused text widget."""
        self._target = focused_text_widget()
        for action, applies in self._checks:
            action.setEnabled(self._target is not None and applies(self._target))

    def _apply(self, method: str) -> None:
        target = self._target or focused_text_widget()
        if target is None:
            logger.debug("edit %s skipped: no text widget has the focus", method)
            return
        if _is_view(target):
            method = _VIEW_METHODS.get(method, method)
        getattr(target, method)()


_VIEW_METHODS = {"selectAll": "select_all"}
"""The read-only view's names for the text widgets' methods, where they differ."""
