"""A small non-modal dialog that prompts for the URL to send a request to again."""

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.delivery.urls import InvalidUrlError, check_url
from bchook_studio.core.receiver import ReceivedRequest
from bchook_studio.core.webhook import targets_receiver
from bchook_studio.gui.placeholders import fill

_PROBLEM_STYLE = "color: #b02a37;"
_HINT_STYLE = "color: #5b6b7b;"


class ResendDialog(QDialog):
    """A URL field with Send and Cancel; Send emits `url_accepted` and closes.

    It is not modal, so the Inbox stays usable while it is open. The URL may
    be http://, https:// or receiver:/path for the built-in receiver.
    """

    url_accepted = Signal(str)
    """The URL to send the request to, checked and with spaces trimmed."""

    def __init__(
        self,
        request: ReceivedRequest | None = None,
        parent: QWidget | None = None,
        url: str = "",
    ) -> None:
        super().__init__(parent)
        self._request = request
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)

        self._intro = QLabel(self)
        self._intro.setTextFormat(Qt.TextFormat.PlainText)
        self._intro.setWordWrap(True)
        self._url = QLineEdit(url, self)
        self._url.setClearButtonEnabled(True)
        self._url.setMinimumWidth(420)
        self._problem = QLabel(self)
        self._problem.setTextFormat(Qt.TextFormat.PlainText)
        self._problem.setWordWrap(True)
        # Room for two lines, so a message does not push the buttons away.
        self._problem.setMinimumHeight(self._problem.fontMetrics().lineSpacing() * 2)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            self,
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._url)
        layout.addWidget(self._problem)
        layout.addWidget(self._buttons)

        self._buttons.accepted.connect(self._on_send_clicked)
        self._buttons.rejected.connect(self.reject)
        self._url.textChanged.connect(self._validate)
        self.retranslate_ui()
        self._validate()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Resend request"))
        request = self._request
        if request is None:
            self._intro.setText(self.tr("Send the request again to this URL:"))
        else:
            self._intro.setText(
                fill(
                    self.tr(
                        "Send %1 %2 again, with the same headers and body, to this URL:"
                    ),
                    request.method,
                    request.target,
                )
            )
        self._url.setPlaceholderText(self.tr("https://example.com/webhook"))
        self._buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Send")
        )

    @property
    def request(self) -> ReceivedRequest | None:
        """Return the request to send again, as given to the constructor."""
        return self._request

    @property
    def url_field(self) -> QLineEdit:
        return self._url

    @property
    def problem_label(self) -> QLabel:
        return self._problem

    def url(self) -> str:
        """Return the URL typed, without surrounding spaces."""
        return self._url.text().strip()

    def problem(self) -> str | None:
        """Return why the URL cannot be sent to, or None when it can."""
        url = self.url()
        if targets_receiver(url):
            return None
        try:
            check_url(url)
        except InvalidUrlError as exc:
            return str(exc)
        return None

    def _validate(self) -> None:
        problem = self.problem()
        if self.url():
            self._problem.setStyleSheet(_PROBLEM_STYLE)
            self._problem.setText(problem or "")
        else:
            # An empty field is not a mistake yet, so the hint is not red.
            self._problem.setStyleSheet(_HINT_STYLE)
            self._problem.setText(
                self.tr(
                    "Enter an http:// or https:// URL, or receiver:/path for the "
                    "built-in receiver."
                )
            )
        send = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        send.setEnabled(problem is None)

    def _on_send_clicked(self) -> None:
        if self.problem() is not None:
            return
        self.url_accepted.emit(self.url())
        self.accept()
