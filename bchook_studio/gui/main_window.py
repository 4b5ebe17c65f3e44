"""The main window: topics, the webhook being edited, and the answer."""

import asyncio
import logging

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bchook_studio import APP_NAME, __version__
from bchook_studio.core import workers
from bchook_studio.core.bodies import check_body, default_body
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.formats import (
    BodyFormat,
    FormatError,
    check_json,
    check_xml,
    json_text_to_xml_text,
    xml_text_to_json_text,
)
from bchook_studio.core.home import app_home
from bchook_studio.core.logs import register_secret
from bchook_studio.core.topics import find_topic
from bchook_studio.core.webhook import DEFAULT_TOPIC, Webhook
from bchook_studio.gui.editor.code_editor import CodeEditor
from bchook_studio.gui.response_pane import ResponsePane
from bchook_studio.gui.send_controller import SendController
from bchook_studio.gui.topic_list import TopicList
from bchook_studio.gui.webhook_form import WebhookForm

logger = logging.getLogger(__name__)

_CHECK_DELAY_MS = 300


class MainWindow(QMainWindow):
    """One window per app: pick a topic, shape the body, Send Test, read the answer."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._shutdown_started = False
        self._shutdown_task: asyncio.Future[None] | None = None
        self._closed = False

        self.controller = SendController(self)
        self.topic_list = TopicList(self)
        self.form = WebhookForm(self)
        self.body_editor = CodeEditor(self)
        self.response_pane = ResponsePane(self)

        self._send_button = QPushButton(self)
        self._send_button.setDefault(True)
        self._cancel_button = QPushButton(self)
        self._cancel_button.setEnabled(False)
        self._busy = QProgressBar(self)
        self._busy.setRange(0, 0)
        self._busy.setMaximumWidth(120)
        self._busy.hide()
        self._busy_label = QLabel(self)
        self._busy_label.setTextFormat(Qt.TextFormat.PlainText)
        self._body_status = QLabel(self)
        self._body_status.setTextFormat(Qt.TextFormat.PlainText)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(_CHECK_DELAY_MS)

        self._build_layout()
        self._build_actions()
        self._connect()
        self.retranslate_ui()
        self._open_webhook(self._initial_webhook())
        self._restore_window_state()

    # Layout and actions.

    def _build_layout(self) -> None:
        send_row = QHBoxLayout()
        send_row.addWidget(self._send_button)
        send_row.addWidget(self._cancel_button)
        send_row.addWidget(self._busy)
        send_row.addWidget(self._busy_label, 1)

        self._body_tabs = QTabWidget(self)
        body_page = QWidget(self)
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.body_editor, 1)
        body_layout.addWidget(self._body_status)
        self._body_tabs.addTab(body_page, "")

        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 4, 4, 4)
        centre_layout.addWidget(self.form)
        centre_layout.addLayout(send_row)
        centre_layout.addWidget(self._body_tabs, 1)

        self._splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self._splitter.setObjectName("mainSplitter")
        self._splitter.addWidget(self.topic_list)
        self._splitter.addWidget(centre)
        self._splitter.addWidget(self.response_pane)
        self._splitter.setStretchFactor(0, 0)
        self._splitter.setStretchFactor(1, 3)
        self._splitter.setStretchFactor(2, 2)
        self._splitter.setSizes([220, 640, 520])
        self.setCentralWidget(self._splitter)
        self.resize(1400, 860)

    def _build_actions(self) -> None:
        self.send_action = QAction(self)
        self.send_action.setShortcuts(
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
        )
        self.send_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.cancel_action = QAction(self)
        self.cancel_action.setShortcut(QKeySequence("Ctrl+."))
        self.cancel_action.setEnabled(False)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.find_topic_action = QAction(self)
        self.find_topic_action.setShortcut(QKeySequence("Ctrl+T"))
        self.open_log_action = QAction(self)
        self.about_action = QAction(self)

        self._file_menu = self.menuBar().addMenu("")
        self._file_menu.addAction(self.quit_action)
        self._webhook_menu = self.menuBar().addMenu("")
        self._webhook_menu.addAction(self.send_action)
        self._webhook_menu.addAction(self.cancel_action)
        self._webhook_menu.addSeparator()
        self._webhook_menu.addAction(self.find_topic_action)
        self._help_menu = self.menuBar().addMenu("")
        self._help_menu.addAction(self.open_log_action)
        self._help_menu.addAction(self.about_action)
        self.addAction(self.send_action)

    def _connect(self) -> None:
        self.send_action.triggered.connect(self._on_send_triggered)
        self._send_button.clicked.connect(self._on_send_triggered)
        self.cancel_action.triggered.connect(self.controller.cancel)
        self._cancel_button.clicked.connect(self.controller.cancel)
        self.quit_action.triggered.connect(self.close)
        self.find_topic_action.triggered.connect(self._on_find_topic)
        self.open_log_action.triggered.connect(self._on_open_log_folder)
        self.about_action.triggered.connect(self._on_about)

        self.controller.started.connect(self._on_delivery_started)
        self.controller.elapsed.connect(self._on_delivery_elapsed)
        self.controller.finished.connect(self._on_delivery_finished)

        self.topic_list.topic_chosen.connect(self._on_topic_chosen)
        self.form.topic_changed.connect(self._on_topic_chosen)
        self.form.format_changed.connect(self._on_format_changed)
        self.form.changed.connect(self._update_title)
        self.body_editor.text_edited.connect(self._check_timer.start)
        self._check_timer.timeout.connect(self._check_body)

    def retranslate_ui(self) -> None:
        self._send_button.setText(self.tr("Send Test"))
        self._send_button.setToolTip(self.tr("Send the body to the URL (Ctrl+Enter)"))
        self._cancel_button.setText(self.tr("Cancel"))
        self._cancel_button.setToolTip(self.tr("Stop the request in flight (Ctrl+.)"))
        self._body_tabs.setTabText(0, self.tr("Body"))
        self.send_action.setText(self.tr("&Send Test"))
        self.cancel_action.setText(self.tr("&Cancel request"))
        self.quit_action.setText(self.tr("&Quit"))
        self.find_topic_action.setText(self.tr("Find &topic…"))
        self.open_log_action.setText(self.tr("Open &log folder"))
        self.about_action.setText(self.tr("&About %1").replace("%1", APP_NAME))
        self._file_menu.setTitle(self.tr("&File"))
        self._webhook_menu.setTitle(self.tr("&Webhook"))
        self._help_menu.setTitle(self.tr("&Help"))
        self._update_title()

    # The open webhook.

    def _initial_webhook(self) -> Webhook:
        key = str(self._settings.value("last_topic", DEFAULT_TOPIC))
        try:
            topic = find_topic(key)
        except LookupError:
            topic = find_topic(DEFAULT_TOPIC)
        body_format = (
            BodyFormat.XML
            if self._settings.value("last_format") == "xml"
            else BodyFormat.JSON
        )
        return Webhook(
            topic_key=topic.key,
            body_format=body_format,
            body=default_body(topic, body_format),
        )

    def _open_webhook(self, webhook: Webhook) -> None:
        self.form.set_webhook(webhook)
        self.topic_list.select_topic(webhook.topic_key)
        self.body_editor.set_language(webhook.body_format.value)
        self.body_editor.set_text(webhook.body)
        self._check_body()
        self._update_title()

    def current_webhook(self) -> Webhook:
        """Return the webhook as the form and the body editor now show it."""
        return self.form.webhook().with_changes(body=self.body_editor.toPlainText())

    def _update_title(self) -> None:
        name = self.form.name_edit.text().strip() or self.tr("New webhook")
        self.setWindowTitle(f"{APP_NAME} — {name}")

    # Topic and format.

    def _on_topic_chosen(self, key: str) -> None:
        topic = find_topic(key)
        self.form.set_topic(key)
        self.topic_list.select_topic(key)
        self._replace_body(default_body(topic, self.form.body_format()))
        self.statusBar().showMessage(
            self.tr(
                "Body replaced with the example event of %1 (Ctrl+Z undoes)."
            ).replace("%1", topic.title),
            8000,
        )
        self._settings.setValue("last_topic", key)

    def _on_format_changed(self, new_format: BodyFormat) -> None:
        old_format = BodyFormat.JSON if new_format is BodyFormat.XML else BodyFormat.XML
        text = self.body_editor.toPlainText()
        try:
            if new_format is BodyFormat.XML:
                converted = json_text_to_xml_text(text)
            else:
                converted = xml_text_to_json_text(text)
        except FormatError as exc:
            if not self._confirm_replace_malformed(old_format, new_format, exc):
                self.form.set_format(old_format)
                return
            topic = find_topic(self.form.webhook().topic_key)
            converted = default_body(topic, new_format)

        self.body_editor.set_language(new_format.value)
        self._replace_body(converted)
        self._settings.setValue("last_format", new_format.value)

    def _confirm_replace_malformed(
        self, old_format: BodyFormat, new_format: BodyFormat, error: FormatError
    ) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Convert the body"))
        box.setText(
            self.tr("The body cannot be converted to %1: %2")
            .replace("%1", new_format.value.upper())
            .replace("%2", str(error))
        )
        box.setInformativeText(
            self.tr(
                "Replace it with the topic's example event in %1? Ctrl+Z brings back "
                "the current text."
            ).replace("%1", new_format.value.upper())
        )
        replace = box.addButton(self.tr("Replace"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(
            self.tr("Keep %1").replace("%1", old_format.value.upper()),
            QMessageBox.ButtonRole.RejectRole,
        )
        box.setDefaultButton(replace)
        box.exec()
        return box.clickedButton() is replace

    def _replace_body(self, text: str) -> None:
        self.body_editor.replace_text_undoably(text)
        self._check_body()

    def _check_body(self) -> None:
        text = self.body_editor.toPlainText()
        body_format = self.form.body_format()
        problem = check_xml(text) if body_format is BodyFormat.XML else check_json(text)
        problems = [] if problem is None else [problem]
        self.body_editor.set_problems(problems)
        if problem is None:
            self._body_status.setText(
                self.tr("Well-formed %1").replace("%1", body_format.value.upper())
            )
            self._body_status.setStyleSheet("color: #1e7e34;")
        else:
            self._body_status.setText(f"{problem}")
            self._body_status.setStyleSheet("color: #b02a37;")

    # Sending.

    def _on_send_triggered(self) -> None:
        webhook = self.current_webhook()
        body = webhook.body.encode("utf-8")
        problem = check_body(body, webhook.body_format)
        if problem is not None and not self._confirm_send_malformed(webhook, problem):
            return
        if webhook.auth_enabled:
            register_secret(webhook.password)
        self.controller.send(webhook.outgoing_request(body))

    def _confirm_send_malformed(self, webhook: Webhook, problem) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Send a malformed body?"),
            self.tr("The body is not well-formed %1: line %2. Send it anyway?")
            .replace("%1", webhook.body_format.value.upper())
            .replace("%2", str(problem)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

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
            return (
                self.tr("Last delivery: %1 %2 in %3 ms")
                .replace("%1", str(result.response.status))
                .replace("%2", result.response.reason)
                .replace("%3", f"{result.elapsed_ms:.0f}")
            )
        assert result.failure is not None
        return self.tr("Last delivery: %1").replace("%1", result.failure.kind.value)

    # Menu actions.

    def _on_find_topic(self) -> None:
        self.topic_list.filter_box.setFocus()
        self.topic_list.filter_box.selectAll()

    def _on_open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(app_home())))

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About %1").replace("%1", APP_NAME),
            self.tr(
                "%1 %2\n\nDesign, send and receive BrainCert LMS webhooks on your own "
                "machine. The XML layout, the template syntax and the User-Agent are "
                "the studio's own choices; BrainCert documents none of them."
            )
            .replace("%1", APP_NAME)
            .replace("%2", __version__),
        )

    # Window state and closing.

    def _restore_window_state(self) -> None:
        geometry = self._settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self._settings.value("window/splitter")
        if splitter is not None:
            self._splitter.restoreState(splitter)

    def _save_window_state(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/splitter", self._splitter.saveState())
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
            self._shutdown_task = asyncio.ensure_future(self._shut_down())

    async def _shut_down(self) -> None:
        """Cancel deliveries, stop HTTP clients and workers, save state, close."""
        try:
            await self.controller.aclose()
        except Exception:
            logger.exception("closing the HTTP clients failed")
        self.response_pane.cancel_preparation()
        # Not awaited: the processes end in the background, and the interpreter
        # waits for them at exit.
        workers.shutdown(wait=False)
        self._save_window_state()
        self._closed = True
        self.close()
