"""Connection settings of a webhook: TLS, client certificate, proxy, redirects."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.gui.save_paths import ask_open_path, save_folder

_WARNING_STYLE = (
    "QLabel { background: #fde2e1; color: #7a1c16; border: 1px solid #e8a09a;"
    " border-radius: 3px; padding: 3px 6px; }"
)


class _FileField(QWidget):
    """A path line edit with a Browse… button."""

    edited = Signal()

    def __init__(self, dialog_title: str, name_filter: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._dialog_title = dialog_title
        self._name_filter = name_filter
        self.line_edit = QLineEdit(self)
        self.line_edit.setClearButtonEnabled(True)
        self._browse = QPushButton(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self._browse)
        self._browse.clicked.connect(self._on_browse_clicked)
        self.line_edit.textEdited.connect(self.edited)
        self._browse.setText(self.tr("Browse…"))

    def path(self) -> str:
        return self.line_edit.text().strip()

    def set_path(self, path: str) -> None:
        self.line_edit.setText(path)

    def _on_browse_clicked(self) -> None:
        start = self.path() or str(save_folder())
        path = ask_open_path(self, self._dialog_title, start, self._name_filter)
        if path:
            self.line_edit.setText(path)
            self.edited.emit()


MAX_REDIRECTS_FIELD = 50
"""The highest redirect limit the field offers."""

_QT_INT_MAX = 2**31 - 1


class NetworkForm(QWidget):
    """TLS, proxy and redirect settings of one webhook."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False

        self._verify = QCheckBox(self)
        self._verify_warning = QLabel(self)
        self._verify_warning.setTextFormat(Qt.TextFormat.PlainText)
        self._verify_warning.setStyleSheet(_WARNING_STYLE)
        self._ca_bundle = _FileField(
            self.tr("Choose a CA bundle"),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
            self,
        )
        self._client_cert = _FileField(
            self.tr("Choose a client certificate"),
            self.tr("Certificates (*.pem *.crt *.pfx *.p12);;All files (*)"),
            self,
        )
        self._client_key = _FileField(
            self.tr("Choose the client key"),
            self.tr("Keys (*.pem *.key);;All files (*)"),
            self,
        )
        self._client_password = QLineEdit(self)
        self._client_password.setEchoMode(QLineEdit.EchoMode.Password)

        self._proxy_mode = QComboBox(self)
        self._proxy_url = QLineEdit(self)
        self._proxy_url.setClearButtonEnabled(True)

        self._follow = QCheckBox(self)
        self._max_redirects = QSpinBox(self)
        self._max_redirects.setRange(0, MAX_REDIRECTS_FIELD)
        self._max_redirects.setValue(10)

        self._labels = {
            name: QLabel(self)
            for name in ("tls", "ca", "cert", "key", "password", "proxy", "redirects")
        }
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self._labels["tls"], self._verify)
        form.addRow(self._verify_warning)
        form.addRow(self._labels["ca"], self._ca_bundle)
        form.addRow(self._labels["cert"], self._client_cert)
        form.addRow(self._labels["key"], self._client_key)
        form.addRow(self._labels["password"], self._client_password)
        proxy_row = QHBoxLayout()
        proxy_row.addWidget(self._proxy_mode)
        proxy_row.addWidget(self._proxy_url, 1)
        form.addRow(self._labels["proxy"], proxy_row)
        redirect_row = QHBoxLayout()
        redirect_row.addWidget(self._follow)
        redirect_row.addWidget(self._max_redirects)
        redirect_row.addStretch(1)
        form.addRow(self._labels["redirects"], redirect_row)

        self._verify.toggled.connect(self._on_verify_toggled)
        for field in (self._ca_bundle, self._client_cert, self._client_key):
            field.edited.connect(self._emit_changed)
        self._client_password.textEdited.connect(self._emit_changed)
        self._proxy_mode.currentIndexChanged.connect(self._on_proxy_mode_changed)
        self._proxy_url.textEdited.connect(self._emit_changed)
        self._follow.toggled.connect(self._on_follow_toggled)
        self._max_redirects.valueChanged.connect(self._emit_changed)
        self.retranslate_ui()
        self.set_settings(TlsSetting(), ProxySetting(), RedirectSetting())

    def retranslate_ui(self) -> None:
        self._labels["tls"].setText(self.tr("Certificates"))
        self._verify.setText(self.tr("Verify the server's certificate"))
        self._verify_warning.setText(
            self.tr("Verification is off: any server is accepted, impostors included.")
        )
        self._labels["ca"].setText(self.tr("Extra CA bundle"))
        self._ca_bundle.line_edit.setPlaceholderText(
            self.tr("Trusted in addition to the operating system's store")
        )
        self._labels["cert"].setText(self.tr("Client certificate"))
        self._client_cert.line_edit.setPlaceholderText(
            self.tr("PEM, or PKCS#12 (.pfx, .p12), for mutual TLS")
        )
        self._labels["key"].setText(self.tr("Client key"))
        self._client_key.line_edit.setPlaceholderText(
            self.tr("PEM key, when it is not in the certificate file")
        )
        self._labels["password"].setText(self.tr("Key password"))
        self._client_password.setPlaceholderText(
            self.tr("Passphrase of the key or password of the .pfx file")
        )
        self._labels["proxy"].setText(self.tr("Proxy"))
        current = max(self._proxy_mode.currentIndex(), 0)
        self._proxy_mode.blockSignals(True)
        self._proxy_mode.clear()
        self._proxy_mode.addItem(self.tr("System settings"), ProxyMode.SYSTEM)
        self._proxy_mode.addItem(self.tr("No proxy"), ProxyMode.NONE)
        self._proxy_mode.addItem(self.tr("This proxy:"), ProxyMode.EXPLICIT)
        self._proxy_mode.setCurrentIndex(current)
        self._proxy_mode.blockSignals(False)
        self._proxy_mode.setToolTip(
            self.tr(
                "System settings use the operating system's and the *_PROXY "
                "variables' proxy, never for loopback addresses. PAC scripts and "
                "NTLM or Negotiate proxy authentication are not supported."
            )
        )
        self._proxy_url.setPlaceholderText(self.tr("http://user:password@proxy:3128"))
        self._labels["redirects"].setText(self.tr("Redirects"))
        self._follow.setText(self.tr("Follow, at most"))
        self._follow.setToolTip(
            self.tr(
                "A webhook sender does not follow redirects. When on, a POST becomes "
                "a GET after 301, 302 and 303, and credentials are never sent to "
                "another origin."
            )
        )

    def set_settings(
        self, tls: TlsSetting, proxy: ProxySetting, redirects: RedirectSetting
    ) -> None:
        """Show the settings without emitting `changed`."""
        self._updating = True
        try:
            self._verify.setChecked(tls.verify)
            self._ca_bundle.set_path(tls.ca_bundle)
            self._client_cert.set_path(tls.client_cert)
            self._client_key.set_path(tls.client_key)
            self._client_password.setText(tls.client_cert_password)
            self._proxy_mode.setCurrentIndex(
                max(self._proxy_mode.findData(proxy.mode), 0)
            )
            self._proxy_url.setText(proxy.url)
            self._follow.setChecked(redirects.follow)
            # An imported limit can be higher; the field shows it as it is, up
            # to the largest number a Qt spin box holds.
            self._max_redirects.setMaximum(
                min(max(MAX_REDIRECTS_FIELD, redirects.max_redirects), _QT_INT_MAX)
            )
            self._max_redirects.setValue(min(redirects.max_redirects, _QT_INT_MAX))
        finally:
            self._updating = False
        self._update_enabled()

    def tls(self) -> TlsSetting:
        return TlsSetting(
            verify=self._verify.isChecked(),
            ca_bundle=self._ca_bundle.path(),
            client_cert=self._client_cert.path(),
            client_key=self._client_key.path(),
            client_cert_password=self._client_password.text(),
        )

    def proxy(self) -> ProxySetting:
        # Qt hands the item data back as a plain str, which `is` comparisons
        # with the enum members would miss.
        mode = ProxyMode(self._proxy_mode.currentData() or ProxyMode.SYSTEM)
        return ProxySetting(mode=mode, url=self._proxy_url.text().strip())

    def redirects(self) -> RedirectSetting:
        return RedirectSetting(
            follow=self._follow.isChecked(), max_redirects=self._max_redirects.value()
        )

    def verify_checkbox(self) -> QCheckBox:
        return self._verify

    def verify_warning(self) -> QLabel:
        return self._verify_warning

    def _emit_changed(self, *_args: object) -> None:
        if not self._updating:
            self.changed.emit()

    def _on_verify_toggled(self, _checked: bool) -> None:
        self._update_enabled()
        self._emit_changed()

    def _on_proxy_mode_changed(self, _index: int) -> None:
        self._update_enabled()
        self._emit_changed()

    def _on_follow_toggled(self, _checked: bool) -> None:
        self._update_enabled()
        self._emit_changed()

    def _update_enabled(self) -> None:
        verify = self._verify.isChecked()
        self._verify_warning.setVisible(not verify)
        self._ca_bundle.setEnabled(verify)
        explicit = self._proxy_mode.currentData() == ProxyMode.EXPLICIT.value
        self._proxy_url.setEnabled(explicit)
        self._max_redirects.setEnabled(self._follow.isChecked())
