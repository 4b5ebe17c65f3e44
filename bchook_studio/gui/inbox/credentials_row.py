"""The row that shows a request's Basic credentials, the password masked until Show."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from bchook_studio.core.delivery.request import SECRET_HEADERS
from bchook_studio.core.inbox.display import has_secret_headers
from bchook_studio.core.logs import MASK
from bchook_studio.core.receiver import BasicCredentials, ReceivedRequest
from bchook_studio.gui.icons import eye_icon
from bchook_studio.gui.placeholders import fill


def _plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CredentialsRow(QFrame):
    """Username, masked password and charset of Basic credentials, with Show.

    For a request with other secret headers (a Bearer token, a Cookie) the row
    names them instead. Show reveals secrets in the whole detail view; every
    new request starts masked. The row is hidden for a request without secrets.
    """

    secrets_shown = Signal(bool)
    """True when the user chose to see secrets, False when they hid them again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._request: ReceivedRequest | None = None
        self._credentials: BasicCredentials | None = None

        self.setObjectName("credentialsRow")
        self.setStyleSheet(
            "QFrame#credentialsRow { background: #f3f6fa; border: 1px solid #d8dee4;"
            " border-radius: 3px; }"
        )
        self._title = _plain_label(self)
        self._title.setStyleSheet("font-weight: bold;")
        self._username = _plain_label(self)
        self._password = _plain_label(self)
        self._charset = _plain_label(self)
        self._charset.setStyleSheet("color: #5b6b7b;")
        # Wrapping keeps a long sentence from widening the detail view.
        self._charset.setWordWrap(True)
        self._show_button = QToolButton(self)
        self._show_button.setCheckable(True)
        self._show_button.setToolButtonStyle(
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        self._show_button.setAutoRaise(True)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 4, 2)
        layout.setSpacing(12)
        layout.addWidget(self._title)
        layout.addWidget(self._username)
        layout.addWidget(self._password)
        layout.addWidget(self._show_button)
        layout.addWidget(self._charset, 1)

        self._show_button.toggled.connect(self._on_show_toggled)
        self.retranslate_ui()
        self.show_request(None)

    def retranslate_ui(self) -> None:
        self._update_texts()

    # Accessors for tests.

    @property
    def show_button(self) -> QToolButton:
        return self._show_button

    @property
    def username_label(self) -> QLabel:
        return self._username

    @property
    def password_label(self) -> QLabel:
        return self._password

    @property
    def charset_label(self) -> QLabel:
        return self._charset

    def secrets_visible(self) -> bool:
        """True while the user has chosen Show."""
        return self._show_button.isChecked()

    # Contents.

    def show_request(self, request: ReceivedRequest | None) -> None:
        """Show the secrets of `request` masked, or hide the row when it has none."""
        self._request = request
        self._credentials = request.basic_credentials() if request else None
        self._show_button.blockSignals(True)
        self._show_button.setChecked(False)
        self._show_button.blockSignals(False)
        self.setVisible(request is not None and has_secret_headers(request))
        self._update_texts()

    def _on_show_toggled(self, shown: bool) -> None:
        self._update_texts()
        self.secrets_shown.emit(shown)

    def _update_texts(self) -> None:
        shown = self._show_button.isChecked()
        self._show_button.setText(self.tr("Hide") if shown else self.tr("Show"))
        self._show_button.setIcon(eye_icon(crossed=shown))
        self._show_button.setToolTip(
            self.tr("Mask the password and secret headers again")
            if shown
            else self.tr("Show the password and secret headers in clear text")
        )

        credentials = self._credentials
        if credentials is not None:
            self._show_basic(credentials, shown)
            return

        self._title.setText(self.tr("Secret headers"))
        names = []
        if self._request is not None:
            for name, _value in self._request.headers:
                if name.lower() in SECRET_HEADERS and name not in names:
                    names.append(name)
        self._username.setText(", ".join(names))
        self._password.setText(self.tr("shown in the tabs below") if shown else "")
        self._password.setVisible(shown)
        self._charset.setText(
            self.tr("These headers are not Basic credentials, so nothing is decoded.")
        )

    def _show_basic(self, credentials: BasicCredentials, shown: bool) -> None:
        self._title.setText(self.tr("Basic credentials"))
        self._username.setText(fill(self.tr("Username: %1"), credentials.username))
        password = credentials.password if shown else MASK
        self._password.setText(fill(self.tr("Password: %1"), password))
        self._password.setVisible(True)
        if credentials.charset == "utf-8":
            charset = self.tr("Decoded as UTF-8.")
        else:
            charset = self.tr(
                "Decoded as latin-1, because the bytes are not valid UTF-8."
            )
        self._charset.setText(charset)
