"""The main window: saved webhooks and topics, the webhook edited, the response.

Docks at the bottom hold the Inbox of the built-in receiver, the delivery
history and the endpoint check. The window wires the widgets to the
controllers; the work itself happens in core and in the controllers.

The History and Endpoint check docks build their panels when first shown, and
the modules behind them, the check and the resend, are imported on first use.
That keeps the start-up time and memory close to those of an empty window.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bchook_studio import APP_NAME, __version__
from bchook_studio.core import workers
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.home import app_home
from bchook_studio.core.store import StoreError
from bchook_studio.core.topics import find_topic
from bchook_studio.core.unsafe_text import escaped_for_display
from bchook_studio.core.webhook import DEFAULT_TOPIC, BodyMode, Webhook, resolve_url
from bchook_studio.gui.ask import ask, inform
from bchook_studio.gui.designer import TemplateDesigner
from bchook_studio.gui.error_reporter import error_reporter, report_task_failure
from bchook_studio.gui.inbox import InboxPanel
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.receiver_controller import ReceiverController
from bchook_studio.gui.response_pane import ResponsePane
from bchook_studio.gui.send_controller import SendController
from bchook_studio.gui.send_flow import DeliveryContext, SendFlow
from bchook_studio.gui.sentences import as_sentence, kind_words
from bchook_studio.gui.store_controller import StoreController
from bchook_studio.gui.store_dialogs import (
    ExportWriter,
    ImportFlow,
    NoticeBanner,
    NoticeLevel,
    SecretStorageDialog,
)
from bchook_studio.gui.topic_list import TopicList
from bchook_studio.gui.webhook_form import WebhookForm
from bchook_studio.gui.webhook_session import OpenedWebhook, WebhookSession, new_webhook
from bchook_studio.gui.webhooks_binding import WebhooksBinding
from bchook_studio.gui.webhooks_panel import WebhooksPanel
from bchook_studio.gui.window_settings import (
    bool_setting,
    int_setting,
    restore_saved_state,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent

    from bchook_studio.core.check import CheckPlan
    from bchook_studio.core.check.runner import Recorder
    from bchook_studio.core.delivery.result import DeliveryResult
    from bchook_studio.core.receiver import ReceivedRequest
    from bchook_studio.core.store import WebhookSummary
    from bchook_studio.core.store.secrets import SecretStorePolicy
    from bchook_studio.gui.check_view import CheckView
    from bchook_studio.gui.edit_menu import EditMenu
    from bchook_studio.gui.history_panel import HistoryPanel

logger = logging.getLogger(__name__)

DOCK_MINIMUM_HEIGHT = 90
"""Pixels; an explicit minimum wins over the panels' size hints, so the user can
make a dock short and give the editors the room."""

SERVICES_FALLBACK_MS = 1000
"""Milliseconds after which the store and receiver start even if the window has
not been painted yet (a window that starts hidden or minimized)."""

LONG_LINE_CHARACTERS = 512 * 1024
"""Characters in one body line from which each change to it pauses the window.

