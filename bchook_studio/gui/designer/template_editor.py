"""The body editor of the designer: a code editor with field completion."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QWidget

from bchook_studio.gui.editor.code_editor import CodeEditor

if TYPE_CHECKING:
    from PySide6.QtWidgets import QCompleter

    from bchook_studio.core.topics import Topic
    from bchook_studio.gui.designer.completion import FieldCompletionModel

logger = logging.getLogger(__name__)

POPUP_WIDTH = 420
"""Width in pixels of the completion list, wide enough for a path and a value."""

_POPUP_KEYS = frozenset(
    {
        Qt.Key.Key_Return,
        Qt.Key.Key_Enter,
        Qt.Key.Key_Escape,
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
    }
)


class TemplateEditor(CodeEditor):
    """A CodeEditor that completes field paths inside `{{ … }}`.

    With completion on, typing `{{ ` or a path such as `{{ payload.` shows the
    fields of the event data with example values; Ctrl+Space shows them at any
    point inside a placeholder. Enter or Tab inserts the current entry, and Esc
    closes the list.

    The list, its model and the completion module are built when completion is
    first needed, and the entries are listed from the event data only then:
    Raw mode never opens the list, and a Template-mode session may not either.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._completion_enabled = False
        self._completer: QCompleter | None = None
        self._completion_model: FieldCompletionModel | None = None
        self._completion_event: tuple[Mapping[str, Any], Topic | None] | None = None
        """The event data and topic whose fields the list offers next."""

    # Completion

    @property
    def completer(self) -> QCompleter:
        """The completion list, built on first use."""
        return self._ready_completer()[0]

    @property
    def completion_model(self) -> FieldCompletionModel:
        """The entries the completion list filters, listed on first use."""
        return self._ready_completer()[1]

    def _ready_completer(self) -> tuple[QCompleter, FieldCompletionModel]:
        if self._completer is None:
            self._build_completer()
        self._list_completion_entries()
        assert self._completer is not None and self._completion_model is not None
        return self._completer, self._completion_model

    def _build_completer(self) -> None:
        from PySide6.QtWidgets import QCompleter

        from bchook_studio.gui.designer.completion import (
            CompletionDelegate,
            FieldCompletionModel,
        )

        self._completion_model = FieldCompletionModel(self)
        completer = QCompleter(self._completion_model, self)
        completer.setWidget(self)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        completer.setCompletionRole(Qt.ItemDataRole.EditRole)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        completer.setMaxVisibleItems(12)
        completer.setWrapAround(False)

        popup = completer.popup()
        popup.setItemDelegate(CompletionDelegate(popup))
        popup.setFont(self.font())
        popup.setUniformItemSizes(True)
        completer.activated[QModelIndex].connect(self._on_completion_activated)
        self._completer = completer

    def _list_completion_entries(self) -> None:
        if self._completion_event is None or self._completion_model is None:
            return
        from bchook_studio.gui.designer.completion import completion_entries

        event, topic = self._completion_event
        self._completion_event = None
        self._completion_model.set_entries(completion_entries(event, topic))

    def _popup_is_visible(self) -> bool:
        return self._completer is not None and self._completer.popup().isVisible()

    def set_completion_enabled(self, enabled: bool) -> None:
        """Offer field completion (Template mode) or not (Raw mode)."""
        self._completion_enabled = enabled
        if not enabled and self._completer is not None:
            self._completer.popup().hide()

    def completion_enabled(self) -> bool:
        return self._completion_enabled

    def set_completion_event(
        self, event: Mapping[str, Any], topic: Topic | None
    ) -> None:
        """Offer the fields of `event` and the helpers from now on."""
        self._completion_event = (event, topic)
        if self._completer is not None:
            self._list_completion_entries()

    def update_completion(self, *, explicit: bool = False) -> bool:
        """Show, refilter or hide the completion list for the text at the cursor.

        `explicit` (Ctrl+Space) also shows the list right after `{{`. Return True
        when the list is shown.
        """
        prefix = self._prefix_at_cursor(explicit)
        if not self._completion_enabled or prefix is None:
            if self._completer is not None:
                self._completer.popup().hide()
            return False

        popup = self.completer.popup()
        if prefix != self.completer.completionPrefix():
            self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0:
            popup.hide()
            return False

        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.translate(self.viewportMargins().left(), 0)
        rect.setWidth(POPUP_WIDTH)
        self.completer.complete(rect)
        return True

    def insert_placeholder(self, expression: str) -> None:
        """Insert `{{ expression }}` at the cursor, replacing any selection.

        The insertion is one undo step and counts as a user edit.
        """
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.insertText(f"{{{{ {expression} }}}}")
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    def _prefix_at_cursor(self, explicit: bool) -> str | None:
        cursor = self.textCursor()
        if cursor.hasSelection():
            return None
        before, _after = _split_at_cursor(cursor)
        if explicit and before.endswith(("{{", "{{-", "{{+")):
            before += " "
        from bchook_studio.gui.designer.completion import placeholder_prefix

        return placeholder_prefix(before)

    @Slot(QModelIndex)
    def _on_completion_activated(self, index: QModelIndex) -> None:
        expression = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if not expression:
            return
        prefix = self.completer.completionPrefix()

        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left,
            QTextCursor.MoveMode.KeepAnchor,
            len(prefix.encode("utf-16-le")) // 2,
        )
        cursor.insertText(expression)
        from bchook_studio.gui.designer.completion import closes_placeholder

        _before, after = _split_at_cursor(cursor)
        if not closes_placeholder(after):
            cursor.insertText(" }}")
        cursor.endEditBlock()
        self.setTextCursor(cursor)

    # Qt overrides

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._popup_is_visible() and event.key() in _POPUP_KEYS:
            # The completer's event filter on the list handles these keys.
            event.ignore()
            return

        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if (
            event.key() == Qt.Key.Key_Space
            and modifiers == Qt.KeyboardModifier.ControlModifier
        ):
            self.update_completion(explicit=True)
            return

        super().keyPressEvent(event)
        if not self._completion_enabled or self.isReadOnly():
            return
        if _changes_prefix(event, self._popup_is_visible()):
            self.update_completion()


def _changes_prefix(event: QKeyEvent, popup_visible: bool) -> bool:
    """True when a key that reached the editor may change what to complete."""
    typed = event.text()
    if typed and typed.isprintable():
        return True
    if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
        return True
    return popup_visible and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right)


def _split_at_cursor(cursor: QTextCursor) -> tuple[str, str]:
    """Return the cursor's line before and after the cursor.

    Qt counts positions in UTF-16 code units, so the line is cut in UTF-16.
    """
    encoded = cursor.block().text().encode("utf-16-le", "surrogatepass")
    cut = cursor.positionInBlock() * 2
    before = encoded[:cut].decode("utf-16-le", "surrogatepass")
    after = encoded[cut:].decode("utf-16-le", "surrogatepass")
    return before, after
