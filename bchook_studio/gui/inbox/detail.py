"""The detail of one received request: summary, credentials, body, raw text, headers.

Every label is plain text and the body views paint plain text, so a body or
a path such as `<b>x</b>` shows as those characters, never as markup.
"""

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.caps import (
    DEFAULT_CAPS,
    SizeCaps,
    format_size,
    format_sizes_apart,
)
from bchook_studio.core.export.curl import curl_command
from bchook_studio.core.files import save_bytes
from bchook_studio.core.inbox.display import (
    PreparedRequest,
    displayed_headers,
    fits_inline,
    prepare_request,
    raw_request_text,
    request_content_encoding,
)
from bchook_studio.core.inbox.exports import request_record
from bchook_studio.core.receiver import ReceivedRequest
from bchook_studio.core.topics import find_topic
from bchook_studio.core.workers import WorkerPool, default_pool
from bchook_studio.gui.body_view.view import BodyView
from bchook_studio.gui.error_reporter import report_task_failure
from bchook_studio.gui.inbox.credentials_row import CredentialsRow
from bchook_studio.gui.inbox.model import (
    STATUS_COLOURS,
    local_time,
    plain_tooltip,
    status_class,
    status_text,
    status_tooltip,
)
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.save_paths import (
    ask_save_path,
    body_file_name,
    save_error_text,
)

logger = logging.getLogger(__name__)

MESSAGE_SECONDS = 5
"""Seconds a confirmation such as "Copied" stays next to the actions."""

_BODY_PAGE, _BODY_MESSAGE_PAGE = range(2)
_BODY_TAB, _RAW_TAB, _HEADERS_TAB = range(3)


