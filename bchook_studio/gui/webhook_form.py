"""The webhook form as BrainCert's settings page has it, plus the studio's options."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bchook_studio.core.delivery.proxies import ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.request import Timeouts
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.topics import all_topics
from bchook_studio.core.webhook import (
    DEFAULT_RECEIVER_URL,
    HeaderRow,
    ReceiverNotRunningError,
    Webhook,
    resolve_url,
    targets_receiver,
)
from bchook_studio.gui.elided_label import ElidedLabel
from bchook_studio.gui.icons import eye_icon
from bchook_studio.gui.placeholders import fill

if TYPE_CHECKING:
    from bchook_studio.gui.headers_table import HeadersTable
    from bchook_studio.gui.network_form import NetworkForm

MIN_LINE_EDIT_CHARS = 24
"""Average characters that the name and URL fields show at the least, however
narrow the window."""

# The highest timeouts, in seconds, that the fields offer. A loaded webhook's
# higher ones are shown as they are.
_MAX_OPERATION_TIMEOUT = 3600.0
_MAX_TOTAL_TIMEOUT = 86400.0


class WebhookForm(QWidget):
    """Name, URL, topic, content type, Basic authentication, headers, connection.

    The body is edited elsewhere; `webhook()` returns the form's fields on top
    of the webhook last given to `set_webhook()`.
    """

    changed = Signal()
    """Any field changed by the user."""

    topic_changed = Signal(str)
    """The user picked another topic (its key)."""

    format_changed = Signal(object)
    """The user picked another format (a BodyFormat); `set_format` can revert it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sections_ordered = False
        self._base = Webhook()
        self._updating = False
        self._receiver_base: str | None = None

        self._name = QLineEdit(self)
        self._url = QLineEdit(self)
        self._url.setClearButtonEnabled(True)
        self._receiver_button = QToolButton(self)
        # The resolved address gives way to the URL field: it shrinks to "…"
        # and shows in full as the tooltip.
        self._receiver_hint = ElidedLabel(self)
        self._receiver_hint.setSizePolicy(
            QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed
        )
        self._receiver_hint.setStyleSheet("color: #5b6b7b;")
        min_width = self.fontMetrics().averageCharWidth() * MIN_LINE_EDIT_CHARS
        self._name.setMinimumWidth(min_width)
        self._url.setMinimumWidth(min_width)
        self._topic = QComboBox(self)
        for topic in all_topics():
            self._topic.addItem(topic.title, topic.key)
        self._topic.setMaxVisibleItems(24)

        self._json_button = QRadioButton("application/json", self)
        self._xml_button = QRadioButton("application/xml", self)
        self._format_group = QButtonGroup(self)
        self._format_group.addButton(self._json_button)
        self._format_group.addButton(self._xml_button)
        self._json_button.setChecked(True)
        self._charset = QCheckBox(self)

        self._auth = QComboBox(self)
        self._username = QLineEdit(self)
        self._password = QLineEdit(self)
        self._password.setEchoMode(QLineEdit.EchoMode.Password)
        self._show_password = QAction(self)
        self._show_password.setCheckable(True)
        self._show_password.setIcon(eye_icon())
        self._password.addAction(
            self._show_password, QLineEdit.ActionPosition.TrailingPosition
        )
        self._username_label = QLabel(self)
        self._password_label = QLabel(self)

        self._timeout = QDoubleSpinBox(self)
        self._timeout.setRange(0.1, _MAX_OPERATION_TIMEOUT)
        self._timeout.setDecimals(1)
        self._total_timeout = QDoubleSpinBox(self)
        self._total_timeout.setRange(0.1, _MAX_TOTAL_TIMEOUT)
        self._total_timeout.setDecimals(1)
        self._loaded_timeouts = Timeouts()
        """The loaded webhook's timeouts, which `webhook()` returns until the
        user edits one: the fields round to tenths and have a maximum."""
        self._timeouts_edited = False
        self._secret_query = QLineEdit(self)
        self._secret_query.setClearButtonEnabled(True)

        self._headers_table: HeadersTable | None = None
        self._header_rows: tuple[HeaderRow, ...] = ()
        """The custom headers while their section was never open."""
        self._headers_toggle = _section_toggle(self)
        self._connection = QWidget(self)
        self._connection.setVisible(False)
        self._connection_toggle = _section_toggle(self)
        self._network: NetworkForm | None = None
        self._network_settings = (TlsSetting(), ProxySetting(), RedirectSetting())
        """The loaded webhook's connection settings, which `webhook()` returns
        until the user edits a connection field."""
        self._network_edited = False

        self._build_layout()
        self._order_tabs()
        self._connect()
        self.retranslate_ui()
        self.set_webhook(Webhook())

    def _order_tabs(self) -> None:
        """Make Tab follow the layout: both section titles, then what they open.

        The sections' fields are built before their titles, so by creation
        order Tab would reach the connection fields before either title. The
        fields are ordered when a section first opens: walking the focus chain
        wraps every inner widget for Python, which took about 5 ms at start-up.
        """
        chain = (self._password, self._headers_toggle, self._connection_toggle)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _order_section_tabs(self) -> None:
        """Put the fields of both sections after their titles, in layout order."""
        if self._sections_ordered:
            return
        self._sections_ordered = True
        chain = (
            self._connection_toggle,
            *_tab_stops_inside(self.headers),
            self._timeout,
            self._total_timeout,
            self._secret_query,
            *_tab_stops_inside(self.network),
        )
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _build_layout(self) -> None:
        self._name_label = QLabel(self)
        self._url_label = QLabel(self)
        self._topic_label = QLabel(self)
        self._format_label = QLabel(self)
        self._auth_label = QLabel(self)
        self._timeout_label = QLabel(self)

        # In a narrow window a row whose fields do not fit beside the labels
        # moves below its label, so no row sets the window's minimum width.
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self._name_label, self._name)
        url_row = QHBoxLayout()
        url_row.addWidget(self._url, 1)
        url_row.addWidget(self._receiver_button)
        url_row.addWidget(self._receiver_hint)
        form.addRow(self._url_label, url_row)
        form.addRow(self._topic_label, self._topic)

        format_buttons = QHBoxLayout()
        format_buttons.addWidget(self._json_button)
        format_buttons.addWidget(self._xml_button)
        charset_box = QHBoxLayout()
        charset_box.addSpacing(12)
        charset_box.addWidget(self._charset)
        form.addRow(self._format_label, _wrapping_pair(format_buttons, charset_box))

        auth_row = QHBoxLayout()
        auth_row.addWidget(self._auth)
        auth_row.addWidget(self._username_label)
        auth_row.addWidget(self._username, 1)
        auth_row.addWidget(self._password_label)
        auth_row.addWidget(self._password, 1)
        form.addRow(self._auth_label, auth_row)

        timeout_row = QHBoxLayout()
        timeout_row.addWidget(self._timeout)
        self._total_label = QLabel(self)
        timeout_row.addWidget(self._total_label)
        timeout_row.addWidget(self._total_timeout)
        timeout_row.addStretch(1)
        connection_form = QFormLayout()
        connection_form.setContentsMargins(0, 0, 0, 0)
        connection_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        connection_form.addRow(self._timeout_label, timeout_row)
        self._secret_query_label = QLabel(self)
        connection_form.addRow(self._secret_query_label, self._secret_query)
        self._connection_layout = QVBoxLayout(self._connection)
        self._connection_layout.setContentsMargins(16, 0, 0, 4)
        self._connection_layout.addLayout(connection_form)

        headers_box = QHBoxLayout()
        headers_box.addWidget(self._headers_toggle)
        connection_box = QHBoxLayout()
        connection_box.addWidget(self._connection_toggle)
        toggles = _wrapping_pair(headers_box, connection_box)

        content = QWidget(self)
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.addLayout(form)
        content_layout.addLayout(toggles)
        # The custom headers table goes between the toggles and the connection.
        content_layout.addWidget(self._connection)
        self._content_layout = content_layout

        # The form as first shown, its sections closed, stays in view when the
        # window is short: the body editor below gives up the room instead. An
        # open Custom headers or Connection section scrolls.
        collapsed_height = content.minimumSizeHint().height()
        self._scroll = _FormScrollArea(collapsed_height, self)
        self._scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)

    def _connect(self) -> None:
        line_edits = (
            self._name,
            self._url,
            self._username,
            self._password,
            self._secret_query,
        )
        for line_edit in line_edits:
            line_edit.textEdited.connect(self._emit_changed)
        self._topic.currentIndexChanged.connect(self._on_topic_index_changed)
        self._json_button.toggled.connect(self._on_format_toggled)
        self._charset.toggled.connect(self._emit_changed)
        self._auth.currentIndexChanged.connect(self._on_auth_changed)
        self._show_password.toggled.connect(self._on_show_password_toggled)
        self._timeout.valueChanged.connect(self._on_timeout_changed)
        self._total_timeout.valueChanged.connect(self._on_timeout_changed)
        self._headers_toggle.toggled.connect(self._on_headers_toggled)
        self._connection_toggle.toggled.connect(self._on_connection_toggled)
        self._receiver_button.clicked.connect(self._on_receiver_clicked)
        self._url.textChanged.connect(self._update_receiver_hint)

    def retranslate_ui(self) -> None:
        self._name_label.setText(self.tr("&Name"))
        self._name_label.setBuddy(self._name)
        self._name.setPlaceholderText(self.tr("A name to tell this webhook apart"))
        self._url_label.setText(self.tr("&URL"))
        self._url_label.setBuddy(self._url)
        self._url.setPlaceholderText(self.tr("https://example.com/webhooks/braincert"))
        self._url.setToolTip(
            self.tr(
                "The endpoint to POST to, or receiver:/path for the built-in "
                "receiver, which is resolved to its address when sending"
            )
        )
        self._receiver_button.setText(self.tr("Built-in receiver"))
        self._receiver_button.setToolTip(
            self.tr(
                "Send to Hook Studio's own receiver and see the request in the Inbox"
            )
        )
        self._topic_label.setText(self.tr("&Topic"))
        self._topic_label.setBuddy(self._topic)
        self._format_label.setText(self.tr("Content-Type"))
        self._charset.setText(self.tr("add ; charset=utf-8"))
        self._charset.setToolTip(
            self.tr(
                "BrainCert's form names the bare media type. Tick to send "
                "'; charset=utf-8' after it."
            )
        )
        self._auth_label.setText(self.tr("Basic &authentication"))
        self._auth_label.setBuddy(self._auth)
        current = self._auth.currentIndex()
        self._auth.blockSignals(True)
        self._auth.clear()
        self._auth.addItems([self.tr("No"), self.tr("Yes")])
        self._auth.setCurrentIndex(max(current, 0))
        self._auth.blockSignals(False)
        self._username_label.setText(self.tr("Username"))
        self._password_label.setText(self.tr("Password"))
        self._show_password.setToolTip(self.tr("Show or hide the password"))
        self._timeout_label.setText(self.tr("Timeout (s)"))
        self._timeout.setToolTip(
            self.tr("Seconds allowed to connect and for each read and write")
        )
        self._total_label.setText(self.tr("Total deadline (s)"))
        self._total_timeout.setToolTip(
            self.tr("Seconds allowed for the whole exchange")
        )
        self._secret_query_label.setText(self.tr("Secret &query parameters"))
        self._secret_query_label.setBuddy(self._secret_query)
        self._secret_query.setPlaceholderText(self.tr("Names, separated by commas"))
        self._secret_query.setToolTip(
            self.tr(
                "Query parameters of the URL whose values are secrets: the URL is "
                "saved in the keychain and the values are masked in the history and "
                "exports. Names such as key, sig, token and password are masked "
                "without being listed."
            )
        )
        self._update_headers_title()
        self._update_connection_title()
        self._update_receiver_hint()

    # Reading and writing the whole form.

    def set_webhook(self, webhook: Webhook) -> None:
        """Show `webhook` in the form without emitting change signals."""
        self._base = webhook
        self._updating = True
        try:
            self._name.setText(webhook.name)
            self._url.setText(webhook.url)
            self._topic.setCurrentIndex(max(self._topic.findData(webhook.topic_key), 0))
            self.set_format(webhook.body_format)
            self._charset.setChecked(webhook.charset_parameter)
            self._auth.setCurrentIndex(1 if webhook.auth_enabled else 0)
            self._username.setText(webhook.username)
            self._password.setText(webhook.password)
            timeouts = webhook.timeouts
            self._loaded_timeouts = timeouts
            self._timeouts_edited = False
            self._timeout.setMaximum(max(_MAX_OPERATION_TIMEOUT, timeouts.operation))
            self._total_timeout.setMaximum(max(_MAX_TOTAL_TIMEOUT, timeouts.total))
            self._timeout.setValue(timeouts.operation)
            self._total_timeout.setValue(timeouts.total)
            self._secret_query.setText(", ".join(webhook.secret_query_parameters))
            self._header_rows = webhook.headers
            if self._headers_table is not None:
                self._headers_table.set_rows(webhook.headers)
            self._headers_toggle.setChecked(bool(webhook.headers))
            self._network_settings = (webhook.tls, webhook.proxy, webhook.redirects)
            self._network_edited = False
            if self._network is not None:
                self._network.set_settings(*self._network_settings)
        finally:
            self._updating = False
        self._update_auth_fields()
        self._update_headers_title()
        self._update_connection_title()
        self._update_receiver_hint()

    def webhook(self) -> Webhook:
        """Return the webhook as the form now shows it (the body is not included)."""
        tls, proxy, redirects = self._network_values()
        return self._base.with_changes(
            name=self._name.text().strip() or self._base.name,
            url=self._url.text().strip(),
            topic_key=self._topic.currentData(),
            body_format=self.body_format(),
            charset_parameter=self._charset.isChecked(),
            auth_enabled=self._auth.currentIndex() == 1,
            username=self._username.text(),
            password=self._password.text(),
            headers=self._rows(),
            timeouts=self._timeouts(),
            secret_query_parameters=self.secret_query_parameters(),
            tls=tls,
            proxy=proxy,
            redirects=redirects,
        )

    def secret_query_parameters(self) -> tuple[str, ...]:
        """Return the names in the secret query parameters field, each once."""
        names = (name.strip() for name in self._secret_query.text().split(","))
        return tuple(dict.fromkeys(name for name in names if name))

    def set_receiver_address(self, base_url: str | None) -> None:
        """Show where the built-in receiver listens, or None when it is stopped."""
        self._receiver_base = base_url
        self._update_receiver_hint()

    def body_format(self) -> BodyFormat:
        """Return the format the radio buttons show."""
        return BodyFormat.XML if self._xml_button.isChecked() else BodyFormat.JSON

    def set_format(self, body_format: BodyFormat) -> None:
        """Check the radio button for `body_format` without emitting signals."""
        button = (
            self._xml_button if body_format is BodyFormat.XML else self._json_button
        )
        self._json_button.blockSignals(True)
        self._xml_button.blockSignals(True)
        try:
            button.setChecked(True)
        finally:
            self._json_button.blockSignals(False)
            self._xml_button.blockSignals(False)

    def set_topic(self, key: str) -> None:
        """Select the topic `key` without emitting `topic_changed`."""
        self._updating = True
        try:
            self._topic.setCurrentIndex(max(self._topic.findData(key), 0))
        finally:
            self._updating = False

    # Accessors for the window and for tests.

    @property
    def name_edit(self) -> QLineEdit:
        return self._name

    @property
    def url_edit(self) -> QLineEdit:
        return self._url

    @property
    def topic_combo(self) -> QComboBox:
        return self._topic

    @property
    def xml_button(self) -> QRadioButton:
        return self._xml_button

    @property
    def json_button(self) -> QRadioButton:
        return self._json_button

    @property
    def auth_combo(self) -> QComboBox:
        return self._auth

    @property
    def username_edit(self) -> QLineEdit:
        return self._username

    @property
    def password_edit(self) -> QLineEdit:
        return self._password

    @property
    def show_password_action(self) -> QAction:
        return self._show_password

    @property
    def timeout_spin(self) -> QDoubleSpinBox:
        return self._timeout

    @property
    def receiver_button(self) -> QToolButton:
        return self._receiver_button

    @property
    def receiver_hint(self) -> QLabel:
        return self._receiver_hint

    @property
    def connection_toggle(self) -> QToolButton:
        return self._connection_toggle

    # Slots.

    def _timeouts(self) -> Timeouts:
        if not self._timeouts_edited:
            return self._loaded_timeouts
        return Timeouts(self._timeout.value(), self._total_timeout.value())

    def _on_timeout_changed(self, _value: float) -> None:
        if not self._updating:
            self._timeouts_edited = True
            self.changed.emit()

    def _emit_changed(self, *_args: object) -> None:
        if not self._updating:
            self.changed.emit()

    def _on_topic_index_changed(self, _index: int) -> None:
        if not self._updating:
            self.topic_changed.emit(self._topic.currentData())
            self.changed.emit()

    def _on_format_toggled(self, _checked: bool) -> None:
        if not self._updating:
            self.format_changed.emit(self.body_format())
            self.changed.emit()

    def _on_auth_changed(self, _index: int) -> None:
        self._update_auth_fields()
        self._emit_changed()

    def _update_auth_fields(self) -> None:
        enabled = self._auth.currentIndex() == 1
        for widget in (
            self._username,
            self._password,
            self._username_label,
            self._password_label,
        ):
            widget.setEnabled(enabled)

    def _on_show_password_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self._password.setEchoMode(mode)
        self._show_password.setIcon(eye_icon(crossed=shown))

    def _on_headers_changed(self) -> None:
        self._update_headers_title()
        self._emit_changed()

    def show_headers(self) -> None:
        """Open the custom headers section."""
        self._headers_toggle.setChecked(True)

    @property
    def headers(self) -> HeadersTable:
        """The custom headers table, built when its section first opens.

        A webhook without custom headers starts with the section closed.
        """
        if self._headers_table is None:
            from bchook_studio.gui.headers_table import HeadersTable

            table = HeadersTable(self)
            table.setVisible(False)
            table.set_rows(self._header_rows)
            table.changed.connect(self._on_headers_changed)
            index = self._content_layout.indexOf(self._connection)
            self._content_layout.insertWidget(index, table)
            self._headers_table = table
        return self._headers_table

    def header_problems(self) -> list[str]:
        """Return why custom headers cannot be sent, one sentence each."""
        return self.headers.problems() if self._has_headers() else []

    def _has_headers(self) -> bool:
        return self._headers_table is not None or bool(self._header_rows)

    def _rows(self) -> tuple[HeaderRow, ...]:
        if self._headers_table is None:
            return self._header_rows
        return self._headers_table.rows()

    def _on_headers_toggled(self, shown: bool) -> None:
        if shown:
            self._order_section_tabs()
        if shown or self._headers_table is not None:
            self.headers.setVisible(shown)
        _set_arrow(self._headers_toggle, shown)
        self._scroll.updateGeometry()

    @property
    def network(self) -> NetworkForm:
        """The TLS, proxy and redirect fields, built when first needed.

        The Connection section starts closed. Its fields and their module
        take about 0.2 MiB, which a session that never opens it does not pay.
        """
        if self._network is None:
            from bchook_studio.gui.network_form import NetworkForm

            self._network = NetworkForm(self._connection)
            self._network.set_settings(*self._network_settings)
            self._network.changed.connect(self._on_network_changed)
            self._connection_layout.addWidget(self._network)
        return self._network

    def _network_values(self) -> tuple[TlsSetting, ProxySetting, RedirectSetting]:
        """Return the connection settings: the loaded ones until the user edits one.

        The fields trim the text they hold, so a loaded value with spaces
        around it still counts as loaded until an edit.
        """
        if not self._network_edited or self._network is None:
            return self._network_settings
        network = self._network
        return network.tls(), network.proxy(), network.redirects()

    def _on_connection_toggled(self, shown: bool) -> None:
        if shown:
            self._order_section_tabs()
        self._connection.setVisible(shown)
        _set_arrow(self._connection_toggle, shown)
        self._scroll.updateGeometry()

    def _on_network_changed(self) -> None:
        self._network_edited = True
        self._update_connection_title()
        self._emit_changed()

    def _on_receiver_clicked(self) -> None:
        self._url.setText(DEFAULT_RECEIVER_URL)
        self._emit_changed()

    def _update_receiver_hint(self) -> None:
        url = self._url.text().strip()
        if not targets_receiver(url):
            self._receiver_hint.clear()
            self._receiver_hint.setVisible(False)
            return
        try:
            resolved = resolve_url(url, self._receiver_base)
        except ReceiverNotRunningError:
            text = self.tr("→ receiver stopped")
        else:
            text = "→ " + resolved
        self._receiver_hint.set_elided_text(text)
        self._receiver_hint.setVisible(True)

    def _update_connection_title(self) -> None:
        tls = self._network_values()[0]
        title = self.tr("Connection: timeouts, TLS, proxy, redirects")
        if not tls.verify:
            title = self.tr("Connection: certificate verification OFF")
        self._connection_toggle.setText(title)
        style = "color: #b02a37; font-weight: bold;" if not tls.verify else ""
        self._connection_toggle.setStyleSheet(style)

    def _update_headers_title(self) -> None:
        count = len(self._rows())
        title = self.tr("Custom headers (%n)", "", count)
        tooltip = self.tr(
            "Headers sent with the request; each replaces a default of its name"
        )
        problems = self.header_problems()
        warnings = self.headers.warnings() if self._has_headers() else []
        style = ""
        if problems:
            title += " · " + self.tr("%n cannot be sent", "", len(problems))
            tooltip = "\n".join(problems + warnings)
            style = "color: #b02a37; font-weight: bold;"
        elif warnings:
            if len(warnings) == 1:
                title += " · " + self.tr("1 name repeated")
            else:
                title += " · " + fill(self.tr("%1 names repeated"), len(warnings))
            tooltip = "\n".join(warnings)
            style = "color: #b35c00; font-weight: bold;"
        self._headers_toggle.setText(title)
        self._headers_toggle.setToolTip(tooltip)
        self._headers_toggle.setStyleSheet(style)