The editor lays out a line whole: a 1.8 MiB line took about 0.75 s per typed
character on the 2-core machine of docs/benchmarks.md.
"""

RECEIVER_PORT_SETTING = "receiver.port"
DEFAULT_RECEIVER_PORT = 8765


class MainWindow(QMainWindow):
    """The app window: pick a topic, shape the body, Send Test, read the response."""

    def __init__(
        self,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        receiver_port: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._receiver_port = receiver_port
        self._shutdown_started = False
        self._shutting_down = False
        self._shutdown_task: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Future] = set()
        self._closed = False
        self._select_next_inbox_request = False
        self._history_panel: HistoryPanel | None = None
        self._check_view: CheckView | None = None
        self._secrets_bar: NoticeBanner | None = None
        self._webhook_summaries: list[WebhookSummary] = []
        self._services_started = False
        self._docks_need_size = False
        self.ask_before_discarding = True
        """False skips the unsaved-changes question when closing (scripts, tests)."""
        self.stopped_by_signal = False
        """True once a stop signal started the close, unless the user cancelled it."""

        self._build_controllers()
        self._build_widgets()
        self._build_layout()
        self._order_send_row()
        self._build_docks()
        self._build_actions()
        self._connect()
        self.retranslate_ui()
        self.session.show(OpenedWebhook(self._initial_webhook(), None, None))
        self._restore_window_state()
        QTimer.singleShot(SERVICES_FALLBACK_MS, self._start_services)

    # Construction.

    def _build_controllers(self) -> None:
        self.controller = SendController(self)
        self.store = StoreController(self)
        self.receiver = ReceiverController(self)

    def _build_widgets(self) -> None:
        self.banner = NoticeBanner(self)
        self.webhooks_panel = WebhooksPanel(self)
        self.topic_list = TopicList(self)
        self.form = WebhookForm(self)
        # The window loads its first webhook into the designer at the end of
        # __init__, so the designer skips filling in its default body first.
        self.designer = TemplateDesigner(self, fill_default=False)
        self.response_pane = ResponsePane(self)
        self.inbox = InboxPanel(self.receiver, self)
        self.binding = WebhooksBinding(self.webhooks_panel, self.store)
        self.export_writer = ExportWriter(self.store, self)
        self.import_flow = ImportFlow(self.store, self)
        self.session = WebhookSession(self.store, self.current_webhook, self)
        self.send_flow = SendFlow(
            self, self.designer, self.controller, self.receiver, self.store
        )

        self._send_button = QPushButton(self)
        self._send_button.setDefault(True)
        self._cancel_button = QPushButton(self)
        self._cancel_button.setEnabled(False)
        self._check_button = QPushButton(self)
        self._busy = QProgressBar(self)
        self._busy.setRange(0, 0)
        self._busy.setMaximumWidth(120)
        self._busy.hide()
        self._busy_label = QLabel(self)
        self._busy_label.setTextFormat(Qt.TextFormat.PlainText)
        self._receiver_status = QLabel(self)
        self._receiver_status.setTextFormat(Qt.TextFormat.PlainText)

    def _build_layout(self) -> None:
        send_row = QHBoxLayout()
        send_row.addWidget(self._send_button)
        send_row.addWidget(self._cancel_button)
        send_row.addWidget(self._busy)
        send_row.addWidget(self._busy_label, 1)
        send_row.addWidget(self._check_button)

        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 4, 4, 4)
        centre_layout.addWidget(self.form)
        centre_layout.addLayout(send_row)
        centre_layout.addWidget(self.designer, 1)

        self._left_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self._left_splitter.setObjectName("leftSplitter")
        self._left_splitter.addWidget(self.webhooks_panel)
        self._left_splitter.addWidget(self.topic_list)
        self._left_splitter.setSizes([260, 420])

        self._splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._splitter.setObjectName("mainSplitter")
        self._splitter.addWidget(self._left_splitter)
        self._splitter.addWidget(centre)
        self._splitter.addWidget(self.response_pane)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 3)
        self._splitter.setStretchFactor(2, 2)
        self._splitter.setSizes([240, 660, 500])

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(0)
        top_layout.addWidget(self.banner)
        top_layout.addWidget(self._splitter, 1)
        self._top_layout = top_layout
        self.setCentralWidget(top)
        self.statusBar().addPermanentWidget(self._receiver_status)
        self.resize(1400, 900)

    def _order_send_row(self) -> None:
        """Put Send Test, Cancel and Check endpoint right after the form in Tab order.

        They are built after the designer, so by creation order Tab would stop
        in the body editor first, where it inserts indentation instead.
        """
        first = self.designer.raw_button
        previous = first.previousInFocusChain()
        while previous.isAncestorOf(first) or not (
            previous.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            previous = previous.previousInFocusChain()
        for button in (self._send_button, self._cancel_button, self._check_button):
            QWidget.setTabOrder(previous, button)
            previous = button

    def _build_docks(self) -> None:
        self.inbox_dock = self._dock("inboxDock", self.inbox)
        self.history_dock = self._dock("historyDock", self._placeholder())
        self.check_dock = self._dock("checkDock", self._placeholder())
        area = Qt.DockWidgetArea.BottomDockWidgetArea
        for dock in (self.inbox_dock, self.history_dock, self.check_dock):
            self.addDockWidget(area, dock)
        self.tabifyDockWidget(self.inbox_dock, self.history_dock)
        self.tabifyDockWidget(self.history_dock, self.check_dock)
        self.inbox_dock.raise_()

    def _placeholder(self) -> QWidget:
        """Return an empty widget to put in a dock until its panel is built."""
        return QWidget(self)

    def _dock(self, name: str, widget: QWidget) -> QDockWidget:
        widget.setMinimumHeight(DOCK_MINIMUM_HEIGHT)
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _set_dock_panel(self, dock: QDockWidget, panel: QWidget) -> None:
        placeholder = dock.widget()
        panel.setMinimumHeight(DOCK_MINIMUM_HEIGHT)
        dock.setWidget(panel)
        if placeholder is not None:
            placeholder.deleteLater()

    @property
    def history_panel(self) -> HistoryPanel:
        """The History dock's panel, built on first use."""
        if self._history_panel is None:
            self._history_panel = self._build_history_panel()
        return self._history_panel

    @property
    def check_view(self) -> CheckView:
        """The Endpoint check dock's view, built on first use."""
        if self._check_view is None:
            self._check_view = self._build_check_view()
        return self._check_view

    def _build_history_panel(self) -> HistoryPanel:
        from bchook_studio.gui.history_panel import HistoryPanel

        panel = HistoryPanel(self.store, self)
        panel.set_webhooks(self._webhook_summaries)
        panel.entry_chosen.connect(self._on_history_entry_chosen)
        panel.resend_requested.connect(self._on_history_resend)
        panel.export_requested.connect(self.export_writer.export_entry)
        self._set_dock_panel(self.history_dock, panel)
        if self.store.is_open:
            panel.refresh()
        return panel

    def _build_check_view(self) -> CheckView:
        from bchook_studio.gui.check_view import CheckView

        view = CheckView(self.controller.pool, parent=self)
        view.set_plan_source(self._check_plan)
        view.delivery_chosen.connect(self.response_pane.show_result)
        self._set_dock_panel(self.check_dock, view)
        return view

    def _on_history_dock_visible(self, visible: bool) -> None:
        if visible and self._history_panel is None:
            self._history_panel = self._build_history_panel()

    def _on_check_dock_visible(self, visible: bool) -> None:
        if visible and self._check_view is None:
            self._check_view = self._build_check_view()

    def _on_webhooks_listed(self, summaries: list[WebhookSummary]) -> None:
        self._webhook_summaries = list(summaries)
        if self._history_panel is not None:
            self._history_panel.set_webhooks(summaries)

    def _menu_copy(self, list_action: QAction) -> QAction:
        """Return a menu action that triggers `list_action` and follows its text
        and state.

        The list's own actions have shortcuts that work only in the list (F2 and
        Del edit text elsewhere), so the menu shows copies without them.
        """
        copy = QAction(self)

        def follow() -> None:
            copy.setText(list_action.text())
            copy.setToolTip(list_action.toolTip())
            copy.setEnabled(list_action.isEnabled())

        list_action.changed.connect(follow)
        copy.triggered.connect(list_action.trigger)
        follow()
        return copy

    def _build_edit_entries(self) -> None:
        if self._edit_entries is not None:
            return
        from bchook_studio.gui.edit_menu import EditMenu

        self._edit_entries = EditMenu(self, self._edit_menu)
        self._edit_entries.retranslate(self.tr)
        # EditMenu updates the entries on later openings. This opening's signal
        # came before EditMenu connected to it.
        self._edit_entries.update_actions()

    def _build_actions(self) -> None:
        self.send_action = QAction(self)
        self.send_action.setShortcuts(
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
        )
        self.send_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.cancel_action = QAction(self)
        self.cancel_action.setShortcut(QKeySequence("Ctrl+."))
        self.cancel_action.setEnabled(False)
        self.check_action = QAction(self)
        self.check_action.setShortcut(QKeySequence("Ctrl+Shift+Return"))
        self.copy_rendered_action = QAction(self)
        self.copy_rendered_action.setShortcut(QKeySequence("Ctrl+Alt+C"))
        # The Inbox toolbar's buttons take no keyboard focus, so the menu
        # offers the same commands.
        self.receiver_toggle_action = QAction(self)
        self.receiver_toggle_action.triggered.connect(self.inbox.start_action.trigger)
        self.receiver_rules_action = QAction(self)
        self.receiver_rules_action.triggered.connect(self.inbox.rules_action.trigger)
        self.clear_inbox_action = QAction(self)
        self.clear_inbox_action.triggered.connect(self.inbox.clear_action.trigger)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.find_topic_action = QAction(self)
        self.find_topic_action.setShortcut(QKeySequence("Ctrl+T"))
        self.secret_storage_action = QAction(self)
        self.secret_storage_action.triggered.connect(self.open_secret_storage_dialog)
        self.import_action = QAction(self)
        self.export_action = QAction(self)
        self.open_log_action = QAction(self)
        self.about_action = QAction(self)
        self.new_action = self.webhooks_panel.new_action
        self.save_action = self.webhooks_panel.save_action

        self._file_menu = self.menuBar().addMenu("")
        self._file_menu.addAction(self.new_action)
        self._file_menu.addAction(self.save_action)
        self._file_menu.addSeparator()
        self._file_menu.addAction(self.import_action)
        self._file_menu.addAction(self.export_action)
        self._file_menu.addSeparator()
        self._file_menu.addAction(self.secret_storage_action)
        self._file_menu.addSeparator()
        self._file_menu.addAction(self.quit_action)
        # The Edit menu's entries are built when it first opens, which keeps
        # their module out of the start-up.
        self._edit_menu = self.menuBar().addMenu("")
        self._edit_entries: EditMenu | None = None
        self._edit_menu.aboutToShow.connect(self._build_edit_entries)
        self._webhook_menu = self.menuBar().addMenu("")
        self._webhook_menu.addAction(self.send_action)
        self._webhook_menu.addAction(self.cancel_action)
        self._webhook_menu.addAction(self.check_action)
        self._webhook_menu.addSeparator()
        self._webhook_menu.addAction(self.copy_rendered_action)
        self._webhook_menu.addAction(self.find_topic_action)
        self._webhook_menu.addSeparator()
        panel = self.webhooks_panel
        for list_action in (
            panel.duplicate_action,
            panel.rename_action,
            panel.delete_action,
            panel.undo_delete_action,
        ):
            self._webhook_menu.addAction(self._menu_copy(list_action))
        self._view_menu = self.menuBar().addMenu("")
        for dock in (self.inbox_dock, self.history_dock, self.check_dock):
            self._view_menu.addAction(dock.toggleViewAction())
        self._view_menu.addSeparator()
        self._view_menu.addAction(self.receiver_toggle_action)
        self._view_menu.addAction(self.receiver_rules_action)
        self._view_menu.addAction(self.clear_inbox_action)
        self._help_menu = self.menuBar().addMenu("")
        self._help_menu.addAction(self.open_log_action)
        self._help_menu.addAction(self.about_action)
        for action in (self.send_action, self.new_action, self.save_action):
            self.addAction(action)

    def _connect(self) -> None:
        self.send_action.triggered.connect(self._on_send_triggered)
        self._send_button.clicked.connect(self._on_send_triggered)
        self.cancel_action.triggered.connect(self.controller.cancel)
        self._cancel_button.clicked.connect(self.controller.cancel)
        self.check_action.triggered.connect(self._on_check_triggered)
        self._check_button.clicked.connect(self._on_check_triggered)
        self.copy_rendered_action.triggered.connect(self._on_copy_rendered)
        self.quit_action.triggered.connect(self.close)
        self.find_topic_action.triggered.connect(self._on_find_topic)
        self.import_action.triggered.connect(self.import_flow.start)
        self.export_action.triggered.connect(self.export_writer.export_definitions)
        self.open_log_action.triggered.connect(self._on_open_log_folder)
        self.about_action.triggered.connect(self._on_about)

        self.controller.started.connect(self._on_delivery_started)
        self.controller.elapsed.connect(self._on_delivery_elapsed)
        self.controller.finished.connect(self._on_delivery_finished)
        self.send_flow.not_sent.connect(self.response_pane.show_not_sent)
        self.send_flow.sent_to_receiver.connect(self._on_sent_to_receiver)

        self.topic_list.topic_chosen.connect(self._on_topic_chosen)
        self.form.topic_changed.connect(self._on_topic_chosen)
        self.form.format_changed.connect(self._on_format_changed)
        self.form.changed.connect(self._on_edited)
        self.designer.changed.connect(self._on_edited)
        self.designer.body_editor.paragraph_separators_replaced.connect(
            self._warn_about_paragraph_separators
        )
        self.designer.event_editor.paragraph_separators_replaced.connect(
            self._warn_about_event_paragraph_separators
        )
        self.designer.status_message.connect(self._show_status)

        self.session.opened.connect(self._on_webhook_opened)
        self.session.dirty_changed.connect(self._on_dirty_changed)
        self.session.saved.connect(self._on_webhook_saved)
        self.new_action.triggered.connect(self._on_new_triggered)
        self.save_action.triggered.connect(self._on_save_triggered)
        self.webhooks_panel.webhook_chosen.connect(self._on_webhook_chosen)
        self.binding.webhook_deleted.connect(self.session.forget)
        self.binding.webhook_renamed.connect(self._on_webhook_renamed)
        self.binding.webhook_restored.connect(self._on_webhook_restored)
        self.binding.webhooks_listed.connect(self._on_webhooks_listed)
        self.binding.error_occurred.connect(self._show_status)

        self.store.notices_ready.connect(self.banner.show_notices)
        self.store.read_only_changed.connect(self._on_store_read_only)
        self.store.secrets_choice_needed.connect(self._on_secrets_choice_needed)
        self.store.history_record_failed.connect(self._show_status)
        self.export_writer.finished.connect(self._show_status)
        self.export_writer.failed.connect(self._on_export_failed)

        self.receiver.started.connect(self._on_receiver_started)
        self.receiver.stopped.connect(self._on_receiver_stopped)
        self.receiver.requests_added.connect(self._on_inbox_requests_added)
        self.inbox.resend_requested.connect(self._on_inbox_resend)
        self.inbox.use_as_event_requested.connect(self._on_use_as_event)
        self.inbox.rules_changed.connect(self.session.set_receiver_rules)

        self.history_dock.visibilityChanged.connect(self._on_history_dock_visible)
        self.check_dock.visibilityChanged.connect(self._on_check_dock_visible)
        error_reporter().error_reported.connect(self._on_unhandled_error)

    def retranslate_ui(self) -> None:
        self._send_button.setText(self.tr("Send Test"))
        self._send_button.setToolTip(self.tr("Send the body to the URL (Ctrl+Enter)"))
        self._cancel_button.setText(self.tr("Cancel"))
        self._cancel_button.setToolTip(self.tr("Stop the request in flight (Ctrl+.)"))
        self._check_button.setText(self.tr("Check endpoint…"))
        self._check_button.setToolTip(
            self.tr("Send every topic with these settings and judge the answers")
        )
        self.send_action.setText(self.tr("&Send Test"))
        self.cancel_action.setText(self.tr("&Cancel request"))
        self.check_action.setText(self.tr("Check &endpoint…"))
        self.copy_rendered_action.setText(self.tr("Copy &rendered body"))
        self.quit_action.setText(self.tr("&Quit"))
        self.find_topic_action.setText(self.tr("Find &topic…"))
        self.import_action.setText(self.tr("&Import webhooks or a cURL command…"))
        self.secret_storage_action.setText(self.tr("Where secrets are &kept…"))
        self.export_action.setText(self.tr("&Export saved webhooks…"))
        self.open_log_action.setText(self.tr("Open &log folder"))
        self.about_action.setText(fill(self.tr("&About %1"), APP_NAME))
        self._file_menu.setTitle(self.tr("&File"))
        self._edit_menu.setTitle(self.tr("&Edit"))
        if self._edit_entries is not None:
            self._edit_entries.retranslate(self.tr)
        self._webhook_menu.setTitle(self.tr("&Webhook"))
        self._view_menu.setTitle(self.tr("&View"))
        self._help_menu.setTitle(self.tr("&Help"))
        self.inbox_dock.setWindowTitle(self.tr("Inbox"))
        self.history_dock.setWindowTitle(self.tr("History"))
        self.check_dock.setWindowTitle(self.tr("Endpoint check"))
        # The menu entries get access keys that the dock titles do not show.
        self.inbox_dock.toggleViewAction().setText(self.tr("&Inbox"))
        self.history_dock.toggleViewAction().setText(self.tr("&History"))
        self.check_dock.toggleViewAction().setText(self.tr("Endpoint chec&k"))
        self.receiver_toggle_action.setText(self.tr("Start or stop the &receiver"))
        self.receiver_rules_action.setText(self.tr("Receiver r&ules…"))
        self.clear_inbox_action.setText(self.tr("C&lear the Inbox"))
        self._receiver_status.setText(self.tr("Receiver starting…"))
        self._update_title()

    # Start-up services.

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._services_started:
            # The store and the receiver start once the window is on screen,
            # so their work does not delay the first paint.
            QTimer.singleShot(0, self._start_services)

    def _start_services(self) -> None:
        if self._services_started:
            return
        self._services_started = True
        self._run(self._start_services_async())

    async def _start_services_async(self) -> None:
        """Open the store, list saved webhooks and start the built-in receiver."""
        try:
            await self.store.open()
        except (StoreError, OSError) as exc:
            logger.warning("opening the store failed: %s", exc)
            self.banner.show_message(as_sentence(str(exc)), NoticeLevel.ERROR)
        else:
            self.binding.refresh()

        port = self._receiver_port
        if port is None:
            port = int_setting(
                self._settings, RECEIVER_PORT_SETTING, DEFAULT_RECEIVER_PORT, 0, 65535
            )
        self.inbox.set_start_options(port=port)
        await self.receiver.start(port)

    def _run(self, coroutine) -> asyncio.Future:
        """Run a coroutine as a task that the window keeps until it ends."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(report_task_failure)
        return task

    # The open webhook.

    def _initial_webhook(self) -> Webhook:
        key = str(self._settings.value("last_topic", DEFAULT_TOPIC))
        body_format = BodyFormat.JSON
        if self._settings.value("last_format") == "xml":
            body_format = BodyFormat.XML
        return new_webhook(key, body_format)

    def current_webhook(self) -> Webhook:
        """Return the webhook as the form and the designer now show it."""
        return self.designer.apply_to_webhook(self.form.webhook())

    def _on_webhook_opened(self, opened: OpenedWebhook) -> None:
        webhook = opened.webhook
        self.form.set_webhook(webhook)
        self.topic_list.select_topic(webhook.topic_key)
        self.designer.load_webhook(webhook)
        if opened.receiver_rules:
            self.receiver.set_rules(opened.receiver_rules)
        self.webhooks_panel.select(opened.webhook_id)
        self._update_title()
        self._warn_about_long_line(webhook.body)

    def _warn_about_paragraph_separators(self, count: int) -> None:
        """Show a banner explaining that U+2029 characters became line breaks."""
        if count == 1:
            found = self.tr(
                "The body contained a paragraph separator character (U+2029). The "
                "editor keeps text as lines, so it became a line break and is "
                "sent as LF."
            )
        else:
            found = fill(
                self.tr(
                    "The body contained %1 paragraph separator characters "
                    "(U+2029). The editor keeps text as lines, so each became a "
                    "line break and is sent as LF."
                ),
                f"{count:,}",
            )
        advice = self.tr(
            "To send the body unchanged, use bchook-studio send --body FILE."
        )
        self.banner.show_message(f"{found} {advice}", NoticeLevel.WARNING)

    def _warn_about_event_paragraph_separators(self, count: int) -> None:
        """Show a banner explaining that U+2029 in the event data became line
        breaks."""
        if count == 1:
            found = self.tr(
                "The event data contained a paragraph separator character "
                "(U+2029), which the editor turned into a line break."
            )
        else:
            found = fill(
                self.tr(
                    "The event data contained %1 paragraph separator characters "
                    "(U+2029), which the editor turned into line breaks."
                ),
                f"{count:,}",
            )
        advice = self.tr("Inside a JSON string, write the character as \\u2029.")
        self.banner.show_message(f"{found} {advice}", NoticeLevel.WARNING)

    def _warn_about_long_line(self, body: str) -> None:
        """Show a banner when `body` has a line long enough to make editing slow."""
        if len(body) < LONG_LINE_CHARACTERS:
            return
        longest = max(len(line) for line in body.splitlines())
        if longest < LONG_LINE_CHARACTERS:
            return
        self.banner.show_message(
            fill(
                self.tr(
                    "The body has a line of %1 characters. The editor lays out a "
                    "line whole, so each change to it pauses the window, for about "
                    "0.4 s per MiB on a 2-core machine. Break the line, or edit the "
                    "body in another editor and paste it back."
                ),
                f"{longest:,}",
            ),
            NoticeLevel.WARNING,
        )

    def _on_edited(self, *_args: object) -> None:
        self.session.edited()
        self._update_title()

    def _on_dirty_changed(self, dirty: bool) -> None:
        self.setWindowModified(dirty)
        name = self.form.name_edit.text().strip() or None
        self.webhooks_panel.mark_unsaved(self.session.open_id, dirty, name)

    def _on_webhook_saved(self, webhook_id: int) -> None:
        self.webhooks_panel.mark_unsaved(None, False)
        self.binding.refresh()
        self.webhooks_panel.select(webhook_id)
        self._show_status(self.tr("Saved."))
        name = self.current_webhook().name
        self._run(self._warn_about_session_secrets(webhook_id, name))

    async def _warn_about_session_secrets(self, webhook_id: int, name: str) -> None:
        from bchook_studio.core.store.secrets import SecretStorePolicy, describe_field

        try:
            locations = await self.store.secret_locations(webhook_id)
        except StoreError as exc:
            logger.info(
                "reading where webhook %d keeps its secrets failed: %s", webhook_id, exc
            )
            return
        fields = [
            describe_field(name)
            for name, location in sorted(locations.items())
            if location is SecretStorePolicy.SESSION_ONLY
        ]
        if not fields:
            return
        self._show_secrets_message(
            fill(
                self.tr(
                    "“%1” was saved, but its secrets (%2) are kept only until Hook "
                    "Studio closes, because no keychain is available. File → Where "
                    "secrets are kept… can keep them in the database file instead."
                ),
                name,
                ", ".join(fields),
            )
        )

    def _on_webhook_restored(self, webhook_id: int) -> None:
        if not self.session.restored(webhook_id):
            return
        self.webhooks_panel.mark_unsaved(None, False)
        self.webhooks_panel.select(webhook_id)
        self._update_title()

    def _on_webhook_renamed(self, webhook_id: int, name: str) -> None:
        previous = self.session.renamed(webhook_id, name)
        if previous is None:
            return
        # A name typed in the form and not yet saved is kept, as other unsaved
        # edits are, and still differs from the saved name.
        if self.form.webhook().name == previous:
            self.form.name_edit.setText(name)
        self.session.check_dirty()
        self._update_title()

    def _update_title(self) -> None:
        name = self.form.name_edit.text().strip() or self.tr("New webhook")
        self.setWindowTitle(f"{APP_NAME} — {escaped_for_display(name)}[*]")

    def _on_new_triggered(self) -> None:
        self._run(
            self.session.open_new(
                self.form.webhook().topic_key, self.form.body_format()
            )
        )

    def _on_save_triggered(self) -> None:
        self._run(self.session.save())

    def _on_webhook_chosen(self, webhook_id: int) -> None:
        self._run(self._open_saved(webhook_id))

    async def _open_saved(self, webhook_id: int) -> None:
        if not await self.session.open_saved(webhook_id):
            self.webhooks_panel.select(self.session.open_id)

    # Topic and format.

    def _on_topic_chosen(self, key: str) -> None:
        topic = find_topic(key)
        self.form.set_topic(key)
        self.topic_list.select_topic(key)
        self.designer.set_topic(topic)
        if self.designer.body_mode() is BodyMode.RAW:
            message = self.tr(
                "Body and event data replaced with the example of %1 (Ctrl+Z in the "
                "editor undoes)."
            )
        else:
            message = self.tr("Event data replaced with the example of %1.")
        self._show_status(fill(message, topic.title))
        self._settings.setValue("last_topic", key)
        self._on_edited()

    def _on_format_changed(self, new_format: BodyFormat) -> None:
        plan = self.designer.format_switch_plan(new_format)
        if plan.needs_answer:
            self._run(self._ask_format_switch(new_format, plan.reason))
        else:
            self._apply_format(new_format)

    async def _ask_format_switch(self, new_format: BodyFormat, reason: str) -> None:
        old_format = BodyFormat.JSON if new_format is BodyFormat.XML else BodyFormat.XML
        answer = await ask(
            self,
            self.tr("Change the format"),
            reason,
            [
                (self.tr("Replace"), QMessageBox.ButtonRole.AcceptRole),
                (
                    fill(self.tr("Keep %1"), old_format.value.upper()),
                    QMessageBox.ButtonRole.RejectRole,
                ),
            ],
            informative=fill(
                self.tr(
                    "Replace discards the current text and puts a new %1 body in "
                    "its place (Ctrl+Z in the editor brings the text back). Keep %2 "
                    "leaves the body and the Content-Type as they are."
                ),
                new_format.value.upper(),
                old_format.value.upper(),
            ),
        )
        if answer != 0:
            self.form.set_format(old_format)
            return
        self._apply_format(new_format)

    def _apply_format(self, new_format: BodyFormat) -> None:
        self.designer.set_format(new_format, replace=True)
        self._settings.setValue("last_format", new_format.value)
        self._on_edited()

    # Sending.

    def _on_send_triggered(self) -> None:
        problems = self.form.header_problems()
        if problems:
            # Every problem at once, rather than the first one per attempt.
            lines = [self.tr("Nothing was sent. Fix these custom headers:")]
            lines += [f"• {problem}" for problem in problems]
            self.response_pane.show_not_sent("\n".join(lines))
            self.form.show_headers()
            return
        self.send_flow.send_webhook(self.current_webhook(), self.session.open_id)

    def _on_delivery_started(self, request) -> None:
        self._cancel_button.setEnabled(True)
        self.cancel_action.setEnabled(True)
        self._busy.show()
        self._busy_label.setText(self.tr("Sending…"))
        self.response_pane.show_pending(request.url)

    def _on_delivery_elapsed(self, elapsed_ms: float) -> None:
        self._busy_label.setText(f"{elapsed_ms / 1000:.1f} s")
        self.response_pane.show_elapsed(elapsed_ms)

    def _on_delivery_finished(self, result: DeliveryResult) -> None:
        if not self.controller.is_busy():
            self._cancel_button.setEnabled(False)
            self.cancel_action.setEnabled(False)
            self._busy.hide()
            self._busy_label.clear()
            self.response_pane.show_result(result)
        self.statusBar().showMessage(self._describe(result), 15000)

    def _describe(self, result: DeliveryResult) -> str:
        if result.response is not None:
            status = f"{result.response.status} {result.response.reason}".strip()
            elapsed = f"{result.elapsed_ms:.0f}"
            if result.failure is not None:
                return fill(
                    self.tr("Last delivery: %1, then %2, in %3 ms"),
                    escaped_for_display(status),
                    kind_words(result.failure.kind.value),
                    elapsed,
                )
            return fill(
                self.tr("Last delivery: %1 in %2 ms"),
                escaped_for_display(status),
                elapsed,
            )
        assert result.failure is not None
        return fill(self.tr("Last delivery: %1"), kind_words(result.failure.kind.value))

    def _on_sent_to_receiver(self) -> None:
        self._select_next_inbox_request = True

    def _on_inbox_requests_added(self, requests: list) -> None:
        if self._select_next_inbox_request and requests:
            self._select_next_inbox_request = False
            self.inbox.select_request(requests[-1].id)

    def _on_copy_rendered(self) -> None:
        self._run(self._copy_rendered())

    async def _copy_rendered(self) -> None:
        result = await self.designer.copy_rendered_body()
        if result.text is None:
            self._show_status(
                self.tr("The body could not be rendered; nothing copied.")
            )
        else:
            self._show_status(
                self.tr("Rendered body copied; paste it into BrainCert's body field.")
            )

    # History, Inbox and check.

    def _on_history_entry_chosen(self, entry_id: int) -> None:
        self._run(self._show_history_entry(entry_id))

    async def _show_history_entry(self, entry_id: int) -> None:
        try:
            entry = await self.store.history_entry(entry_id)
        except StoreError as exc:
            self._show_status(str(exc))
            return
        self.response_pane.show_result(entry.to_result(), stored=True)

    def _on_history_resend(self, entry_id: int) -> None:
        self._run(self._resend_history_entry(entry_id))

    async def _resend_history_entry(self, entry_id: int) -> None:
        from bchook_studio.core.store.resend import ResendError

        try:
            entry = await self.store.history_entry(entry_id)
            request = await self.store.resend_request(entry_id)
        except (StoreError, ResendError) as exc:
            inform(self, self.tr("Resend"), as_sentence(str(exc)), warning=True)
            return
        context = DeliveryContext(entry.webhook_id, entry.webhook_name, entry.topic_key)
        self.send_flow.send_request(request, context)

    def _on_inbox_resend(self, received: ReceivedRequest) -> None:
        from bchook_studio.gui.inbox.resend_dialog import ResendDialog

        dialog = ResendDialog(received, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.url_accepted.connect(lambda url: self._resend_received(received, url))
        dialog.show()

    def _resend_received(self, received: ReceivedRequest, url: str) -> None:
        from bchook_studio.core.inbox.exports import resend_request

        try:
            target = resolve_url(url, self.receiver.base_url)
        except ValueError as exc:
            inform(self, self.tr("Resend"), as_sentence(str(exc)), warning=True)
            return
        self.send_flow.send_request(
            resend_request(received, target), DeliveryContext(None, None, None)
        )

    def _on_use_as_event(self, topic_key: str, event_text: str) -> None:
        topic = find_topic(topic_key)
        self.form.set_topic(topic_key)
        self.topic_list.select_topic(topic_key)
        self.designer.use_event(topic, event_text)
        self._show_status(
            fill(self.tr("The received body is now the event data of %1."), topic.title)
        )
        self._on_edited()

    def _on_check_triggered(self) -> None:
        plan, record = self._check_plan()
        self.check_view.set_recorder(record)
        self.check_view.set_plan(plan)
        self.check_dock.show()
        self.check_dock.raise_()

    def _check_plan(self) -> tuple[CheckPlan, Recorder]:
        """Return a check plan of the webhook as the form shows it, and its recorder."""
        from bchook_studio.core.check import CheckPlan

        webhook = self.current_webhook()
        webhook_id = self.session.open_id
        secret_headers = [row.name for row in webhook.headers if row.secret]

        def record(delivery, topic, run_id):
            # The check waits for the entry id, which its reports name.
            return self.store.record_delivery(
                delivery,
                webhook_id,
                webhook.name,
                topic.key,
                run_id,
                secret_query_parameters=webhook.secret_query_parameters,
                secret_headers=secret_headers,
            )

        plan = CheckPlan.from_webhook(webhook, receiver_base=self.receiver.base_url)
        return plan, record

    # Store, receiver and errors.

    def _on_store_read_only(self, read_only: bool) -> None:
        self.webhooks_panel.set_read_only(read_only)
        if self._history_panel is not None:
            self._history_panel.set_read_only(read_only)
        self.save_action.setEnabled(not read_only)
        # A read-only database can record no choice.
        self.secret_storage_action.setEnabled(not read_only)

    def _on_secrets_choice_needed(self) -> None:
        """Say in a bar that there is no keychain, with a button to choose.

        A bar in the window, not a dialog: the choice matters only once a
        secret is saved, and until then secrets stay for the session. A dialog
        would also be a second window, about 0.75 MiB of the idle app. A
        read-only database can record no choice, so it gets no bar.
        """
        if self.store.read_only:
            return
        self._show_secrets_message(
            self.tr(
                "Hook Studio found no system keychain it can use, so the passwords "
                "and secret header values of saved webhooks are kept until it "
                "closes. You can keep them in the database file instead."
            )
        )

    def _show_secrets_message(self, text: str) -> None:
        """Show `text` in the secrets bar, with the button that opens the choice.

        Messages about secrets go there, so that they leave the store's notices
        in the banner above.
        """
        if self._secrets_bar is None:
            self._secrets_bar = NoticeBanner(self)
            self._secrets_bar.action_triggered.connect(self.open_secret_storage_dialog)
            self._top_layout.insertWidget(1, self._secrets_bar)
        action = None
        if self.secret_storage_action.isEnabled():
            action = self.tr("Choose where secrets are kept…")
        self._secrets_bar.show_message(text, NoticeLevel.WARNING, action=action)

    @property
    def secrets_bar(self) -> NoticeBanner | None:
        """The bar that offers the secrets choice, once it was needed."""
        return self._secrets_bar

    def open_secret_storage_dialog(self) -> SecretStorageDialog:
        """Open the choice of where secrets go without a keychain; return it.

        The dialog deletes itself when it closes.
        """
        dialog = SecretStorageDialog(self.store.database_path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self._on_secret_storage_chosen)
        dialog.open()
        return dialog

    def _on_secret_storage_chosen(self, policy: SecretStorePolicy) -> None:
        self._run(self._choose_secret_storage(policy))

    async def _choose_secret_storage(self, policy: SecretStorePolicy) -> None:
        try:
            await self.store.choose_secret_storage(policy)
        except StoreError as exc:
            logger.warning("recording where secrets go failed: %s", exc)
            self._show_secrets_message(
                fill(
                    self.tr("The choice of where secrets go was not saved: %1"),
                    as_sentence(str(exc)),
                )
            )
            return
        if self._secrets_bar is not None:
            self._secrets_bar.hide()
        self._show_status(self.tr("Secrets saved from now on go where you chose."))

    def _on_receiver_started(self, base_url: str) -> None:
        self._receiver_status.setText(fill(self.tr("Receiver: %1/"), base_url))
        self.form.set_receiver_address(base_url)

    def _on_receiver_stopped(self) -> None:
        self._receiver_status.setText(self.tr("Receiver stopped"))
        self.form.set_receiver_address(None)

    def _on_unhandled_error(self, summary: str) -> None:
        self.banner.show_message(
            fill(
                self.tr(
                    "Something went wrong inside Hook Studio: %1. The app keeps "
                    "running; the details are in the log (Help → Open log folder)."
                ),
                summary.rstrip("."),
            ),
            NoticeLevel.ERROR,
        )

    def _on_export_failed(self, message: str) -> None:
        # A dialog, as for a failed import: a status message is easy to miss.
        self._show_status(message)
        inform(self, self.tr("Export failed"), message, warning=True)

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    # Menu actions.

    def _on_find_topic(self) -> None:
        self.topic_list.filter_box.setFocus()
        self.topic_list.filter_box.selectAll()

    def _on_open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(app_home())))

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            fill(self.tr("About %1"), APP_NAME),
            fill(
                self.tr(
                    "%1 %2\n\nDesign, send and receive BrainCert LMS webhooks on "
                    "your own machine. The XML layout, the template syntax and the "
                    "User-Agent are the studio's own choices; BrainCert documents "
                    "none of them."
                ),
                APP_NAME,
                __version__,
            ),
        )

    # Window state and closing.

    def _restore_window_state(self) -> None:
        restore_saved_state(
            self._settings, "window/geometry", self.restoreGeometry, self.saveGeometry
        )
        if not restore_saved_state(
            self._settings, "window/state", self.restoreState, self.saveState
        ):
            # The docks get their height when the window is shown and has its
            # own, before it first paints.
            self._docks_need_size = True
        for key, splitter in (
            ("window/splitter", self._splitter),
            ("window/left_splitter", self._left_splitter),
            ("window/inbox_splitter", self.inbox.splitter),
        ):
            restore_saved_state(
                self._settings, key, splitter.restoreState, splitter.saveState
            )
        if bool_setting(self._settings, "view/side_by_side", False):
            self.designer.side_by_side_button.setChecked(True)
        if not bool_setting(self._settings, "view/pretty", True):
            self.response_pane.pretty_box.setChecked(False)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._docks_need_size:
            self._docks_need_size = False
            self._size_docks()

    def _size_docks(self) -> None:
        height = max(160, self.height() // 3)
        self.resizeDocks([self.inbox_dock], [height], Qt.Orientation.Vertical)

    def _save_window_state(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState())
        self._settings.setValue("window/splitter", self._splitter.saveState())
        self._settings.setValue("window/left_splitter", self._left_splitter.saveState())
        self._settings.setValue(
            "window/inbox_splitter", self.inbox.splitter.saveState()
        )
        self._settings.setValue(
            "view/side_by_side", self.designer.side_by_side_button.isChecked()
        )
        self._settings.setValue(
            "view/pretty", self.response_pane.pretty_box.isChecked()
        )
        self._settings.setValue("last_topic", self.form.webhook().topic_key)
        self._settings.setValue("last_format", self.form.body_format().value)
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        event.ignore()
        if not self._shutdown_started:
            self._shutdown_started = True
            self._shutdown_task = asyncio.ensure_future(self._close_flow())

    def close_on_signal(self) -> bool:
        """Close as the window's close button does, for SIGINT or SIGTERM.

        A second signal while the unsaved-changes question is open closes
        without saving, as a second Ctrl+C in a terminal is expected to.
        Return False when the window is already shutting down, so that the
        caller can stop the process at once instead.
        """
        self.stopped_by_signal = True
        if not self._shutdown_started:
            self.close()
            return True
        if self._shutting_down:
            return False
        logger.warning("closing on a second signal; unsaved edits are discarded")
        if self._shutdown_task is not None:
            self._shutdown_task.cancel()
        self._shutdown_task = asyncio.ensure_future(self._shut_down())
        return True

    async def _close_flow(self) -> None:
        """Ask about unsaved edits, then shut down in order and close."""
        logger.info("closing the window")
        if self.ask_before_discarding and not await self.session.confirm_discard():
            self._shutdown_started = False
            self.stopped_by_signal = False
            return
        await self._shut_down()

    async def _shut_down(self) -> None:
        """Stop everything in order: checks and sends, the receiver, the HTTP
        clients, the store, the workers; then save the window state and close."""
        self._shutting_down = True
        steps = (
            ("the endpoint check", self._check_view),
            ("Send Test", self.send_flow),
            ("the receiver", self.receiver),
            ("the Inbox", self.inbox),
            ("the designer", self.designer),
            ("the HTTP clients", self.controller),
            ("the history panel", self._history_panel),
            ("the webhooks list", self.binding),
            ("exports", self.export_writer),
            ("imports", self.import_flow),
            ("the store", self.store),
        )
        # Closing waits for the store to write queued deliveries, up to about
        # 20 s while another program locks the database.
        self.statusBar().showMessage(
            self.tr("Closing: stopping the receiver and writing the history…")
        )
        for control in (
            self._send_button,
            self._check_button,
            self.send_action,
            self.check_action,
        ):
            control.setEnabled(False)
        self.controller.cancel()
        for name, part in steps:
            if part is None:  # a dock panel that was never built
                continue
            close = part.aclose
            logger.debug("closing %s", name)
            try:
                await close()
            except Exception:
                logger.exception("closing %s failed", name)
        for task in list(self._tasks):
            task.cancel()
        self.response_pane.cancel_preparation()
        try:
            await workers.aclose()
        except Exception:
            logger.exception("stopping the worker processes failed")
        self._save_window_state()
        self._closed = True
        self.close()
