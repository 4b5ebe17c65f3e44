"""The saved webhooks panel, like BrainCert's Webhooks tab, with its actions.

`WebhooksPanel` shows a `WebhookListModel` with a filter box and exposes the
actions. It never calls the store itself. The window, or `WebhooksBinding`,
handles its signals.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.gui.webhook_list_model import (
    WEBHOOK_ID_ROLE,
    WebhookDelegate,
    WebhookFilterModel,
    WebhookListModel,
)

if TYPE_CHECKING:
    from bchook_studio.core.store import WebhookSummary

logger = logging.getLogger(__name__)

UNDO_SECONDS = 10
"""Seconds the "Deleted … Undo" bar stays visible."""


class UndoBar(QFrame):
    """A bar saying what was deleted, with Undo, that hides itself after a while."""

    undo_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setStyleSheet(
            "QFrame#undoBar { background: palette(tool-tip-base);"
            " border: 1px solid palette(mid); border-radius: 4px; }"
        )
        self._label = QLabel(self)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._undo_button = QToolButton(self)
        self._undo_button.setAutoRaise(True)
        self._undo_button.setStyleSheet(
            "QToolButton { color: palette(link); font-weight: 600; }"
        )
        self._close_button = QToolButton(self)
        self._close_button.setAutoRaise(True)
        self._close_button.setText("✕")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._undo_button)
        layout.addWidget(self._close_button)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UNDO_SECONDS * 1000)
        self._timer.timeout.connect(self.hide)
        self._undo_button.clicked.connect(self.undo_clicked)
        self._close_button.clicked.connect(self.dismiss)
        self._name = ""
        self.retranslate_ui()
        self.hide()

    def retranslate_ui(self) -> None:
        self._undo_button.setText(self.tr("Undo"))
        self._undo_button.setToolTip(self.tr("Restore the deleted webhook (Ctrl+Z)"))
        self._close_button.setToolTip(self.tr("Hide this message"))
        if self._name:
            self._label.setText(self.tr("Deleted “%1”").replace("%1", self._name))

    @property
    def label(self) -> QLabel:
        return self._label

    @property
    def timer(self) -> QTimer:
        return self._timer

    def show_deleted(self, name: str) -> None:
        """Show "Deleted “name”" with Undo for UNDO_SECONDS seconds."""
        self._name = name
        self.retranslate_ui()
        self._label.setToolTip(self._label.text())
        self.show()
        self._timer.start()

    def dismiss(self) -> None:
        """Hide the bar now."""
        self._timer.stop()
        self.hide()


class WebhooksPanel(QWidget):
    """The saved webhooks: a filter box, a two-line list and its actions.

    The panel only reports what the user requests, and the window saves, loads
    and deletes. Selecting a row emits `webhook_chosen`, while `select()` moves the
    selection without emitting it, so the window can revert a choice it
    declined (unsaved changes kept).
    """

    webhook_chosen = Signal(int)
    """The user selected a saved webhook (its id)."""

    new_requested = Signal()
    duplicate_requested = Signal(int)
    rename_requested = Signal(int, str)
    """A webhook id and the new name typed in place."""

    delete_requested = Signal(int)
    undo_delete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_id: int | None = None
        self._pending_id: int | None = None
        """A webhook to select once the list shows it, such as one just saved."""
        self._selecting = False
        self._read_only = False
        self._undo_available = False

        self._model = WebhookListModel(self)
        self._proxy = WebhookFilterModel(self)
        self._proxy.setSourceModel(self._model)

        self._title = QLabel(self)
        title_font = QFont(self._title.font())
        title_font.setWeight(QFont.Weight.DemiBold)
        self._title.setFont(title_font)
        self._filter_box = QLineEdit(self)
        self._filter_box.setClearButtonEnabled(True)

        self._list = QListView(self)
        self._list.setModel(self._proxy)
        self._list.setItemDelegate(WebhookDelegate(self._list))
        self._list.setUniformItemSizes(True)
        self._list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self._list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._list.setTextElideMode(Qt.TextElideMode.ElideRight)

        self._empty = QLabel(self)
        self._empty.setTextFormat(Qt.TextFormat.PlainText)
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setMargin(12)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._list)
        self._stack.addWidget(self._empty)

        self._undo_bar = UndoBar(self)

        self._build_actions()
        self._build_layout()
        self._connect()
        self.retranslate_ui()
        self._update_actions()
        self._update_empty_state()

    def _build_actions(self) -> None:
        self.new_action = QAction(self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.save_action = QAction(self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.new_action)
        self.addAction(self.save_action)

        # These act on the selected row, so only while the list has focus. The
        # same keys mean something else in the editors.
        self.duplicate_action = QAction(self)
        self.duplicate_action.setShortcut(QKeySequence("Ctrl+D"))
        self.rename_action = QAction(self)
        self.rename_action.setShortcut(QKeySequence("F2"))
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.undo_delete_action = QAction(self)
        self.undo_delete_action.setShortcut(QKeySequence.StandardKey.Undo)
        for action in (
            self.duplicate_action,
            self.rename_action,
            self.delete_action,
            self.undo_delete_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self._list.addAction(action)
        # Deleting the last webhook hides the list behind the empty-state
        # label, which takes the focus so that Ctrl+Z still brings it back.
        self._empty.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._empty.addAction(self.undo_delete_action)

        self._menu = QMenu(self)
        self._menu.addAction(self.duplicate_action)
        self._menu.addAction(self.rename_action)
        self._menu.addAction(self.delete_action)
        self._menu.addAction(self.undo_delete_action)
        self._menu.addSeparator()
        self._menu.addAction(self.new_action)
        self._menu.addAction(self.save_action)

    def _build_layout(self) -> None:
        self._new_button = QToolButton(self)
        self._new_button.setDefaultAction(self.new_action)
        self._new_button.setAutoRaise(True)
        self._new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._more_button = QToolButton(self)
        self._more_button.setAutoRaise(True)
        self._more_button.setText("⋯")
        self._more_button.setMenu(self._menu)
        self._more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._more_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")

        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 0, 0)
        header.addWidget(self._title, 1)
        header.addWidget(self._new_button)
        header.addWidget(self._more_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self._filter_box)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self._undo_bar)

    def _connect(self) -> None:
        self.new_action.triggered.connect(self._on_new_triggered)
        self.duplicate_action.triggered.connect(self._on_duplicate_triggered)
        self.rename_action.triggered.connect(self._on_rename_triggered)
        self.delete_action.triggered.connect(self._on_delete_triggered)
        self.undo_delete_action.triggered.connect(self._on_undo_triggered)
        self._undo_bar.undo_clicked.connect(self.undo_delete_action.trigger)
        self._model.rename_requested.connect(self.rename_requested)
        self._model.modelReset.connect(self._update_empty_state)
        self._model.rowsInserted.connect(self._update_empty_state)
        self._model.rowsRemoved.connect(self._update_empty_state)
        self._filter_box.textChanged.connect(self._on_filter_changed)
        self._list.selectionModel().currentChanged.connect(self._on_current_changed)
        self._list.customContextMenuRequested.connect(self._on_context_menu)

    def retranslate_ui(self) -> None:
        self._title.setText(self.tr("Saved webhooks"))
        self._filter_box.setPlaceholderText(self.tr("Filter webhooks"))
        self._filter_box.setToolTip(
            self.tr("Type part of a name, topic, format or URL")
        )
        self.new_action.setText(self.tr("&New"))
        self.new_action.setToolTip(self.tr("Start a new webhook (Ctrl+N)"))
        self.save_action.setText(self.tr("&Save"))
        self.save_action.setToolTip(self.tr("Save the open webhook (Ctrl+S)"))
        self.duplicate_action.setText(self.tr("&Duplicate"))
        self.duplicate_action.setToolTip(
            self.tr(
                "Save a copy of the selected webhook as last saved (Ctrl+D). "
                "Unsaved edits are not copied."
            )
        )
        self.rename_action.setText(self.tr("Re&name"))
        self.delete_action.setText(self.tr("De&lete"))
        self.undo_delete_action.setText(self.tr("&Undo delete"))
        self._new_button.setText(self.tr("+ New"))
        self._more_button.setToolTip(self.tr("More actions"))
        self._undo_bar.retranslate_ui()
        self._update_empty_state()

    # Public API.

    @property
    def model(self) -> WebhookListModel:
        return self._model

    @property
    def proxy(self) -> WebhookFilterModel:
        return self._proxy

    @property
    def list_view(self) -> QListView:
        return self._list

    @property
    def filter_box(self) -> QLineEdit:
        return self._filter_box

    @property
    def undo_bar(self) -> UndoBar:
        return self._undo_bar

    @property
    def empty_label(self) -> QLabel:
        return self._empty

    def set_webhooks(self, summaries: Sequence[WebhookSummary]) -> None:
        """Show `summaries`, keeping the selected webhook selected if listed."""
        current = self._current_id
        if current is None:
            current = self._pending_id
        draft_selected = self._selected_row_is_draft()
        self._model.set_summaries(summaries)
        if draft_selected:
            self.select(None)
        else:
            self.select(current)

    def select(self, webhook_id: int | None) -> None:
        """Select a webhook (None: the new webhook's row) without `webhook_chosen`.

        The filter is cleared when it hides the webhook. An id not listed
        clears the selection, and the webhook is selected once a later
        `set_webhooks` lists it (a webhook saved for the first time).
        """
        row = self._model.row_of(webhook_id)
        self._selecting = True
        try:
            self._pending_id = webhook_id if row is None else None
            if row is None:
                self._list.selectionModel().clearSelection()
                self._list.setCurrentIndex(QModelIndex())
                self._current_id = None
            else:
                source = self._model.index(row)
                if not self._proxy.mapFromSource(source).isValid():
                    self._filter_box.clear()
                index = self._proxy.mapFromSource(source)
                self._list.setCurrentIndex(index)
                self._list.scrollTo(index)
                self._current_id = webhook_id
        finally:
            self._selecting = False
        self._update_actions()

    def current_webhook_id(self) -> int | None:
        """Return the id of the selected saved webhook, or None."""
        index = self._list.currentIndex()
        if not index.isValid():
            return None
        value = index.data(WEBHOOK_ID_ROLE)
        return None if value is None else int(value)

    def mark_unsaved(
        self, webhook_id: int | None, unsaved: bool, name: str | None = None
    ) -> None:
        """Show or clear the unsaved mark (italic name and "•") on a webhook.

        `webhook_id` None stands for a new webhook that was never saved: it
        gets its own first row, named `name` or "New webhook", until cleared.
        Clearing that row while it is selected leaves no row selected, and
        never opens the row Qt moves the selection to.
        """
        draft_removed = webhook_id is None and not unsaved
        draft_added = webhook_id is None and unsaved and self._current_id is None
        select_draft_row = draft_added or (
            draft_removed and self._selected_row_is_draft()
        )
        self._selecting = True
        try:
            self._model.set_unsaved(webhook_id, unsaved, name)
        finally:
            self._selecting = False
        if select_draft_row:
            # Selects the new draft row, or clears the selection once it is gone.
            self.select(None)

    def show_undo(self, name: str) -> None:
        """Show "Deleted “name”" with Undo for a while, and enable Ctrl+Z."""
        self._undo_bar.show_deleted(name)
        self.set_undo_available(True)

    def hide_undo(self) -> None:
        """Hide the undo bar (Ctrl+Z stays as `set_undo_available` left it)."""
        self._undo_bar.dismiss()

    def set_undo_available(self, available: bool) -> None:
        """Enable or disable Undo delete (Ctrl+Z in the list, the bar's button)."""
        self._undo_available = available
        self._update_actions()

    def set_read_only(self, read_only: bool) -> None:
        """Disable the actions that write to the store while it is read-only."""
        self._read_only = read_only
        self._update_actions()

    # Slots.

    def _on_new_triggered(self) -> None:
        self.new_requested.emit()

    def _on_duplicate_triggered(self) -> None:
        webhook_id = self.current_webhook_id()
        if webhook_id is not None:
            self.duplicate_requested.emit(webhook_id)

    def _on_rename_triggered(self) -> None:
        index = self._list.currentIndex()
        if index.isValid() and index.data(WEBHOOK_ID_ROLE) is not None:
            self._list.setFocus()
            self._list.edit(index)

    def _on_delete_triggered(self) -> None:
        webhook_id = self.current_webhook_id()
        if webhook_id is not None:
            self.delete_requested.emit(webhook_id)

    def _on_undo_triggered(self) -> None:
        if self._undo_available:
            self.undo_delete_requested.emit()

    def _on_filter_changed(self, text: str) -> None:
        self._proxy.set_query(text)
        self._update_empty_state()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        if self._selecting or not current.isValid():
            return
        value = current.data(WEBHOOK_ID_ROLE)
        if value is None:
            return
        webhook_id = int(value)
        if webhook_id != self._current_id:
            self._current_id = webhook_id
            self.webhook_chosen.emit(webhook_id)

    def _on_context_menu(self, position) -> None:
        self._update_actions()
        self._menu.popup(self._list.viewport().mapToGlobal(position))

    # Helpers.

    def _selected_row_is_draft(self) -> bool:
        index = self._list.currentIndex()
        return (
            index.isValid()
            and self._model.has_draft()
            and self._proxy.mapToSource(index).row() == 0
        )

    def _update_actions(self) -> None:
        has_selection = self.current_webhook_id() is not None
        writable = not self._read_only
        self.duplicate_action.setEnabled(has_selection and writable)
        self.rename_action.setEnabled(has_selection and writable)
        self.delete_action.setEnabled(has_selection and writable)
        self.undo_delete_action.setEnabled(self._undo_available and writable)
        self.save_action.setEnabled(writable)
        self.save_action.setToolTip(
            self.tr("Save the open webhook (Ctrl+S)")
            if writable
            else self.tr("The database is open read-only, so nothing can be saved")
        )

    def _update_empty_state(self) -> None:
        if self._proxy.rowCount() > 0:
            label_had_focus = self._empty.hasFocus()
            self._stack.setCurrentWidget(self._list)
            if label_had_focus:
                self._list.setFocus()
            return
        list_had_focus = self._list.hasFocus()
        if self._model.rowCount() == 0:
            self._empty.setText(
                self.tr(
                    "No saved webhooks yet.\nSave (Ctrl+S) keeps the open webhook "
                    "here, and New (Ctrl+N) starts another."
                )
            )
        else:
            self._empty.setText(
                self.tr("No saved webhook matches “%1”.").replace(
                    "%1", self._proxy.query
                )
            )
        self._stack.setCurrentWidget(self._empty)
        if list_had_focus:
            self._empty.setFocus()
