"""The delivery history panel: filters, a table of deliveries, and their actions.

The table loads PAGE_SIZE rows at a time as it scrolls, so the whole retained
history (1,000 deliveries by default) is never read at once. Every query runs
through a StoreController, off the GUI thread.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.export.history_entries import ExportKind
from bchook_studio.core.store import (
    HistoryFilter,
    StoreError,
    WebhookSummary,
)
from bchook_studio.core.topics import all_topics
from bchook_studio.gui.history_model import ENTRY_ID_ROLE, Column, HistoryTableModel
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.store_controller import StoreController

logger = logging.getLogger(__name__)

PAGE_SIZE = 200
"""Rows read per query. Scrolling to the end of the table reads the next page."""

FILTER_DELAY_MS = 300

OUTSIDE_CHANGES_INTERVAL_MS = 2000
"""How often a shown History panel reads SQLite's data_version for outside writes."""
"""Milliseconds of quiet typing in the search box before the query runs."""

STATUS_WIDTH_SAMPLES = (
    "500 Internal Server Error",
    "503 Service Unavailable",
    "too_many_redirects",
)
"""Statuses and failure kinds that the Status column is wide enough to show
whole."""


class HistoryPanel(QWidget):
    """Recorded deliveries with filters, and what can be done with one.

    The panel reads through `controller` and reloads on its
    `history_changed` signal, and `refresh()` reloads on request. It emits
    signals for what the window does: show an entry, resend, export.
    """

    entry_chosen = Signal(int)
    """The user selected a delivery (its history id)."""

    resend_requested = Signal(int)
    export_requested = Signal(int, str)
    """A history id and an ExportKind value: "curl", "powershell", "har", "text"."""

    def __init__(
        self, controller: StoreController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._tasks: set[asyncio.Future[Any]] = set()
        self._refreshing = False
        self._refresh_pending = False
        self._refresh_task: asyncio.Future[Any] | None = None
        self._selecting = False
        self._read_only = False
        self._total: int | None = None
        self._question_box: QMessageBox | None = None

        self._model = HistoryTableModel(self)

        self._webhook_filter = _filter_combo(self, 14)
        self._topic_filter = _filter_combo(self, 14)
        self._topic_filter.setMaxVisibleItems(25)
        self._status_filter = _filter_combo(self, 10)
        self._text_filter = QLineEdit(self)
        self._text_filter.setClearButtonEnabled(True)
        self._text_filter.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("M") * 12
        )
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(FILTER_DELAY_MS)
        # While the panel shows, deliveries that another program (the
        # command line) records appear without a Refresh.
        self._outside_timer = QTimer(self)
        self._outside_timer.setInterval(OUTSIDE_CHANGES_INTERVAL_MS)
        self._outside_timer.timeout.connect(self._check_outside_changes)

        self._table = QTableView(self)
        self._table.setModel(self._model)
        self._configure_table()

        self._status = QLabel(self)
        self._status.setTextFormat(Qt.TextFormat.PlainText)
        self._message = QLabel(self)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # Long messages are clipped rather than widening the dock, and the
        # tooltip has the whole text.
        self._message.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )

        self._build_actions()
        self._build_layout()
        self._fill_filters()
        self._connect()
        self.retranslate_ui()
        self.set_read_only(controller.read_only)

    def _configure_table(self) -> None:
        table = self._table
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

        metrics = table.fontMetrics()
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(metrics.height() + 8)

        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        # The Status column is drawn in DemiBold. Longer phrases end in "…",
        # with the status in full in the tooltip.
        bold = QFont(table.font())
        bold.setWeight(QFont.Weight.DemiBold)
        bold_metrics = QFontMetrics(bold)
        status_width = max(
            bold_metrics.horizontalAdvance(sample) for sample in STATUS_WIDTH_SAMPLES
        )
        widths = {
            Column.TIME: metrics.horizontalAdvance("2026-12-04 16:12:00") + 20,
            Column.WEBHOOK: metrics.horizontalAdvance("M") * 14,
            Column.TOPIC: metrics.horizontalAdvance("Course Bundle Updated") + 16,
            Column.METHOD: metrics.horizontalAdvance("Method") + 20,
            Column.URL: metrics.horizontalAdvance("M") * 24,
            Column.STATUS: status_width + 24,
            Column.ELAPSED: metrics.horizontalAdvance("Elapsed") + 28,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

    def _build_actions(self) -> None:
        self.resend_action = QAction(self)
        self.copy_curl_action = QAction(self)
        self.copy_curl_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.clear_action = QAction(self)
        self.refresh_action = QAction(self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.export_actions: dict[ExportKind, QAction] = {
            kind: QAction(self) for kind in ExportKind
        }
        for action in (self.copy_curl_action, self.delete_action, self.refresh_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self._table.addAction(action)

        self._export_menu = QMenu(self)
        for action in self.export_actions.values():
            self._export_menu.addAction(action)
        self._more_menu = QMenu(self)
        self._more_menu.addAction(self.refresh_action)
        self._more_menu.addSeparator()
        self._more_menu.addAction(self.delete_action)
        self._more_menu.addAction(self.clear_action)

        self._context_menu = QMenu(self)
        self._context_menu.addAction(self.resend_action)
        self._context_menu.addAction(self.copy_curl_action)
        self._context_export = self._context_menu.addMenu(self._export_menu)
        self._context_menu.addSeparator()
        self._context_menu.addAction(self.delete_action)
        self._context_menu.addAction(self.clear_action)

    def _build_layout(self) -> None:
        self._resend_button = _tool_button(self, self.resend_action)
        self._export_button = QToolButton(self)
        self._export_button.setAutoRaise(True)
        self._export_button.setMenu(self._export_menu)
        self._export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._copy_button = _tool_button(self, self.copy_curl_action)
        self._more_button = QToolButton(self)
        self._more_button.setAutoRaise(True)
        self._more_button.setText("⋯")
        self._more_button.setMenu(self._more_menu)
        self._more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._more_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")

        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self._webhook_filter)
        filters.addWidget(self._topic_filter)
        filters.addWidget(self._status_filter)
        filters.addWidget(self._text_filter, 1)
        filters.addSpacing(8)
        filters.addWidget(self._resend_button)
        filters.addWidget(self._export_button)
        filters.addWidget(self._copy_button)
        filters.addWidget(self._more_button)

        footer = QHBoxLayout()
        footer.setContentsMargins(2, 0, 2, 0)
        footer.setSpacing(24)
        footer.addWidget(self._status)
        footer.addWidget(self._message, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(self._table, 1)
        layout.addLayout(footer)

    def _fill_filters(self) -> None:
        self._webhook_filter.addItem("", None)
        self._topic_filter.addItem("", None)
        for topic in all_topics():
            self._topic_filter.addItem(topic.title, topic.key)
        for value in (None, "2xx", "3xx", "4xx", "5xx", "failed"):
            self._status_filter.addItem("", value)

    def _connect(self) -> None:
        self._controller.opened.connect(self.refresh)
        self._controller.history_changed.connect(self.refresh)
        self._controller.read_only_changed.connect(self.set_read_only)
        self._model.more_requested.connect(self._on_more_requested)
        self._webhook_filter.currentIndexChanged.connect(self.refresh)
        self._topic_filter.currentIndexChanged.connect(self.refresh)
        self._status_filter.currentIndexChanged.connect(self.refresh)
        self._text_filter.textChanged.connect(self._text_timer.start)
        self._text_timer.timeout.connect(self.refresh)
        selection = self._table.selectionModel()
        selection.currentRowChanged.connect(self._on_current_row_changed)
        selection.selectionChanged.connect(self._update_actions)
        self._table.customContextMenuRequested.connect(self._on_context_menu)

        self.resend_action.triggered.connect(self._on_resend_triggered)
        self.copy_curl_action.triggered.connect(self._on_copy_curl_triggered)
        self.delete_action.triggered.connect(self._on_delete_triggered)
        self.clear_action.triggered.connect(self._on_clear_triggered)
        self.refresh_action.triggered.connect(self.refresh)
        for kind, action in self.export_actions.items():
            action.triggered.connect(
                lambda _checked=False, kind=kind: self._on_export_triggered(kind)
            )

    def retranslate_ui(self) -> None:
        self._webhook_filter.setItemText(0, self.tr("All webhooks"))
        self._topic_filter.setItemText(0, self.tr("All topics"))
        status_names = (
            self.tr("Any status"),
            self.tr("2xx success"),
            self.tr("3xx redirect"),
            self.tr("4xx client error"),
            self.tr("5xx server error"),
            self.tr("Failed"),
        )
        for position, name in enumerate(status_names):
            self._status_filter.setItemText(position, name)

        self._webhook_filter.setToolTip(self.tr("Show the deliveries of one webhook"))
        self._topic_filter.setToolTip(self.tr("Show the deliveries of one topic"))
        self._status_filter.setToolTip(
            self.tr(
                "Show responses of one status class, or deliveries that failed. "
                "A response cut off after its status counts as failed."
            )
        )
        self._text_filter.setPlaceholderText(self.tr("Search URLs, names and bodies"))
        self._text_filter.setToolTip(
            self.tr(
                "Text in the URL, the webhook name, the failure message or a "
                "stored body (case ignored for ASCII letters)"
            )
        )

        self.resend_action.setText(self.tr("&Resend"))
        self.resend_action.setToolTip(
            self.tr("Send the selected delivery's request again")
        )
        self.copy_curl_action.setText(self.tr("&Copy as cURL"))
        self.copy_curl_action.setToolTip(
            self.tr("Copy a cURL command with passwords masked (Ctrl+Shift+C)")
        )
        self.delete_action.setText(self.tr("&Delete selected"))
        self.clear_action.setText(self.tr("C&lear all history…"))
        self.refresh_action.setText(self.tr("Re&load"))

        export_names = {
            ExportKind.CURL: self.tr("cURL command (.sh)…"),
            ExportKind.POWERSHELL: self.tr("PowerShell script (.ps1)…"),
            ExportKind.HAR: self.tr("HAR file (.har)…"),
            ExportKind.TEXT: self.tr("Text report (.txt)…"),
        }
        for kind, action in self.export_actions.items():
            action.setText(export_names[kind])
        self._export_menu.setTitle(self.tr("&Export as"))
        self._export_button.setText(self.tr("Export"))
        self._export_button.setToolTip(
            self.tr("Save the selected delivery as a command, HAR file or report")
        )
        self._more_button.setToolTip(self.tr("More actions"))

        self._model.headerDataChanged.emit(
            Qt.Orientation.Horizontal, 0, len(Column) - 1
        )
        self._update_status()

    # Public API.

    @property
    def model(self) -> HistoryTableModel:
        return self._model

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def webhook_filter(self) -> QComboBox:
        return self._webhook_filter

    @property
    def topic_filter(self) -> QComboBox:
        return self._topic_filter

    @property
    def status_filter(self) -> QComboBox:
        return self._status_filter

    @property
    def text_filter(self) -> QLineEdit:
        return self._text_filter

    @property
    def status_label(self) -> QLabel:
        return self._status

    @property
    def message_label(self) -> QLabel:
        return self._message

    @property
    def question_box(self) -> QMessageBox | None:
        """The open question before deleting deliveries, or None."""
        return self._question_box

    def is_busy(self) -> bool:
        """True while a query, copy or delete started by the panel is running."""
        return bool(self._tasks) or self._refreshing

    def history_filter(self) -> HistoryFilter:
        """Return the filter the controls set."""
        text = self._text_filter.text().strip()
        return HistoryFilter(
            webhook_id=self._webhook_filter.currentData(),
            topic_key=self._topic_filter.currentData(),
            status_class=self._status_filter.currentData(),
            text=text or None,
        )

    def set_webhooks(self, summaries: Sequence[WebhookSummary]) -> None:
        """List saved webhooks in the webhook filter, keeping the choice if listed."""
        chosen = self._webhook_filter.currentData()
        self._webhook_filter.blockSignals(True)
        try:
            while self._webhook_filter.count() > 1:
                self._webhook_filter.removeItem(1)
            for summary in summaries:
                self._webhook_filter.addItem(summary.name, summary.id)
            position = self._webhook_filter.findData(chosen) if chosen else 0
            self._webhook_filter.setCurrentIndex(max(position, 0))
        finally:
            self._webhook_filter.blockSignals(False)
        if chosen is not None and self._webhook_filter.currentData() != chosen:
            self.refresh()

    def set_read_only(self, read_only: bool) -> None:
        """Disable deleting while the store is read-only."""
        self._read_only = read_only
        self._update_actions()

    def current_entry_id(self) -> int | None:
        """Return the id of the current row, or None."""
        index = self._table.currentIndex()
        if not index.isValid():
            return None
        return int(index.data(ENTRY_ID_ROLE))

    def selected_entry_ids(self) -> list[int]:
        """Return the ids of the selected rows, top to bottom."""
        rows = sorted(
            index.row() for index in self._table.selectionModel().selectedRows()
        )
        return [entry.id for row in rows if (entry := self._model.entry_at(row))]

    def select_entry(self, entry_id: int) -> bool:
        """Select a listed entry without emitting `entry_chosen` (False: unlisted)."""
        row = self._model.row_of(entry_id)
        if row is None:
            return False
        self._select_rows([row])
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._outside_timer.start()
        self._check_outside_changes()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._outside_timer.stop()

    def _check_outside_changes(self) -> None:
        if not self._controller.is_open:
            return
        self._start(self._refresh_if_changed_elsewhere())

    async def _refresh_if_changed_elsewhere(self) -> None:
        try:
            changed = await self._controller.changed_elsewhere()
        except StoreError as exc:
            logger.info("checking the database for outside changes failed: %s", exc)
            return
        if changed:
            logger.debug("the database changed elsewhere; reloading the history")
            self.refresh()

    def refresh(self) -> None:
        """Reload the table soon, keeping the rows loaded so far and the selection.

        Calls made while a reload runs are merged into one more reload.
        """
        self._refresh_pending = True
        if self._refresh_task is None or self._refresh_task.done():
            self._refresh_task = self._start(self._refresh_loop())

    async def reload(self) -> None:
        """Reload now and return when the table shows the result."""
        self.refresh()
        assert self._refresh_task is not None
        await asyncio.shield(self._refresh_task)

    async def copy_as_curl(self, entry_id: int) -> bool:
        """Put a delivery's cURL command, passwords masked, on the clipboard.

        Returns False, with a message in the panel, when the delivery cannot
        be read or its body needs a file next to the command.
        """
        try:
            export = await self._controller.export_entry(entry_id, ExportKind.CURL)
        except StoreError as exc:
            self._show_message(
                fill(self.tr("Could not read delivery %1: %2"), entry_id, exc)
            )
            return False
        if export.files:
            self._show_message(
                fill(
                    self.tr(
                        "The body of delivery %1 is binary or larger than 64 KB, so "
                        "a command line cannot carry it. Use Export as › cURL "
                        "command, which saves the body to a file next to the "
                        "command."
                    ),
                    entry_id,
                )
            )
            return False
        QGuiApplication.clipboard().setText(export.text)
        self._show_message(
            fill(
                self.tr("Copied the cURL command of delivery %1 (passwords masked)."),
                entry_id,
            )
        )
        return True

    async def delete_entries(self, entry_ids: Sequence[int]) -> int:
        """Delete deliveries and return how many went (0 with a message on error)."""
        try:
            deleted = await self._controller.delete_history(entry_ids)
        except StoreError as exc:
            self._show_message(fill(self.tr("Could not delete deliveries: %1"), exc))
            return 0
        if deleted == 1:
            self._show_message(self.tr("Deleted 1 delivery."))
        else:
            self._show_message(fill(self.tr("Deleted %1 deliveries."), deleted))
        return deleted

    async def clear_history(self) -> int:
        """Delete every delivery and return how many there were."""
        try:
            deleted = await self._controller.clear_history()
        except StoreError as exc:
            self._show_message(fill(self.tr("Could not clear the history: %1"), exc))
            return 0
        self._show_message(
            fill(self.tr("Cleared the history: %1 deliveries deleted."), deleted)
        )
        return deleted

    async def aclose(self) -> None:
        """Stop the timers and wait for the panel's tasks (before closing the store)."""
        self._text_timer.stop()
        self._refresh_pending = False
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # Loading.

    async def _refresh_loop(self) -> None:
        self._refreshing = True
        try:
            while self._refresh_pending:
                self._refresh_pending = False
                await self._load_first_rows()
        finally:
            self._refreshing = False
            self._update_status()

    async def _load_first_rows(self) -> None:
        if not self._controller.is_open:
            return  # The controller's `opened` signal starts the first load.
        where = self.history_filter()
        limit = max(PAGE_SIZE, self._model.rowCount())
        try:
            rows = await self._controller.history(where, limit + 1)
            total = None if where.text else await self._controller.history_count(where)
        except (StoreError, ValueError) as exc:
            self._show_message(fill(self.tr("Could not read the history: %1"), exc))
            return
        if self._refresh_pending:
            return  # A newer filter or change is waiting, and its query wins.

        selected = set(self.selected_entry_ids())
        current = self.current_entry_id()
        self._total = total
        self._model.set_entries(rows[:limit], has_more=len(rows) > limit)
        self._restore_selection(selected, current)
        self._update_status()

    def _on_more_requested(self) -> None:
        self._start(self._load_more())

    async def _load_more(self) -> None:
        where = self.history_filter()
        offset = self._model.rowCount()
        try:
            rows = await self._controller.history(where, PAGE_SIZE + 1, offset)
        except (StoreError, ValueError) as exc:
            self._model.set_loading(False)
            self._show_message(fill(self.tr("Could not read the history: %1"), exc))
            return
        if self._refresh_pending or self._refreshing:
            self._model.set_loading(False)
            return
        self._model.append_entries(rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE)
        self._update_status()

    # Slots.

    def _on_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex
    ) -> None:
        self._update_actions()
        if self._selecting or not current.isValid():
            return
        self.entry_chosen.emit(int(current.data(ENTRY_ID_ROLE)))

    def _on_resend_triggered(self) -> None:
        entry_id = self.current_entry_id()
        if entry_id is not None:
            self.resend_requested.emit(entry_id)

    def _on_export_triggered(self, kind: ExportKind) -> None:
        entry_id = self.current_entry_id()
        if entry_id is not None:
            self.export_requested.emit(entry_id, kind.value)

    def _on_copy_curl_triggered(self) -> None:
        entry_id = self.current_entry_id()
        if entry_id is not None:
            self._start(self.copy_as_curl(entry_id))

    def _on_delete_triggered(self) -> None:
        entry_ids = self.selected_entry_ids()
        if not entry_ids or self._read_only or self._question_box is not None:
            return
        if len(entry_ids) == 1:
            text = fill(
                self.tr("Delete the delivery of %1 from the history?"),
                self._described(entry_ids[0]),
            )
        else:
            text = fill(
                self.tr("Delete the %1 selected deliveries from the history?"),
                len(entry_ids),
            )
        self._open_question(
            self.tr("Delete deliveries"),
            text,
            self.tr("Delete"),
            lambda: self._start(self.delete_entries(entry_ids)),
            delete_is_default=True,
        )

    def _described(self, entry_id: int) -> str:
        """Return a delivery as its row shows it: "time (topic, status)"."""
        row = self._model.row_of(entry_id)
        if row is None:
            return str(entry_id)
        time, topic, status = (
            self._model.index(row, column).data()
            for column in (Column.TIME, Column.TOPIC, Column.STATUS)
        )
        return f"{time} ({topic}, {status})"

    def _on_clear_triggered(self) -> None:
        if self._read_only or self._question_box is not None:
            return
        count = self._total if self._total is not None else self._model.rowCount()
        self._open_question(
            self.tr("Clear all history"),
            fill(self.tr("Delete all %1 recorded deliveries?"), count),
            self.tr("Delete all"),
            lambda: self._start(self.clear_history()),
            delete_is_default=False,
        )

    def _open_question(
        self,
        title: str,
        text: str,
        delete_label: str,
        on_confirmed: Callable[[], None],
        *,
        delete_is_default: bool,
    ) -> None:
        """Ask before deleting recorded deliveries, and call `on_confirmed` once
        the user clicks the delete button. Escape cancels."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(text)
        box.setInformativeText(
            self.tr(
                "This cannot be undone. Saved webhooks are kept. Only the record "
                "of what was sent and received is deleted."
            )
        )
        delete_button = box.addButton(
            delete_label, QMessageBox.ButtonRole.DestructiveRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        if delete_is_default:
            box.setDefaultButton(delete_button)
        else:
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def on_finished(_result: int) -> None:
            self._question_box = None
            if box.clickedButton() is delete_button:
                on_confirmed()
            box.deleteLater()

        box.finished.connect(on_finished)
        self._question_box = box
        box.open()

    def _on_context_menu(self, position) -> None:
        self._update_actions()
        self._context_menu.popup(self._table.viewport().mapToGlobal(position))

    # Helpers.

    def _restore_selection(self, selected: set[int], current: int | None) -> None:
        rows = [
            row
            for entry_id in selected
            if (row := self._model.row_of(entry_id)) is not None
        ]
        current_row = None if current is None else self._model.row_of(current)
        self._select_rows(rows, current_row)

    def _select_rows(self, rows: list[int], current_row: int | None = None) -> None:
        selection = self._table.selectionModel()
        flags = (
            QItemSelectionModel.SelectionFlag.Select
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self._selecting = True
        try:
            selection.clearSelection()
            for row in rows:
                selection.select(self._model.index(row, 0), flags)
            if current_row is None and rows:
                current_row = rows[0]
            if current_row is not None:
                selection.setCurrentIndex(
                    self._model.index(current_row, 0),
                    QItemSelectionModel.SelectionFlag.NoUpdate,
                )
                self._table.scrollTo(self._model.index(current_row, 0))
        finally:
            self._selecting = False
        self._update_actions()

    def _update_actions(self) -> None:
        has_current = self.current_entry_id() is not None
        has_selection = bool(self._table.selectionModel().selectedRows())
        self.resend_action.setEnabled(has_current)
        self.copy_curl_action.setEnabled(has_current)
        for action in self.export_actions.values():
            action.setEnabled(has_current)
        self._export_button.setEnabled(has_current)
        self.delete_action.setEnabled(has_selection and not self._read_only)
        self.clear_action.setEnabled(self._model.rowCount() > 0 and not self._read_only)

    def _update_status(self) -> None:
        shown = self._model.rowCount()
        filtered = self.history_filter() != HistoryFilter()
        if self._refreshing and shown == 0:
            text = self.tr("Loading…")
        elif shown == 0 and not self._model.has_more:
            if filtered:
                text = self.tr("No deliveries match the filters")
            else:
                text = self.tr("No deliveries yet")
        elif self._total == 1 and filtered:
            text = self.tr("1 of 1 matching delivery")
        elif self._total is not None and filtered:
            text = fill(
                self.tr("%1 of %2 matching deliveries"),
                f"{shown:,}",
                f"{self._total:,}",
            )
        elif self._total is not None:
            text = fill(
                self.tr("%1 of %2 deliveries"), f"{shown:,}", f"{self._total:,}"
            )
        elif self._model.has_more:
            text = fill(self.tr("%1+ matching deliveries"), f"{shown:,}")
        elif shown == 1:
            text = self.tr("1 matching delivery")
        else:
            text = fill(self.tr("%1 matching deliveries"), f"{shown:,}")
        self._status.setText(text)
        self._update_actions()

    def _show_message(self, text: str) -> None:
        self._message.setText(text)
        self._message.setToolTip(text)

    def _start(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    def _on_task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.error("a history panel task failed", exc_info=error)
            self._show_message(
                fill(
                    self.tr("Unexpected error: %1. The log file has the details."),
                    error,
                )
            )


def _tool_button(parent: QWidget, action: QAction) -> QToolButton:
    button = QToolButton(parent)
    button.setDefaultAction(action)
    button.setAutoRaise(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def _filter_combo(parent: QWidget, characters: int) -> QComboBox:
    combo = QComboBox(parent)
    combo.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    combo.setMinimumContentsLength(characters)
    return combo
