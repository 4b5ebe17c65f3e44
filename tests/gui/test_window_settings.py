"""window.ini: damaged values fall back to defaults, and view toggles are kept."""

import logging

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter

from bchook_studio.gui.main_window import MainWindow
from bchook_studio.gui.window_settings import (
    bool_setting,
    int_setting,
    restore_saved_state,
)

# A state cut short, as a crash or a full disk leaves it, and plain text where
# the window wrote byte arrays.
DAMAGED_INI = """\
[General]
last_topic=course.completed

[window]
geometry=@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3)
state=notbytes
splitter=12
left_splitter=@ByteArray(\\0\\0\\0\\xff\\0)
"""


def ini_settings(folder, text: str) -> QSettings:
    path = folder / "window.ini"
    path.write_text(text, encoding="utf-8")
    return QSettings(str(path), QSettings.Format.IniFormat)


def test_restore_passes_saved_bytes(qtbot, tmp_path):
    splitter = QSplitter()
    qtbot.addWidget(splitter)
    settings = ini_settings(tmp_path, "")
    settings.setValue("window/splitter", splitter.saveState())

    assert restore_saved_state(
        settings, "window/splitter", splitter.restoreState, splitter.saveState
    )


def test_restore_missing_value_skipped(qtbot, tmp_path):
    settings = ini_settings(tmp_path, "")
    calls = []

    assert not restore_saved_state(settings, "window/state", calls.append, QByteArray)
    assert calls == []


def test_restore_text_value_logged(qtbot, tmp_path, caplog):
    settings = ini_settings(tmp_path, "[window]\nstate=notbytes\n")
    calls = []

    with caplog.at_level(logging.WARNING):
        assert not restore_saved_state(
            settings, "window/state", calls.append, QByteArray
        )

    assert calls == []
    assert "invalid window/state" in caplog.text
    assert "expected saved window state, got str" in caplog.text


def test_restore_rejected_bytes_logged(qtbot, tmp_path, caplog):
    settings = ini_settings(tmp_path, "")
    settings.setValue("window/splitter", QByteArray(b"garbage"))
    splitter = QSplitter()
    qtbot.addWidget(splitter)

    with caplog.at_level(logging.WARNING):
        assert not restore_saved_state(
            settings, "window/splitter", splitter.restoreState, splitter.saveState
        )

    assert "the saved window state is damaged" in caplog.text


def test_restore_cut_short_undone(qtbot, tmp_path, caplog):
    splitter = QSplitter()
    qtbot.addWidget(splitter)
    splitter.addWidget(QSplitter())
    splitter.addWidget(QSplitter())
    splitter.resize(400, 100)
    splitter.setSizes([150, 250])
    whole = splitter.saveState()
    settings = ini_settings(tmp_path, "")
    # Qt reads these 12 bytes without complaint and collapses both panes.
    settings.setValue("window/splitter", QByteArray(bytes(whole)[:12]))

    with caplog.at_level(logging.WARNING):
        restored = restore_saved_state(
            settings, "window/splitter", splitter.restoreState, splitter.saveState
        )

    assert not restored
    assert splitter.saveState() == whole
    assert "is cut short (12 of 31 bytes)" in caplog.text


@pytest.mark.parametrize(
    ("saved", "expected"),
    [
        ("8080", 8080),
        (" 9000 ", 9000),
        ("0", 0),
        ("not-a-port", 8765),
        ("70000", 8765),
        ("-1", 8765),
        ("80.5", 8765),
        ("8_766", 8765),
        ("\u0668\u0667\u0666\u0666", 8765),
    ],
)
def test_int_setting_values(tmp_path, saved, expected):
    settings = ini_settings(tmp_path, f"[receiver]\nport={saved}\n")

    assert int_setting(settings, "receiver/port", 8765, 0, 65535) == expected


def test_int_setting_missing_default(tmp_path):
    settings = ini_settings(tmp_path, "")

    assert int_setting(settings, "receiver/port", 8765, 0, 65535) == 8765


@pytest.mark.parametrize(
    ("saved", "expected"),
    [("true", True), ("false", False), ("1", True), ("0", False), ("maybe", True)],
)
def test_bool_setting_values(tmp_path, saved, expected):
    settings = ini_settings(tmp_path, f"[view]\npretty={saved}\n")

    assert bool_setting(settings, "view/pretty", True) is expected


def open_window(qtbot, settings: QSettings) -> MainWindow:
    window = MainWindow(settings, receiver_port=0)
    window.ask_before_discarding = False
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_window(qtbot, window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: window._closed, timeout=10_000)


def test_layout_and_toggles_kept(qtbot, qloop, tmp_path, thread_executor, caplog):
    path = str(tmp_path / "window.ini")
    first = open_window(qtbot, QSettings(path, QSettings.Format.IniFormat))
    first.designer.side_by_side_button.setChecked(True)
    first.response_pane.pretty_box.setChecked(False)
    close_window(qtbot, first)

    with caplog.at_level(logging.WARNING):
        second = open_window(qtbot, QSettings(path, QSettings.Format.IniFormat))
    side_by_side = second.designer.side_by_side_button.isChecked()
    pretty = second.response_pane.pretty_box.isChecked()
    close_window(qtbot, second)

    assert side_by_side
    assert not pretty
    # Every saved state was read whole: none was logged as damaged.
    assert "invalid" not in caplog.text


def test_window_starts_with_damaged_ini(qtbot, qloop, tmp_path, thread_executor):
    settings = ini_settings(tmp_path, DAMAGED_INI)

    window = open_window(qtbot, settings)

    # The docks get their default height, as on a first start, and the
    # cut-short splitter state is not used.
    assert window.inbox_dock.isVisible()
    assert min(window._left_splitter.sizes()) > 0
    assert window.inbox_dock.height() >= 90
    assert window.form.webhook().topic_key == "course.completed"
    qtbot.waitUntil(lambda: window.receiver.base_url is not None, timeout=5000)
    close_window(qtbot, window)