def _tab_stops_inside(container: QWidget) -> list[QWidget]:
    """Return the widgets inside `container` that Tab stops at, in chain order.

    Ordering the stops one by one keeps them together: with a container as
    its second argument, setTabOrder moved only the container in Qt 6.11 and
    left the fields inside it behind.
    """
    stops = []
    current = container.nextInFocusChain()
    while container.isAncestorOf(current):
        if current.focusPolicy() & Qt.FocusPolicy.TabFocus:
            stops.append(current)
        current = current.nextInFocusChain()
    return stops or [container]


class _FormScrollArea(QScrollArea):
    """Scrolls the form vertically when the window is too short for it.

    The size hint is the content's height at the current width, so the window
    gives the form all the room it needs when it has that room. The minimum
    height is `min_height` pixels or less, and the minimum width leaves room
    for the vertical scroll bar.
    """

    def __init__(self, min_height: int, parent: QWidget) -> None:
        super().__init__(parent)
        self._min_height = min_height
        self._hint_width = -1
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Tab goes to the fields inside, which the area scrolls into view.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        width = self.viewport().width()
        if content.hasHeightForWidth() and width > 0:
            hint.setHeight(max(hint.height(), content.heightForWidth(width)))
        return hint

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().minimumSizeHint()
        minimum = content.minimumSizeHint()
        width = minimum.width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, min(minimum.height(), self._min_height))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The height the content needs changes with the width once rows wrap.
        if event.size().width() != self._hint_width:
            self._hint_width = event.size().width()
            self.updateGeometry()


def _wrapping_pair(first: QHBoxLayout, second: QHBoxLayout) -> QFormLayout:
    """Return a row of `first` then `second` that puts `second` below `first`
    when the two do not fit side by side.

    QFormLayout's WrapLongRows policy does the wrapping, with `first` in the
    label role, so the row's minimum width is that of the wider part alone.
    """
    first.setContentsMargins(0, 0, 0, 0)
    second.setContentsMargins(0, 0, 0, 0)
    second.addStretch(1)
    pair = QFormLayout()
    pair.setContentsMargins(0, 0, 0, 0)
    pair.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    pair.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    pair.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    pair.setHorizontalSpacing(0)
    pair.setLayout(0, QFormLayout.ItemRole.LabelRole, first)
    pair.setLayout(0, QFormLayout.ItemRole.FieldRole, second)
    return pair


def _section_toggle(parent: QWidget) -> QToolButton:
    """Return a flat button with an arrow that shows or hides a section."""
    toggle = QToolButton(parent)
    toggle.setCheckable(True)
    toggle.setAutoRaise(True)
    toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toggle.setArrowType(Qt.ArrowType.RightArrow)
    return toggle


def _set_arrow(toggle: QToolButton, shown: bool) -> None:
    toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
