"""The connection settings form gives back the settings it shows."""

from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting, resolve_proxy
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.gui.network_form import NetworkForm


def test_explicit_proxy_round_trip(qtbot):
    form = NetworkForm()
    qtbot.addWidget(form)
    proxy = ProxySetting(ProxyMode.EXPLICIT, "http://127.0.0.1:18933")

    form.set_settings(TlsSetting(), proxy, RedirectSetting())

    assert form.proxy() == proxy
    assert form.proxy().mode is ProxyMode.EXPLICIT
    assert resolve_proxy("http://127.0.0.1:1/x", form.proxy()) == proxy.url


def test_no_proxy_mode_is_enum(qtbot):
    form = NetworkForm()
    qtbot.addWidget(form)

    form.set_settings(TlsSetting(), ProxySetting(ProxyMode.NONE), RedirectSetting())

    assert form.proxy().mode is ProxyMode.NONE


def test_verify_off_shows_warning(qtbot):
    form = NetworkForm()
    qtbot.addWidget(form)
    form.show()

    form.verify_checkbox().setChecked(False)

    assert form.verify_warning().isVisible()
    assert form.tls().verify is False
    assert form.verify_warning().height() >= form.verify_warning().sizeHint().height()
