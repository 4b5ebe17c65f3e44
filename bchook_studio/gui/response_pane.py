"""The response pane: status, body, headers and the request as sent."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.caps import DEFAULT_CAPS, SizeCaps, format_size
from bchook_studio.core.content_types import TEXT
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.export.masking import mask_url
from bchook_studio.core.files import save_bytes
from bchook_studio.core.unsafe_text import escaped_for_display
from bchook_studio.core.workers import WorkerPool, default_pool
from bchook_studio.gui.editor.code_editor import CodeEditor
from bchook_studio.gui.error_reporter import report_task_failure
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.save_paths import (
    ask_save_path,
    body_file_name,
    save_error_text,
)
from bchook_studio.gui.sentences import kind_words

if TYPE_CHECKING:
    from bchook_studio.core.body_preparation import PreparedBody
    from bchook_studio.core.delivery.result import (
        DeliveryResult,
        ReceivedResponse,
        SentRequest,
    )
    from bchook_studio.gui.body_view.view import BodyView

logger = logging.getLogger(__name__)

_BODY_INTERRUPTED_KINDS = frozenset(
    {
        FailureKind.RESET,
        FailureKind.PROTOCOL,
        FailureKind.READ_TIMEOUT,
        FailureKind.TOTAL_TIMEOUT,
        FailureKind.CANCELLED,
    }
)
"""Failure kinds that come with a response only when its body stopped early."""

_STATUS_COLOURS = {
    "1xx": "#5b6b7b",
    "2xx": "#1e7e34",
    "3xx": "#1f5fa8",
    "4xx": "#b35900",
    "5xx": "#b02a37",
}
_FAILURE_COLOUR = "#b02a37"

_LONG_HEADER_VALUE = 80
"""Characters in a header value beyond which its cell gets the value as a tooltip."""

_TOOLTIP_CHARACTERS = 2000
"""Characters of a long header value that its tooltip shows."""
_CANCELLED_COLOUR = "#5b6b7b"


class ResponsePane(QWidget):
    """Shows one delivery result: the answer, or the failure in plain words.

    A body up to INLINE_LIMIT bytes is prepared for display at once; a larger one
    in a worker process, with a notice in the body area meanwhile. A newer result
    or a Pretty toggle cancels a preparation still running.
    """

    body_shown = Signal()
    """Emitted when the body of the current result is in the body view, or the
    view shows that the response has no body."""

    def __init__(
        self,
        parent: QWidget | None = None,
        caps: SizeCaps = DEFAULT_CAPS,
        pool: WorkerPool | None = None,
    ):
        super().__init__(parent)
        self._caps = caps
        self._pool = pool if pool is not None else default_pool()
        self._result: DeliveryResult | None = None
        self._stored = False
        self._save_outcome = ""
        """The last Save body… outcome, shown below the body's notices."""
        self._result_notices: list[str] = []
        self._prepared: PreparedBody | None = None
        self._save_task: asyncio.Future[None] | None = None
        self._prepare_task: asyncio.Future[None] | None = None

        self._status = QLabel(self)
        self._status.setTextFormat(Qt.TextFormat.PlainText)
        self._status.setMinimumWidth(60)
        self._status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._summary = QLabel(self)
        self._summary.setTextFormat(Qt.TextFormat.PlainText)
        # Wrapped, a long summary makes the pane taller rather than wider.
        self._summary.setWordWrap(True)
        self._notice = QLabel(self)
        self._notice.setTextFormat(Qt.TextFormat.PlainText)
        self._notice.setWordWrap(True)
        self._notice.setStyleSheet(
            "QLabel { background: #fff4d6; border: 1px solid #e0c46c;"
            " border-radius: 3px; padding: 4px; }"
        )
        self._notice.hide()

        self._pretty = QCheckBox(self)
        self._pretty.setChecked(True)
        self._save_button = QPushButton(self)
        self._charset = QLabel(self)
        self._charset.setTextFormat(Qt.TextFormat.PlainText)

        # The body view, and the modules behind it, are built for the first
        # body shown, which keeps them out of the window's start-up.
        self._body: BodyView | None = None
        self._message = QLabel(self)
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setWordWrap(True)
        self._message.setAlignment(
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        )
        self._message.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self._message.setMargin(12)
        self._body_stack = QStackedWidget(self)
        self._body_stack.addWidget(self._message)

        self._headers = QTableWidget(0, 2, self)
        self._headers.verticalHeader().setVisible(False)
        self._headers.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self._headers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self._request = CodeEditor(self, read_only=True)

        self._tabs = QTabWidget(self)
        body_page = QWidget(self)
        body_tools = QHBoxLayout()
        body_tools.addWidget(self._pretty)
        body_tools.addWidget(self._charset, 1)
        body_tools.addWidget(self._save_button)
        body_layout = QVBoxLayout(body_page)
        body_layout.setContentsMargins(0, 4, 0, 0)
        body_layout.addLayout(body_tools)
        body_layout.addWidget(self._body_stack)
        self._tabs.addTab(body_page, "")
        self._tabs.addTab(self._headers, "")
        self._tabs.addTab(self._request, "")

        top = QHBoxLayout()
        top.addWidget(self._status)
        top.addWidget(self._summary, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self._notice)
        layout.addWidget(self._tabs, 1)

        self._pretty.toggled.connect(self._show_body)
        self._save_button.clicked.connect(self._on_save_clicked)
        self.retranslate_ui()
        self.clear()

    def retranslate_ui(self) -> None:
        self._pretty.setText(self.tr("Pretty"))
        self._pretty.setToolTip(
            self.tr("Indent JSON and XML bodies; untick for the raw text")
        )
        self._save_button.setText(self.tr("Save body…"))
        self._save_button.setToolTip(
            self.tr(
                "Save the response body to a file, byte for byte, decoded from "
                "its Content-Encoding"
            )
        )
        self._tabs.setTabText(0, self.tr("Body"))
        self._update_headers_tab_title()
        self._tabs.setTabText(2, self.tr("Request"))
        self._headers.setHorizontalHeaderLabels([self.tr("Header"), self.tr("Value")])

    # Accessors for the window and for tests.

    @property
    def status_label(self) -> QLabel:
        return self._status

    @property
    def summary_label(self) -> QLabel:
        return self._summary

    @property
    def notice_label(self) -> QLabel:
        return self._notice

    @property
    def body_view(self) -> BodyView:
        """The view that shows response bodies, built on first use."""
        if self._body is None:
            from bchook_studio.gui.body_view.view import BodyView

            self._body = BodyView(self)
            self._body_stack.addWidget(self._body)
            self._body.index_completed.connect(self._show_body_notices)
        return self._body

    @property
    def message_label(self) -> QLabel:
        return self._message

    @property
    def headers_table(self) -> QTableWidget:
        return self._headers

    @property
    def request_view(self) -> CodeEditor:
        return self._request

    @property
    def pretty_box(self) -> QCheckBox:
        return self._pretty

    def showing_message(self) -> bool:
        """True when the body area shows a plain-words message instead of a body."""
        return self._body_stack.currentWidget() is self._message

    # Showing states.

    def clear(self) -> None:
        """Show the empty state that invites a first send."""
        self._forget_result()
        self._set_status("", None)
        self._summary.setText(self.tr("No response yet. Press Send Test (Ctrl+Enter)."))
        self._show_message(
            self.tr(
                "The answer to Send Test appears here: status, time, size, the body "
                "pretty-printed, the headers, and the request exactly as it was sent."
            )
        )

    def _forget_result(self) -> None:
        """Empty the body, headers and request views of the last result."""
        self.cancel_preparation()
        self._result = None
        self._result_notices = []
        self._save_outcome = ""
        self._empty_body_view()
        self._notice.hide()
        self._charset.clear()
        self._save_button.setEnabled(False)
        self._clear_headers()
        self._request.set_text("")

    def show_pending(self, url: str) -> None:
        """Show that a delivery to `url` is in flight.

        A worker process starts in the background, so a large response finds
        it ready.
        """
        self._pool.warm_up()
        self._forget_result()
        self._set_status(self.tr("…"), "#5b6b7b")
        self._summary.setText(self.tr("Sending to %1…").replace("%1", mask_url(url)))
        self._show_message(self.tr("The response appears here when it arrives."))

    def show_elapsed(self, elapsed_ms: float) -> None:
        """Update the pending summary with the time spent so far."""
        self._summary.setText(
            self.tr("Waiting for the answer… %1 s").replace(
                "%1", f"{elapsed_ms / 1000:.1f}"
            )
        )

    def show_result(self, result: DeliveryResult, *, stored: bool = False) -> None:
        """Show a finished delivery: its response, or why there is none.

        `stored` marks a delivery read back from the history, whose body was
        stored only up to the history cap.
        """
        self._result = result
        self._stored = stored
        self._save_outcome = ""
        self._show_request(result)
        response = result.response

        if response is None:
            self._show_failure(result)
            return

        self._show_status(result, response)
        parts = [
            escaped_for_display(response.reason),
            f"{result.elapsed_ms:.0f} ms",
            self._size_text(response, _body_cut(result)),
            response.http_version,
        ]
        self._summary.setText(" · ".join(part for part in parts if part))
        self._show_headers(response.headers)
        self._save_button.setEnabled(True)

        notices = []
        if response.truncated:
            notices.append(self._truncation_notice(response))
        if result.failure is not None:
            notices.append(result.failure.message)
        else:
            notices.extend(self._decoded_notice(response))
        notices.extend(self._redirect_notices(result))
        location = response.header("location")
        if 300 <= response.status < 400 and location and not result.redirects:
            notices.append(
                self.tr(
                    "Redirect to %1 (not followed, as a webhook sender does)."
                ).replace("%1", location)
            )
        notices.extend(result.notes)
        self._result_notices = notices
        self._set_notices(notices)
        self._show_body()

    def show_not_sent(self, text: str) -> None:
        """Show why nothing was sent, such as a template that failed to render."""
        self.cancel_preparation()
        self._result = None
        self._result_notices = []
        self._empty_body_view()
        self._set_status(self.tr("Not sent"), _FAILURE_COLOUR)
        self._summary.setText(self.tr("The request was not sent."))
        self._notice.hide()
        self._clear_headers()
        self._charset.clear()
        self._save_button.setEnabled(False)
        self._request.set_text("")
        self._show_message(text)

    def _size_text(self, response: ReceivedResponse, cut: bool) -> str:
        """Return the body size for the summary, such as "50 MiB of 60 MiB".

        `cut` is True when the connection failed, or the send was stopped,
        before the end of the body.
        """
        if not response.truncated and not cut:
            return format_size(response.size)

        kept_size = format_size(len(response.body))
        if self._stored and response.size > len(response.body):
            return fill(self.tr("%1 of %2"), kept_size, format_size(response.size))
        announced_size = _announced_size_text(response)
        if announced_size is not None:
            return fill(self.tr("%1 of %2"), kept_size, announced_size)
        if response.truncated:
            return self.tr("%1 (truncated)").replace("%1", kept_size)
        return self.tr("%1 (incomplete)").replace("%1", kept_size)

    def _truncation_notice(self, response: ReceivedResponse) -> str:
        kept_size = format_size(len(response.body))
        if self._stored and response.size > len(response.body):
            return fill(
                self.tr(
                    "Only the first %1 of %2 were stored with this history entry: "
                    "the history keeps each body up to its history cap."
                ),
                kept_size,
                format_size(response.size),
            )
        announced_size = _announced_size_text(response)
        if announced_size is None:
            return self.tr(
                "Only the first %1 of the body were kept, because it is over the "
                "capture cap."
            ).replace("%1", kept_size)
        return fill(
            self.tr(
                "Only the first %1 of %2 announced were kept, because the body is "
                "over the capture cap."
            ),
            kept_size,
            announced_size,
        )

    def _redirect_notices(self, result: DeliveryResult) -> list[str]:
        """Return one line per redirect hop, saying when the method or body changed."""
        lines = []
        for hop in result.redirects:
            if not hop.followed:
                continue
            target = f"{hop.next_method} {hop.next_url}"
            line = f"{hop.status}: {hop.method} {hop.url} → {target}"
            if hop.method_changed:
                line += fill(
                    self.tr(" (the %1 became a %2, as browsers do)"),
                    hop.method,
                    hop.next_method,
                )
            if hop.dropped_headers:
                line += self.tr(" (not sent to the new origin: %1)").replace(
                    "%1", ", ".join(hop.dropped_headers)
                )
            lines.append(self.tr("Redirected %1").replace("%1", line))
        return lines

    def _decoded_notice(self, response: ReceivedResponse) -> list[str]:
        """Return a notice that the body shown and saved is decoded, if it was."""
        coding = (response.header("content-encoding") or "").strip()
        if coding.lower() in ("", "identity"):
            return []
        template = self.tr(
            "Decoded from Content-Encoding %1. Save body… writes the decoded bytes."
        )
        return [fill(template, escaped_for_display(coding))]

    def _show_status(self, result: DeliveryResult, response: ReceivedResponse) -> None:
        """Show the status code, with the failure that came after it, if any.

        A body cut short (a reset, a deadline, a cancel) or a redirect chain
        stopped at its limit keeps the last status, but the delivery did not
        succeed, so the badge names the failure in the failure's colour.
        """
        failure = result.failure
        if failure is None:
            colour = _STATUS_COLOURS.get(response.status_class, "#5b6b7b")
            self._set_status(str(response.status), colour)
            return
        cancelled = failure.kind is FailureKind.CANCELLED
        colour = _CANCELLED_COLOUR if cancelled else _FAILURE_COLOUR
        self._set_status(
            f"{response.status} · {kind_words(failure.kind.value)}", colour
        )

    def _show_failure(self, result: DeliveryResult) -> None:
        failure = result.failure
        assert failure is not None
        if failure.kind is FailureKind.CANCELLED:
            self._set_status(self.tr("Cancelled"), _CANCELLED_COLOUR)
            self._summary.setText(
                self.tr("Cancelled after %1 ms").replace(
                    "%1", f"{result.elapsed_ms:.0f}"
                )
            )
        else:
            self._set_status(self.tr("Failed"), _FAILURE_COLOUR)
            kind = kind_words(failure.kind.value)
            self._summary.setText(f"{kind} · {result.elapsed_ms:.0f} ms")
        self.cancel_preparation()
        self._result_notices = []
        self._empty_body_view()
        self._notice.hide()
        self._clear_headers()
        self._charset.clear()
        self._save_button.setEnabled(False)
        text = failure.message
        if failure.detail:
            text += "\n\n" + self.tr("Details: %1").replace("%1", failure.detail)
        extra = self._redirect_notices(result) + list(result.notes)
        if extra:
            text += "\n\n" + "\n".join(extra)
        self._show_message(text)

    def _show_body(self) -> None:
        from bchook_studio.core.body_preparation import INLINE_LIMIT, prepare_body

        self.cancel_preparation()
        if self._result is None or self._result.response is None:
            return
        response = self._result.response
        content_type = response.header("content-type")
        pretty = self._pretty.isChecked()
        failure = self._result.failure
        interrupted = _body_cut(self._result)
        if not response.body and not response.truncated:
            self._prepared = None
            self._empty_body_view()
            self._charset.clear()
            if interrupted and failure.kind is FailureKind.TOTAL_TIMEOUT:
                message = self.tr(
                    "No body arrived before the total deadline. The headers are on "
                    "the Headers tab."
                )
            elif interrupted and failure.kind is FailureKind.CANCELLED:
                message = self.tr(
                    "No body arrived before the send was cancelled. The headers are "
                    "on the Headers tab."
                )
            elif interrupted:
                message = self.tr(
                    "No body arrived before the connection failed. The headers are "
                    "on the Headers tab."
                )
            else:
                message = self.tr(
                    "The response has no body. The headers are on the Headers tab."
                )
            self._show_message(message)
            self.body_shown.emit()
            return
        truncated = response.truncated or interrupted
        if len(response.body) <= INLINE_LIMIT:
            prepared = prepare_body(
                response.body, content_type, pretty, self._caps, truncated
            )
            self._show_prepared(prepared)
            return

        # The text shown so far goes now, so two large bodies are not in memory.
        self._empty_body_view()
        self._charset.clear()
        self._set_notices(self._result_notices)
        self._show_message(
            self.tr("Preparing %1 for display…").replace(
                "%1", format_size(len(response.body))
            )
        )
        self._prepare_task = asyncio.ensure_future(
            self._prepare_in_worker(response.body, content_type, pretty, truncated)
        )

    async def _prepare_in_worker(
        self, body: bytes, content_type: str | None, pretty: bool, truncated: bool
    ) -> None:
        from bchook_studio.core.body_preparation import prepare_body

        try:
            prepared = await self._pool.run(
                prepare_body, body, content_type, pretty, self._caps, truncated
            )
        except Exception as exc:
            logger.exception(
                "preparing a body of %d bytes for display failed", len(body)
            )
            self._show_message(
                self.tr(
                    "Preparing the body for display failed: %1. Save body… writes "
                    "it to a file as received."
                ).replace("%1", str(exc) or type(exc).__name__)
            )
            return
        self._show_prepared(prepared)

    def _show_prepared(self, prepared: PreparedBody) -> None:
        # A hex dump has no pretty form, so the toggle would only redo it.
        self._pretty.setEnabled(not prepared.is_binary)
        if prepared.is_binary:
            self._charset.setText(
                fill(
                    self.tr("Binary body: %1, %2, shown as a hex dump"),
                    prepared.media_type or self.tr("unknown type"),
                    format_size(prepared.body_size),
                )
            )
        else:
            self._charset.setText(
                fill(
                    self.tr("Charset: %1 (%2)"),
                    prepared.charset,
                    prepared.charset_source,
                )
            )
        self._prepared = prepared
        response = self._result.response if self._result is not None else None
        partial = prepared.display_capped or (
            response is not None and response.truncated
        )
        view = self.body_view
        view.set_text(
            prepared.text, prepared.lines, prepared.language, complete=not partial
        )
        self._body_stack.setCurrentWidget(view)
        self._show_body_notices()
        self.body_shown.emit()

    def _show_body_notices(self) -> None:
        """Show the result's notices and the shown body's, which can grow while
        the view indexes a long text and finds longer lines."""
        prepared = self._prepared
        if prepared is None:
            return
        notices = self._result_notices + self._size_notices(prepared)
        notices.extend(prepared.notices)
        if self._save_outcome:
            notices.append(self._save_outcome)
        self._set_notices(notices)

    def _show_save_outcome(self, text: str) -> None:
        self._save_outcome = text
        if self._prepared is not None:
            self._show_body_notices()
        else:
            self._set_notices([*self._result_notices, text])

    def _size_notices(self, prepared: PreparedBody) -> list[str]:
        notices = []
        if prepared.display_capped:
            notices.append(self._display_cap_notice(prepared))
        if prepared.highlight_capped:
            notices.append(
                self.tr(
                    "The body is over the highlighting cap of %1, so it is shown "
                    "without colours."
                ).replace("%1", format_size(self._caps.highlight))
            )
        from bchook_studio.gui.body_view.line_highlighter import (
            MAX_HIGHLIGHTED_COLUMNS,
        )

        long_lines = prepared.lines.max_length > MAX_HIGHLIGHTED_COLUMNS
        if prepared.language != TEXT and long_lines:
            notices.append(
                self.tr("Colours stop after %1 characters on longer lines.").replace(
                    "%1", f"{MAX_HIGHLIGHTED_COLUMNS:,}"
                )
            )
        return notices

    def _display_cap_notice(self, prepared: PreparedBody) -> str:
        shown_size = format_size(prepared.shown_size)
        response = self._result.response if self._result is not None else None
        if response is None or not response.truncated:
            return self.tr(
                "Showing the first %1 of the body. Save body… writes all of it."
            ).replace("%1", shown_size)
        return fill(
            self.tr("Showing the first %1. Save body… writes the first %2."),
            shown_size,
            format_size(prepared.body_size),
        )

    def cancel_preparation(self) -> None:
        """Cancel a body preparation in flight, if any."""
        if self._prepare_task is not None and not self._prepare_task.done():
            self._prepare_task.cancel()
        self._prepare_task = None
        self._prepared = None

    async def aclose(self) -> None:
        """Cancel a body preparation in flight and wait for it to end."""
        task = self._prepare_task
        self.cancel_preparation()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    def _show_headers(self, headers) -> None:
        self._headers.setRowCount(len(headers))
        for row, (name, value) in enumerate(headers):
            self._headers.setItem(row, 0, QTableWidgetItem(name))
            value_item = QTableWidgetItem(value)
            if len(value) > _LONG_HEADER_VALUE:
                value_item.setToolTip(_tooltip_text(value))
            self._headers.setItem(row, 1, value_item)
        self._headers.resizeColumnToContents(0)
        self._update_headers_tab_title()

    def _clear_headers(self) -> None:
        self._headers.setRowCount(0)
        self._update_headers_tab_title()

    def _update_headers_tab_title(self) -> None:
        count = self._headers.rowCount()
        if count:
            self._tabs.setTabText(1, fill(self.tr("Headers (%1)"), count))
        else:
            self._tabs.setTabText(1, self.tr("Headers"))

    def _show_request(self, result: DeliveryResult) -> None:
        from bchook_studio.core.text_decoding import binary_summary, decode_body

        request: SentRequest | None = result.request
        if request is None:
            self._request.set_text(self.tr("The request was not sent."))
            return
        lines = []
        if result.proxy:
            lines.append(
                self.tr("# sent through the proxy %1").replace("%1", result.proxy)
            )
        if result.tls_verified is False:
            lines.append(self.tr("# the server's certificate was not verified"))
        lines.append(f"{request.method} {mask_url(request.url)} HTTP/1.1")
        lines += [f"{name}: {value}" for name, value in request.masked_headers()]
        decoded = decode_body(request.body, request.header("content-type"))
        body = binary_summary(decoded) if decoded.is_binary else decoded.text or ""
        self._request.set_language("text")
        self._request.set_text("\n".join(lines) + "\n\n" + body)

    def _show_message(self, text: str) -> None:
        self._message.setText(text)
        self._body_stack.setCurrentWidget(self._message)

    def _empty_body_view(self) -> None:
        """Drop the text the body view shows, if it was built."""
        if self._body is not None:
            self._body.set_text("")

    def _set_status(self, text: str, colour: str | None) -> None:
        self._status.setText(text)
        if colour is None:
            self._status.setStyleSheet("")
            self._status.setVisible(bool(text))
            return
        self._status.setVisible(True)
        self._status.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; font-weight: bold;"
            " border-radius: 3px; padding: 2px 8px; }"
        )

    def _set_notice(self, text: str) -> None:
        self._notice.setText(text)
        self._notice.setVisible(bool(text))

    def _set_notices(self, notices: list[str]) -> None:
        """Show each notice on a line of its own, bulleted when there are several.

        The bullets tell a new notice from a wrapped line of the one before.
        """
        if len(notices) > 1:
            notices = [f"• {notice}" for notice in notices]
        self._set_notice("\n".join(notices))

    def _on_save_clicked(self) -> None:
        if self._result is None or self._result.response is None:
            return
        name = body_file_name("response-body", self._result.response.content_type)
        path = ask_save_path(self, self.tr("Save response body"), name)
        if path is not None:
            self._save_task = asyncio.ensure_future(self.save_body(path))
            self._save_task.add_done_callback(report_task_failure)

    async def save_body(self, path: Path) -> None:
        """Write the response body as kept to `path`, byte for byte.

        A body over the capture cap was cut there, so the file contains the
        bytes up to the cap, which can be more than the view shows.

        A failure is shown in the notice, not raised.
        """
        if self._result is None or self._result.response is None:
            return
        await self._save(path, self._result.response.body)

    async def _save(self, path: Path, body: bytes) -> None:
        try:
            await save_bytes(path, body)
        except OSError as exc:
            logger.warning("saving the response body to %s failed: %s", path, exc)
            self._show_save_outcome(
                save_error_text(self.tr("Could not save to %1: %2."), path, exc)
            )
            return
        self._show_save_outcome(
            fill(self.tr("Saved %1 to %2."), format_size(len(body)), str(path))
        )


def _body_cut(result: DeliveryResult) -> bool:
    """True when a transport failure, the total deadline or a cancel cut the
    body of the result's response short."""
    return result.failure is not None and result.failure.kind in _BODY_INTERRUPTED_KINDS


def _announced_size_text(response: ReceivedResponse) -> str | None:
    """Return the body size that Content-Length announced, such as "60 MiB", or None.

    The kept body is counted after decoding, so the Content-Length of a
    content-coded (compressed) body is not comparable and gives None. The result
    is None too when the header is missing or not a number, or when the
    announced size does not read as larger than the bytes kept.
    """
    encoding = (response.header("content-encoding") or "").strip().lower()
    if encoding not in ("", "identity"):
        return None

    value = (response.header("content-length") or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None

    announced_bytes = int(value)
    kept_bytes = len(response.body)
    if announced_bytes <= kept_bytes:
        return None
    if format_size(announced_bytes) == format_size(kept_bytes):
        return None
    return format_size(announced_bytes)


def _tooltip_text(value: str) -> str:
    """Return a long header value cut to a length that a tooltip can show."""
    text = value[:_TOOLTIP_CHARACTERS]
    if len(value) > _TOOLTIP_CHARACTERS:
        text += "…"
    return text
