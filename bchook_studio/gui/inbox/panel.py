"""The Inbox: the built-in receiver's controls, its requests live, and their detail.

The detail view is built when a request is first selected or `detail` is first
read. Until then a label in its place shows the same placeholder text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelection, Qt, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.caps import DEFAULT_CAPS, SizeCaps, format_size
from bchook_studio.core.receiver import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ReceivedRequest,
    ReceiverState,
)
from bchook_studio.core.workers import WorkerPool
from bchook_studio.gui.icons import dot_icon
from bchook_studio.gui.inbox.model import BODY_NOT_READ, Column, InboxModel
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.receiver_controller import ReceiverController

if TYPE_CHECKING:
    from bchook_studio.gui.inbox.detail import RequestDetail
    from bchook_studio.gui.inbox.rules_dialog import RulesDialog

logger = logging.getLogger(__name__)

_BANNER_STYLES = {
    "info": "background: #e8f1fb; border: 1px solid #9cc2ea;",
    "warning": "background: #fff4d6; border: 1px solid #e0c46c;",
    "error": "background: #fde8ea; border: 1px solid #e5a1a9;",
}
_RUNNING_COLOUR = "#1e7e34"
_STOPPED_COLOUR = "#8c959f"

STATUS_WIDTH_SAMPLES = (
    "500 Internal Server Error",
    "503 Service Unavailable",
    "413 Content Too Large",
)
"""Statuses that the Status column is wide enough to show whole."""

SIZE_WIDTH_SAMPLES = ("1023.9 KiB", f"{BODY_NOT_READ} (99.9 MiB)")
"""Sizes that the Size column is wide enough to show whole. The second is a
body not read, shown with the size that Content-Length declared."""


class InboxPanel(QWidget):
    """The built-in receiver's Start/Stop control, its requests, and their detail.

    The panel drives `controller` and shows its batches; it owns the rules
    dialog. Actions it cannot complete itself (resend, use as event data)
    are signals for the window.
    """

    resend_requested = Signal(object)
    """The ReceivedRequest to send again; the window prompts for the URL."""

    use_as_event_requested = Signal(str, str)
    """A topic key and the event text (pretty JSON) taken from a request body."""

    rules_changed = Signal(tuple)
    """The rules the user applied, already in force, for the window to save."""

    def __init__(
        self,
        controller: ReceiverController,
        parent: QWidget | None = None,
        caps: SizeCaps = DEFAULT_CAPS,
        pool: WorkerPool | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._port = DEFAULT_PORT
        self._host = DEFAULT_HOST
        self._allow_non_loopback = False
        self._tasks: set[asyncio.Future[Any]] = set()
        self._rules_dialog: RulesDialog | None = None
        self._caps = caps
        self._pool = pool
        self._detail: RequestDetail | None = None
        self._dropped_notice: str | None = None
        """Says which selected request was dropped, until another is selected."""

        self.model = InboxModel(self)
        self._detail_placeholder = _placeholder_label(self)
        self._build_toolbar()
        self._build_banner()
        self._build_table()
        self._build_layout()
        self._connect()
        self.retranslate_ui()

        self.model.set_requests(controller.requests())
        self._on_state_changed()
        self._on_dropped_count_changed(controller.dropped_count)

    # Layout.

    def _build_toolbar(self) -> None:
        self._toolbar = QToolBar(self)
        self._toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._toolbar.setMovable(False)
        self.start_action = QAction(self)
        self.start_action.setCheckable(True)
        self._toolbar.addAction(self.start_action)

        self._address = QLabel(self)
        self._address.setTextFormat(Qt.TextFormat.PlainText)
        self._address.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._address.setMinimumWidth(200)
        self._address.setContentsMargins(6, 0, 4, 0)
        self._toolbar.addWidget(self._address)
        self.copy_address_action = QAction(self)
        self._toolbar.addAction(self.copy_address_action)
        self._toolbar.addSeparator()
        self.rules_action = QAction(self)
        self._toolbar.addAction(self.rules_action)
        self.clear_action = QAction(self)
        self._toolbar.addAction(self.clear_action)

        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._toolbar.addWidget(spacer)
        self._count = QLabel(self)
        self._count.setTextFormat(Qt.TextFormat.PlainText)
        self._count.setStyleSheet("color: #5b6b7b;")
        self._toolbar.addWidget(self._count)
        self._dropped = QLabel(self)
        self._dropped.setTextFormat(Qt.TextFormat.PlainText)
        self._dropped.setStyleSheet(
            "QLabel { color: #7a4d00; background: #fff4d6; border: 1px solid "
            "#e0c46c; border-radius: 3px; padding: 1px 6px; margin-left: 8px; }"
        )
        self._dropped_action = self._toolbar.addWidget(self._dropped)

    def _build_banner(self) -> None:
        self._banner = QWidget(self)
        self._banner.setObjectName("inboxBanner")
        self._banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._banner_text = QLabel(self._banner)
        self._banner_text.setTextFormat(Qt.TextFormat.PlainText)
        self._banner_text.setWordWrap(True)
        self._banner_close = QToolButton(self._banner)
        self._banner_close.setAutoRaise(True)
        self._banner_close.setText("✕")
        banner_layout = QHBoxLayout(self._banner)
        banner_layout.setContentsMargins(8, 4, 4, 4)
        banner_layout.addWidget(self._banner_text, 1)
        banner_layout.addWidget(self._banner_close)
        self._banner_kind = ""
        self._banner.hide()

    def _build_table(self) -> None:
        table = QTableView(self)
        table.setModel(self.model)

        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)

        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)

        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.PATH, QHeaderView.ResizeMode.Stretch)

        metrics = table.fontMetrics()
        widths = {
            Column.TIME: "00:00:00.000",
            Column.METHOD: "DELETE",
            Column.CONTENT_TYPE: "application/json",
        }
        bold = QFont(table.font())
        bold.setWeight(QFont.Weight.DemiBold)
        for column, sample in widths.items():
            width = metrics.horizontalAdvance(sample)
            table.setColumnWidth(column, width + 20)

        # Size is right-aligned, so a 10 px margin leaves a gap after Content
        # type and keeps more width for Path.
        size_width = max(
            metrics.horizontalAdvance(sample) for sample in SIZE_WIDTH_SAMPLES
        )
        table.setColumnWidth(Column.SIZE, size_width + 10)

        # The Status column is drawn in DemiBold. Longer phrases end in "…",
        # with the status in full in the tooltip.
        bold_metrics = QFontMetrics(bold)
        status_width = max(
            bold_metrics.horizontalAdvance(sample) for sample in STATUS_WIDTH_SAMPLES
        )
        table.setColumnWidth(Column.STATUS, status_width + 20)
        header.setMinimumSectionSize(metrics.horizontalAdvance("Path") + 24)
        self.table = table

    def _build_layout(self) -> None:
        self._splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._splitter.setObjectName("inboxSplitter")
        self._splitter.addWidget(self.table)
        self._splitter.addWidget(self._detail_placeholder)
        self._splitter.setStretchFactor(0, 1)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setChildrenCollapsible(False)
        self._splitter.setSizes([640, 660])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._toolbar)
        layout.addWidget(self._banner)
        layout.addWidget(self._splitter, 1)

    def _connect(self) -> None:
        controller = self._controller
        controller.state_changed.connect(self._on_state_changed)
        controller.requests_added.connect(self._on_requests_added)
        controller.requests_removed_below.connect(self._on_requests_removed)
        controller.dropped_count_changed.connect(self._on_dropped_count_changed)
        controller.requests_changed.connect(self._on_requests_changed)
        controller.error.connect(lambda text: self.show_banner(text, "error"))
        controller.warning.connect(lambda text: self.show_banner(text, "warning"))
        controller.notice.connect(lambda text: self.show_banner(text, "info"))
        controller.started.connect(self._on_started)
        controller.stopped.connect(self._on_stopped)

        self.start_action.triggered.connect(self._on_start_triggered)
        self.copy_address_action.triggered.connect(self.copy_address)
        self.rules_action.triggered.connect(self.open_rules_dialog)
        self.clear_action.triggered.connect(self.clear)
        self._banner_close.clicked.connect(self.hide_banner)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.copy_address_action.setText(self.tr("Copy"))
        self.copy_address_action.setToolTip(
            self.tr("Copy the receiver's address to the clipboard")
        )
        self.rules_action.setText(self.tr("Rules…"))
        # A tool button drops a trailing ellipsis from the text unless the icon
        # text is set as well.
        self.rules_action.setIconText(self.rules_action.text())
        self.rules_action.setToolTip(
            self.tr("Choose how the receiver responds: status, delay, body, faults")
        )
        self.clear_action.setText(self.tr("Clear"))
        self.clear_action.setToolTip(self.tr("Remove every request from the Inbox"))
        self._banner_close.setToolTip(self.tr("Hide this message"))
        self._update_controls()
        self._update_count()
        self._update_placeholder()
        if self._detail is not None:
            self._detail.retranslate_ui()

    # Accessors for the window and for tests.

    @property
    def detail(self) -> RequestDetail:
        """The detail view of the selected request, built on first use."""
        if self._detail is None:
            from bchook_studio.gui.inbox.detail import RequestDetail

            detail = RequestDetail(
                self,
                caps=self._caps,
                pool=self._pool,
                body_limit=self._controller.limits.max_body,
            )
            detail.set_base_url(self._controller.base_url)
            detail.set_placeholder(self._detail_placeholder.text())
            detail.resend_requested.connect(self.resend_requested)
            detail.use_as_event_requested.connect(self.use_as_event_requested)
            index = self._splitter.indexOf(self._detail_placeholder)
            self._splitter.replaceWidget(index, detail)
            self._detail_placeholder.deleteLater()
            self._detail = detail
        return self._detail

    @property
    def controller(self) -> ReceiverController:
        return self._controller

    @property
    def address_label(self) -> QLabel:
        return self._address

    @property
    def banner_label(self) -> QLabel:
        return self._banner_text

    @property
    def dropped_label(self) -> QLabel:
        return self._dropped

    @property
    def count_label(self) -> QLabel:
        return self._count

    @property
    def splitter(self) -> QSplitter:
        """Return the list/detail splitter, whose state the window may save."""
        return self._splitter

    def banner_kind(self) -> str:
        """Return "info", "warning" or "error" for the banner shown, else ''."""
        return self._banner_kind if self._banner.isVisible() else ""

    def rules_dialog(self) -> RulesDialog | None:
        """Return the rules dialog once it has been opened, else None."""
        return self._rules_dialog

    # Starting and stopping.

    def set_start_options(
        self,
        port: int = DEFAULT_PORT,
        host: str = DEFAULT_HOST,
        allow_non_loopback: bool = False,
    ) -> None:
        """Set the address the Start button listens on (the port is a setting)."""
        self._port = port
        self._host = host
        self._allow_non_loopback = allow_non_loopback
        self._update_controls()

    def _on_start_triggered(self) -> None:
        if self._controller.state is ReceiverState.RUNNING:
            self._run(self._controller.stop())
        else:
            self.hide_banner()
            self._run(
                self._controller.start(self._port, self._host, self._allow_non_loopback)
            )
        self._update_controls()

    def _run(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exception = task.exception()
        if exception is not None:
            logger.error(
                "an Inbox action failed",
                exc_info=(type(exception), exception, exception.__traceback__),
            )
            self.show_banner(
                fill(
                    self.tr("The receiver action failed: %1. See the log for details."),
                    exception,
                ),
                "error",
            )

    def _on_started(self, _base_url: str) -> None:
        if self._banner_kind == "error":
            self.hide_banner()

    def _on_stopped(self) -> None:
        # A port notice or a listening warning is about the run that ended.
        if self._banner_kind in ("info", "warning"):
            self.hide_banner()

    def _on_state_changed(self) -> None:
        self._update_controls()
        self._update_placeholder()
        if self._detail is not None:
            self._detail.set_base_url(self._controller.base_url)

    def _update_controls(self) -> None:
        state = self._controller.state
        running = state is ReceiverState.RUNNING
        busy = state in (ReceiverState.STARTING, ReceiverState.STOPPING)
        action = self.start_action
        action.blockSignals(True)
        action.setChecked(running or state is ReceiverState.STARTING)
        action.blockSignals(False)
        action.setEnabled(not busy)
        action.setIcon(dot_icon(_RUNNING_COLOUR if running else _STOPPED_COLOUR))
        if state is ReceiverState.STARTING:
            action.setText(self.tr("Starting…"))
        elif state is ReceiverState.STOPPING:
            action.setText(self.tr("Stopping…"))
        elif running:
            action.setText(self.tr("Stop"))
            action.setToolTip(self.tr("Stop the built-in receiver"))
        else:
            action.setText(self.tr("Start"))
            action.setToolTip(
                fill(
                    self.tr("Start the built-in receiver on port %1"),
                    self._port,
                )
            )

        base_url = self._controller.base_url
        if base_url is not None:
            self._address.setText(base_url + "/")
            self._address.setStyleSheet("")
        else:
            self._address.setText(self.tr("Receiver stopped"))
            self._address.setStyleSheet(f"color: {_STOPPED_COLOUR};")
        self.copy_address_action.setEnabled(base_url is not None)

    def copy_address(self) -> str | None:
        """Put the receiver's address, with a final slash, on the clipboard."""
        base_url = self._controller.base_url
        if base_url is None:
            return None
        address = base_url + "/"
        QGuiApplication.clipboard().setText(address)
        return address

    # Requests.

    def _on_requests_added(self, requests: list[ReceivedRequest]) -> None:
        self.model.add_batch(requests)
        self._update_count()
        self._update_placeholder()

    def _on_requests_changed(self, requests: list[ReceivedRequest]) -> None:
        self.model.replace_requests(requests)
        if self._detail is not None:
            for request in requests:
                self._detail.update_request(request)

    def _on_requests_removed(self, below: int) -> None:
        shown = self._detail.request if self._detail is not None else None
        if shown is not None and shown.id < below:
            # Cleared before the rows go, or the view would select a
            # neighbouring row and show a request the user did not pick.
            self.table.selectionModel().clear()
            self.detail.clear()
            self._dropped_notice = fill(
                self.tr(
                    "Request %1 was dropped to keep the Inbox within its limits. "
                    "Select another request."
                ),
                shown.id,
            )
        self.model.remove_below(below)
        self._update_count()
        self._update_placeholder()

    def _on_dropped_count_changed(self, dropped: int) -> None:
        limits = self._controller.limits
        self._dropped.setText(fill(self.tr("%1 dropped"), f"{dropped:,}"))
        self._dropped.setToolTip(
            fill(
                self.tr(
                    "The oldest requests were dropped to keep the Inbox within "
                    "%1 requests and %2 of memory."
                ),
                f"{limits.max_kept_requests:,}",
                format_size(limits.max_kept_bytes),
            )
        )
        self._dropped_action.setVisible(dropped > 0)

    def _update_count(self) -> None:
        count = self.model.rowCount()
        if count == 1:
            self._count.setText(self.tr("1 request"))
        else:
            self._count.setText(fill(self.tr("%1 requests"), f"{count:,}"))

    def _update_placeholder(self) -> None:
        base_url = self._controller.base_url
        if self.model.rowCount() and self._dropped_notice is not None:
            text = self._dropped_notice
        elif self.model.rowCount():
            text = self.tr("Select a request to see its headers, body and credentials.")
        elif base_url is not None:
            text = fill(
                self.tr(
                    "Waiting for requests on %1/. Send Test with the URL "
                    "receiver:/webhook, or point any HTTP client at this address."
                ),
                base_url,
            )
        else:
            text = fill(
                self.tr("The receiver is stopped. Press Start to listen on port %1."),
                self._port,
            )
        if self._detail is None:
            self._detail_placeholder.setText(text)
        else:
            self._detail.set_placeholder(text)

    def _on_selection_changed(
        self, _selected: QItemSelection, _deselected: QItemSelection
    ) -> None:
        rows = self.table.selectionModel().selectedRows()
        request = self.model.request_at(rows[0].row()) if rows else None
        if request is None:
            if self._detail is not None:
                self._detail.clear()
        else:
            if self._dropped_notice is not None:
                self._dropped_notice = None
                self._update_placeholder()
            self.detail.show_request(request)

    def select_request(self, request_id: int) -> bool:
        """Select the row of a request id; False when it is not listed."""
        row = self.model.row_of(request_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def clear(self) -> None:
        """Forget every request, in the receiver's log and in the list."""
        if self._detail is not None:
            self._detail.clear()
        self._controller.clear()
        self._update_count()
        self._update_placeholder()

    # Rules.

    def open_rules_dialog(self) -> RulesDialog:
        """Show the rules dialog with the rules in force, and return it."""
        dialog = self._rules_dialog
        if dialog is None:
            from bchook_studio.gui.inbox.rules_dialog import RulesDialog

            dialog = RulesDialog(self._controller.rules, self)
            dialog.rules_changed.connect(self._on_rules_changed)
            self._rules_dialog = dialog
        elif not dialog.isVisible():
            dialog.set_rules(self._controller.rules)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _on_rules_changed(self, rules: tuple) -> None:
        self._controller.set_rules(rules)
        self.rules_changed.emit(rules)

    # Banner.

    def show_banner(self, text: str, kind: str = "info") -> None:
        """Show a message above the list: kind is "info", "warning" or "error"."""
        self._banner_kind = kind
        self._banner.setStyleSheet(
            f"QWidget#inboxBanner {{ {_BANNER_STYLES[kind]} border-radius: 3px; }}"
        )
        self._banner_text.setText(text)
        self._banner.show()

    def hide_banner(self) -> None:
        self._banner.hide()
        self._banner_kind = ""

    async def aclose(self) -> None:
        """Wait for the panel's own tasks and the detail's preparation to end."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._detail is not None:
            await self._detail.aclose()


def _placeholder_label(parent: QWidget) -> QLabel:
    """Return a label that looks like the detail view's placeholder page."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("color: #5b6b7b;")
    label.setMargin(24)
    return label
