"""The main window's layout: minimum size, the form at narrow widths, the check dock."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bchook_studio.core.webhook import DEFAULT_RECEIVER_URL
from bchook_studio.gui.main_window import MainWindow

WAIT_MS = 30_000


@pytest.fixture
def window(qtbot, qloop, app_home, thread_executor):
    settings = QSettings(str(app_home / "window.ini"), QSettings.Format.IniFormat)
    main_window = MainWindow(settings, receiver_port=0)
    main_window.ask_before_discarding = False
    main_window.show()
    qtbot.waitExposed(main_window)
    qtbot.waitUntil(lambda: main_window.receiver.base_url is not None, timeout=5000)
    yield main_window
    if not main_window._closed:
        main_window.close()
        qtbot.waitUntil(lambda: main_window._closed, timeout=10_000)
    main_window.deleteLater()


def settle(window: MainWindow, width: int, height: int) -> None:
    """Resize `window` and let the layouts that depend on the width update."""
    window.resize(width, height)
    for _ in range(6):
        QApplication.processEvents()


def test_minimum_size_collapsed(qtbot, window):
    minimum = window.minimumSizeHint()
    assert minimum.width() <= 820
    assert minimum.height() <= 620


def test_minimum_size_connection_open(qtbot, window):
    window.form.connection_toggle.click()
    minimum = window.minimumSizeHint()
    assert window.form.network.isVisible()
    assert minimum.width() <= 820
    assert minimum.height() <= 620


def test_resizes_to_800_by_600(qtbot, window):
    settle(window, 800, 600)
    assert window.width() == 800
    assert window.height() == 600


def test_url_field_wide_at_800(qtbot, window):
    window.form.url_edit.setText(DEFAULT_RECEIVER_URL)
    settle(window, 800, 600)
    url_edit = window.form.url_edit
    needed = url_edit.fontMetrics().horizontalAdvance("receiver:/webhook")
    assert url_edit.width() > needed


def test_form_rows_apart_at_800(qtbot, window):
    settle(window, 800, 600)
    form = window.form
    name, url, topic = form.name_edit, form.url_edit, form.topic_combo
    url_top = url.mapTo(form, url.rect().topLeft()).y()
    name_bottom = name.mapTo(form, name.rect().bottomLeft()).y()
    topic_top = topic.mapTo(form, topic.rect().topLeft()).y()
    url_bottom = url.mapTo(form, url.rect().bottomLeft()).y()
    assert url_top > name_bottom
    assert topic_top > url_bottom


def test_default_form_unwrapped(qtbot, window):
    settle(window, 1400, 900)
    form = window.form
    json_button, charset = form.json_button, form._charset
    json_top = json_button.mapTo(form, json_button.rect().topLeft()).y()
    charset_top = charset.mapTo(form, charset.rect().topLeft()).y()
    assert abs(json_top - charset_top) < json_button.height()
    assert not form._scroll.verticalScrollBar().isVisible()


def test_check_summary_visible(qtbot, window):
    settle(window, 1400, 900)
    window.form.url_edit.setText(DEFAULT_RECEIVER_URL)
    window._on_check_triggered()
    view = window.check_view
    with qtbot.waitSignal(view.run_finished, timeout=WAIT_MS):
        assert view.start()
    settle(window, 1400, 900)

    assert view._summary.text().startswith("24 of 24 passed")
    assert view._summary.isVisible()
    assert not view._summary.visibleRegion().isEmpty()
    for kind, button in view._save_buttons.items():
        assert button.isVisible(), kind
        assert not button.visibleRegion().isEmpty(), kind
        assert button.isEnabled(), kind


def test_check_table_gets_dock_height(qtbot, window):
    settle(window, 1400, 900)
    window._on_check_triggered()
    settle(window, 1400, 900)
    view = window.check_view
    table = view._table
    assert table.height() >= view.height() - 2 * view.layout().contentsMargins().top()


def test_layout_settled_before_first_paint(qtbot, qloop, app_home, thread_executor):
    from bchook_studio.app import _settle_layouts

    settings = QSettings(str(app_home / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, receiver_port=0)
    window.ask_before_discarding = False
    window.resize(1400, 900)
    window.show()
    _settle_layouts()
    parts = (window.form, window.designer, window.response_pane, window.inbox)
    before = [part.geometry() for part in parts]

    qtbot.waitExposed(window)
    for _ in range(6):
        QApplication.processEvents()
    after = [part.geometry() for part in parts]

    assert after == before
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=10_000)
    window.deleteLater()