def _plain_label(parent: QWidget, word_wrap: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(word_wrap)
    return label


MAX_EVENT_DATA_BYTES = 1024 * 1024
"""The largest body "Use body as event data" takes, 1 MiB. The event data
editor loads it as one undo step, which took about 0.7 s per MiB here."""


class RequestDetail(QWidget):
    """Shows one ReceivedRequest and offers what can be done with it.

    A body up to INLINE_LIMIT bytes, both as received and with its
    Content-Encoding decoded, is prepared at once. A larger one is prepared in
    a worker process, with a message meanwhile. Showing another request
    cancels a preparation still running.
    """

    resend_requested = Signal(object)
    """The ReceivedRequest to send again; the window prompts for the URL."""

    use_as_event_requested = Signal(str, str)
    """A topic key and the event text (pretty JSON) taken from the body."""

    body_shown = Signal()
    """Emitted when the current request's body is in the views."""

    def __init__(
        self,
        parent: QWidget | None = None,
        caps: SizeCaps = DEFAULT_CAPS,
        pool: WorkerPool | None = None,
        body_limit: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._caps = caps
        # The receiver's max body size in bytes, named when a body was over it.
        self._body_limit = body_limit
        self._pool = pool if pool is not None else default_pool()
        self._request: ReceivedRequest | None = None
        self._prepared: PreparedRequest | None = None
        self._prepare_task: asyncio.Future[None] | None = None
        self._save_task: asyncio.Future[None] | None = None
        self._base_url: str | None = None

        self._status = _plain_label(self)
        self._status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._summary = _plain_label(self)
        self._summary.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        # A long path must not widen the detail view; the tooltip shows it all.
        self._summary.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        self._answer = _plain_label(self, word_wrap=True)
        self._answer.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._credentials = CredentialsRow(self)

        self._build_actions()
        self._build_tabs()
        self._build_layout()

        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(MESSAGE_SECONDS * 1000)
        self._message_timer.timeout.connect(self._clear_action_message)
        self._credentials.secrets_shown.connect(self._on_secrets_shown)
        self.retranslate_ui()
        self.clear()

    def _build_actions(self) -> None:
        self._copy_button = QToolButton(self)
        self._copy_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self._copy_menu = QMenu(self._copy_button)
        self._copy_secrets_action = self._copy_menu.addAction("")
        self._copy_button.setMenu(self._copy_menu)
        self._resend_button = QPushButton(self)
        self._event_button = QPushButton(self)
        self._save_button = QPushButton(self)
        self._action_message = _plain_label(self, word_wrap=True)
        self._action_message.hide()

        self._copy_button.clicked.connect(lambda: self.copy_curl(show_secrets=False))
        self._copy_secrets_action.triggered.connect(
            lambda: self.copy_curl(show_secrets=True)
        )
        self._resend_button.clicked.connect(self._on_resend_clicked)
        self._event_button.clicked.connect(self._on_event_clicked)
        self._save_button.clicked.connect(self._on_save_clicked)

    def _build_tabs(self) -> None:
        self._body_view = BodyView(self)
        self._raw_view = BodyView(self)
        self._body_message = _plain_label(self, word_wrap=True)
        self._body_message.setAlignment(
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        )
        self._body_message.setMargin(12)
        self._body_stack = QStackedWidget(self)
        self._body_stack.addWidget(self._body_view)
        self._body_stack.addWidget(self._body_message)
        self._charset = _plain_label(self)
        self._charset.setStyleSheet("color: #5b6b7b;")
        self._notice = _plain_label(self, word_wrap=True)
        self._notice.setStyleSheet(
            "QLabel { background: #fff4d6; border: 1px solid #e0c46c;"
            " border-radius: 3px; padding: 3px; }"
        )
        self._notice.hide()

        self._headers = QTableWidget(0, 2, self)
        self._headers.verticalHeader().setVisible(False)
        self._headers.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self._headers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._headers.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self._headers.setWordWrap(False)
        self._headers.verticalHeader().setDefaultSectionSize(
            self._headers.fontMetrics().height() + 6
        )

        body_page = QWidget(self)
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 4, 0, 0)
        body_layout.setSpacing(4)
        body_layout.addWidget(self._notice)
        body_layout.addWidget(self._body_stack, 1)

        self._tabs = QTabWidget(self)
        self._tabs.setDocumentMode(True)
        self._tabs.addTab(body_page, "")
        self._tabs.addTab(self._raw_view, "")
        self._tabs.addTab(self._headers, "")
        # The size and charset line sits beside the tabs, which leaves the body
        # one more line in a short dock.
        self._charset.setContentsMargins(0, 0, 6, 0)
        self._tabs.setCornerWidget(self._charset, Qt.Corner.TopRightCorner)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self._status)
        top.addWidget(self._summary, 1)

        actions = QHBoxLayout()
        actions.setSpacing(6)
        actions.addWidget(self._copy_button)
        actions.addWidget(self._resend_button)
        actions.addWidget(self._event_button)
        actions.addWidget(self._save_button)
        actions.addStretch(1)

        self._content = QWidget(self)
        content_layout = QVBoxLayout(self._content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(6)
        content_layout.addLayout(top)
        content_layout.addWidget(self._credentials)
        content_layout.addLayout(actions)
        # The response text and the action messages wrap in rows of their own
        # under the buttons. Beside the buttons, a long text would wrap one word
        # per line, or widen the detail view and move the splitter.
        content_layout.addWidget(self._answer)
        content_layout.addWidget(self._action_message)
        content_layout.addWidget(self._tabs, 1)

        self._placeholder = _plain_label(self, word_wrap=True)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setStyleSheet("color: #5b6b7b;")
        self._placeholder.setMargin(24)

        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._placeholder)
        self._pages.addWidget(self._content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.addWidget(self._pages)

    def retranslate_ui(self) -> None:
        self._copy_button.setText(self.tr("Copy as cURL"))
        self._copy_button.setToolTip(
            self.tr("Copy a curl command that sends this request; passwords masked")
        )
        self._copy_secrets_action.setText(self.tr("Copy as cURL with secrets"))
        self._resend_button.setText(self.tr("Resend to another URL…"))
        self._resend_button.setToolTip(
            self.tr("Send the same method, headers and body to a URL you choose")
        )
        self._event_button.setText(self.tr("Use body as event data"))
        self._save_button.setText(self.tr("Save body…"))
        self._save_button.setToolTip(
            self.tr("Save the request body to a file, byte for byte")
        )
        self._tabs.setTabText(_BODY_TAB, self.tr("Body"))
        self._tabs.setTabText(_RAW_TAB, self.tr("Raw"))
        self._headers.setHorizontalHeaderLabels([self.tr("Header"), self.tr("Value")])
        self._credentials.retranslate_ui()
        self._update_headers_tab_title()
        self._update_event_button()

    # Accessors for the panel and for tests.

    @property
    def request(self) -> ReceivedRequest | None:
        """Return the request shown, or None."""
        return self._request

    @property
    def body_view(self) -> BodyView:
        return self._body_view

    @property
    def raw_view(self) -> BodyView:
        return self._raw_view

    @property
    def headers_table(self) -> QTableWidget:
        return self._headers

    @property
    def credentials_row(self) -> CredentialsRow:
        return self._credentials

    @property
    def summary_label(self) -> QLabel:
        return self._summary

    @property
    def status_label(self) -> QLabel:
        return self._status

    @property
    def body_message_label(self) -> QLabel:
        return self._body_message

    @property
    def response_label(self) -> QLabel:
        """The label under the buttons with the response sent or the rejection."""
        return self._answer

    @property
    def action_message_label(self) -> QLabel:
        return self._action_message

    @property
    def notice_label(self) -> QLabel:
        """The label above the body with notices such as how it was decoded."""
        return self._notice

    @property
    def charset_label(self) -> QLabel:
        return self._charset

    @property
    def event_button(self) -> QPushButton:
        return self._event_button

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    def set_base_url(self, base_url: str | None) -> None:
        """Use `base_url` for cURL commands of requests without a Host header."""
        self._base_url = base_url

    def set_placeholder(self, text: str) -> None:
        """Set the text shown while no request is selected."""
        self._placeholder.setText(text)

    # Showing a request.

    def clear(self) -> None:
        """Show the placeholder instead of a request."""
        self.cancel_preparation()
        self._request = None
        self._prepared = None
        self._body_view.set_text("")
        self._raw_view.set_text("")
        self._headers.setRowCount(0)
        self._credentials.show_request(None)
        self._pages.setCurrentWidget(self._placeholder)

    def show_request(self, request: ReceivedRequest) -> None:
        """Show `request`; the same request again keeps the views as they are."""
        if self._request is not None and self._request.id == request.id:
            return
        self.cancel_preparation()
        self._request = request
        self._prepared = None
        self._clear_action_message()
        self._show_summary(request)
        self._credentials.show_request(request)
        self._show_headers()
        self._update_event_button()
        self._save_button.setEnabled(bool(request.body))
        self._pages.setCurrentWidget(self._content)
        self._prepare(request)

    def update_request(self, request: ReceivedRequest) -> None:
        """Show the new status of the request shown, such as no response after
        all; its headers and body stay as they are."""
        if self._request is None or self._request.id != request.id:
            return
        self._request = request
        self._show_summary(request)

    def _show_summary(self, request: ReceivedRequest) -> None:
        colour = STATUS_COLOURS[status_class(request)]
        self._status.setText(status_text(request))
        self._status.setToolTip(plain_tooltip(status_tooltip(request)))
        self._status.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; font-weight: bold;"
            " border-radius: 3px; padding: 2px 8px; }"
        )
        moment = local_time(request.time).strftime("%Y-%m-%d %H:%M:%S")
        version = f"HTTP/{request.http_version}" if request.http_version != "-" else ""
        parts = [f"{request.method} {request.target}", version]
        parts.append(fill(self.tr("from %1"), _client(request)))
        parts.append(moment)
        summary = "  ·  ".join(part for part in parts if part)
        self._summary.setText(summary)
        self._summary.setToolTip(plain_tooltip(summary))

        answer = status_tooltip(request)
        declared = request.declared_size
        if request.truncated:
            answer += " " + fill(
                self.tr("The body was cut after %1 of %2."),
                format_size(len(request.body)),
                format_size(request.body_size),
            )
        elif declared is not None and 0 < request.body_size < declared:
            answer += " " + fill(
                self.tr("Only %1 of the %2 that Content-Length declared arrived."),
                format_size(request.body_size),
                format_size(declared),
            )
        self._answer.setText(answer)

    def _show_headers(self) -> None:
        request = self._request
        if request is None:
            return
        headers = displayed_headers(request, self._credentials.secrets_visible())
        self._headers.setRowCount(len(headers))
        for row, (name, value) in enumerate(headers):
            self._headers.setItem(row, 0, QTableWidgetItem(name))
            self._headers.setItem(row, 1, QTableWidgetItem(value))
        self._headers.resizeColumnToContents(0)
        self._update_headers_tab_title()

    def _update_headers_tab_title(self) -> None:
        count = self._headers.rowCount()
        self._tabs.setTabText(_HEADERS_TAB, fill(self.tr("Headers (%1)"), count))

    def _on_secrets_shown(self, _shown: bool) -> None:
        self._show_headers()
        self._show_raw()

    # Preparing the body.

    def _prepare(self, request: ReceivedRequest) -> None:
        content_type = request.header("content-type")
        content_encoding = request_content_encoding(request)
        if fits_inline(request.body, content_encoding):
            self._show_prepared(
                prepare_request(
                    request.body,
                    content_type,
                    self._caps,
                    request.truncated,
                    content_encoding,
                )
            )
            return

        self._body_view.set_text("")
        self._raw_view.set_text("")
        self._charset.clear()
        self._set_notice("")
        received = format_size(len(request.body))
        if content_encoding and content_encoding.strip().lower() != "identity":
            # The decoded size is known only once the worker has decoded it.
            message = fill(
                self.tr("Decoding and preparing %1 received for display…"), received
            )
        else:
            message = fill(self.tr("Preparing %1 for display…"), received)
        self._show_body_message(message)
        self._prepare_task = asyncio.ensure_future(
            self._prepare_in_worker(request, content_type, content_encoding)
        )

    async def _prepare_in_worker(
        self,
        request: ReceivedRequest,
        content_type: str | None,
        content_encoding: str | None,
    ) -> None:
        try:
            prepared = await self._pool.run(
                prepare_request,
                request.body,
                content_type,
                self._caps,
                request.truncated,
                content_encoding,
            )
        except Exception as exc:
            logger.exception(
                "preparing request %d (%d bytes) for display failed",
                request.id,
                len(request.body),
            )
            self._show_body_message(
                fill(
                    self.tr(
                        "Preparing the body for display failed: %1. Save body… "
                        "writes it to a file as received."
                    ),
                    str(exc) or type(exc).__name__,
                )
            )
            return
        if self._request is request:
            self._show_prepared(prepared)

    def _show_prepared(self, prepared: PreparedRequest) -> None:
        self._prepared = prepared
        body = prepared.pretty
        if not body.body_size:
            self._charset.clear()
            self._body_view.set_text("")
            self._show_body_message(self._missing_body_text())
        else:
            truncated = self._request is not None and self._request.truncated
            self._charset.setText(self._charset_text(prepared))
            self._body_view.set_text(
                body.text,
                body.lines,
                body.language,
                complete=not (body.display_capped or truncated),
            )
            self._body_stack.setCurrentIndex(_BODY_PAGE)
        notices = list(body.notices)
        truncated = self._request is not None and self._request.truncated
        # For a decoded body the first notice already names the display cap.
        # The sentences below would count decoded bytes, but Save body… writes
        # the bytes as received.
        display_capped = body.display_capped and not prepared.codings
        if display_capped and truncated:
            notices.append(
                fill(
                    self.tr("Showing the first %1. Save body… writes the %2 kept."),
                    format_size(body.shown_size),
                    format_size(body.body_size),
                )
            )
        elif display_capped:
            notices.append(
                fill(
                    self.tr("Showing the first %1. Save body… writes all of it."),
                    format_size(body.shown_size),
                )
            )
        self._set_notice(" ".join(notices))
        self._show_raw()
        self._update_event_button()
        self.body_shown.emit()

    def _missing_body_text(self) -> str:
        """Return the message shown in place of an empty body.

        The receiver records a rejection only for a request that it stopped
        reading before the end. So an empty body with a rejection is a body not
        read, unless Content-Length declared 0 bytes.
        """
        request = self._request
        if request is None or request.rejection is None or request.declared_size == 0:
            return self.tr("The request has no body.")

        declared = request.declared_size
        limit = self._body_limit
        if request.status == 413 and limit is not None:
            if declared is not None and declared > limit:
                declared_text, limit_text = format_sizes_apart(declared, limit)
                return fill(
                    self.tr(
                        "The body was not kept. Content-Length declared %1, which "
                        "is over the receiver's limit of %2, so the receiver "
                        "rejected the request with %3."
                    ),
                    declared_text,
                    limit_text,
                    status_text(request),
                )
            if declared is None:
                return fill(
                    self.tr(
                        "The body was not kept. It is over the receiver's limit "
                        "of %1, so the receiver rejected the request with %2."
                    ),
                    format_size(limit),
                    status_text(request),
                )

        text = self.tr(
            "No body was kept, because the receiver rejected the request before "
            "reading a body."
        )
        if declared is not None:
            text += " " + fill(
                self.tr("Content-Length declared %1."), format_size(declared)
            )
        return text

    def _charset_text(self, prepared: PreparedRequest) -> str:
        body = prepared.pretty
        if body.is_binary:
            return fill(
                self.tr("Binary body: %1, %2; hex dump below"),
                body.media_type or self.tr("unknown type"),
                format_size(body.body_size),
            )
        return fill(
            self.tr("%1 · charset %2 (from the %3)"),
            format_size(body.body_size),
            body.charset,
            self._charset_source_text(body.charset_source),
        )

    def _charset_source_text(self, source: str) -> str:
        names = {
            "header": self.tr("Content-Type header"),
            "bom": self.tr("byte order mark"),
            "declaration": self.tr("XML declaration"),
            "json": self.tr("JSON default"),
            "detected": self.tr("bytes themselves"),
        }
        return names.get(source, source)

    def _show_raw(self) -> None:
        if self._request is None or self._prepared is None:
            return
        text = raw_request_text(
            self._request, self._prepared.raw, self._credentials.secrets_visible()
        )
        self._raw_view.set_text(text)

    def _show_body_message(self, text: str) -> None:
        self._body_message.setText(text)
        self._body_stack.setCurrentIndex(_BODY_MESSAGE_PAGE)

    def _set_notice(self, text: str) -> None:
        self._notice.setText(text)
        self._notice.setVisible(bool(text))

    def cancel_preparation(self) -> None:
        """Cancel a body preparation in flight, if any."""
        if self._prepare_task is not None and not self._prepare_task.done():
            self._prepare_task.cancel()
        self._prepare_task = None

    async def aclose(self) -> None:
        """Cancel a preparation or a save in flight and wait for them to end."""
        tasks = [task for task in (self._prepare_task, self._save_task) if task]
        self.cancel_preparation()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # Actions.

    def copy_curl(self, show_secrets: bool = False) -> str | None:
        """Put a curl command for the request on the clipboard and return it."""
        request = self._request
        if request is None:
            return None
        record = request_record(request, self._base_url, show_secrets=show_secrets)
        command = curl_command(record)
        QGuiApplication.clipboard().setText(command.text)
        if command.files:
            self._show_action_message(
                fill(
                    self.tr(
                        "Copied. The command reads the body from %1, because the "
                        "body is binary or large: save it there with Save body…"
                    ),
                    command.files[0].name,
                )
            )
        elif show_secrets:
            self._show_action_message(self.tr("Copied, with secrets in clear text."))
        else:
            self._show_action_message(self.tr("Copied, with secrets masked."))
        return command.text

    def _show_action_message(self, text: str, failed: bool = False) -> None:
        colour = "#b02a37" if failed else "#1e7e34"
        self._action_message.setStyleSheet(f"color: {colour};")
        self._action_message.setText(text)
        self._action_message.show()
        self._message_timer.start()

    def _clear_action_message(self) -> None:
        self._action_message.clear()
        self._action_message.hide()

    def _on_resend_clicked(self) -> None:
        if self._request is not None:
            self.resend_requested.emit(self._request)

    def _update_event_button(self) -> None:
        button = self._event_button
        prepared = self._prepared
        if self._request is None:
            button.setEnabled(False)
            button.setToolTip("")
            return
        if prepared is None:
            button.setEnabled(False)
            button.setToolTip(self.tr("Reading the body…"))
            return
        event = prepared.event
        if event.topic_key is None:
            # Enabled, so that a click shows the reason beside the buttons.
            button.setEnabled(True)
            button.setToolTip(plain_tooltip(event.reason))
            return
        button.setEnabled(True)
        button.setToolTip(
            fill(
                self.tr("Open the body as the event data of the topic %1"),
                find_topic(event.topic_key).title,
            )
        )

    def use_body_as_event(self) -> bool:
        """Emit `use_as_event_requested` when the body matches a topic.

        Otherwise show the reason beside the buttons and return False.
        """
        prepared = self._prepared
        if prepared is None:
            return False
        if prepared.event.topic_key is None:
            self._show_action_message(
                fill(
                    self.tr("The body cannot be used as event data. %1"),
                    prepared.event.reason,
                ),
                failed=True,
            )
            return False
        size = len(prepared.event.event_text.encode("utf-8", "surrogatepass"))
        if size > MAX_EVENT_DATA_BYTES:
            size_text, limit_text = format_sizes_apart(size, MAX_EVENT_DATA_BYTES)
            self._show_action_message(
                fill(
                    self.tr(
                        "The body cannot be used as event data: it is %1, and "
                        "event data can be up to %2. Save body… keeps it in a file."
                    ),
                    size_text,
                    limit_text,
                ),
                failed=True,
            )
            return False
        self.use_as_event_requested.emit(
            prepared.event.topic_key, prepared.event.event_text
        )
        return True

    def _on_event_clicked(self) -> None:
        self.use_body_as_event()

    def _on_save_clicked(self) -> None:
        if self._request is None:
            return
        name = body_file_name(
            "request-body", self._request.header("content-type") or ""
        )
        path = ask_save_path(self, self.tr("Save request body"), name)
        if path is not None:
            self._save_task = asyncio.ensure_future(self.save_body(path))
            self._save_task.add_done_callback(report_task_failure)

    async def save_body(self, path: Path) -> None:
        """Write every byte received of the request body to `path`.

        A failure is shown next to the actions, not raised.
        """
        request = self._request
        if request is None:
            return
        try:
            await save_bytes(path, request.body)
        except OSError as exc:
            logger.warning(
                "saving request %d body to %s failed: %s", request.id, path, exc
            )
            self._show_action_message(
                save_error_text(self.tr("Could not save to %1: %2."), path, exc),
                failed=True,
            )
            return
        self._show_action_message(
            fill(self.tr("Saved %1 to %2."), format_size(len(request.body)), path)
        )


def _client(request: ReceivedRequest) -> str:
    host = request.client_host
    address = f"[{host}]" if ":" in host else host
    return f"{address}:{request.client_port}"
