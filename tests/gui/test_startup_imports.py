"""Start-up imports: what the window loads before it is needed stays out.

Each check runs in a fresh interpreter, because the test session itself has
imported nearly everything.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

CONSTRUCT = textwrap.dedent(
    """
    import asyncio, json, sys, tempfile
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from bchook_studio.gui.event_loop import BatchingEventLoop

    app = QApplication(sys.argv)
    asyncio.set_event_loop(BatchingEventLoop(app))
    from bchook_studio.gui.main_window import MainWindow

    path = Path(tempfile.mkdtemp()) / "window.ini"
    window = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    window.show()
    for _ in range(5):
        app.processEvents()
    import PySide6.QtCore as core
    import PySide6.QtGui as gui
    import PySide6.QtWidgets as widgets
    built_types = ["type:QtWidgets." + name for name in vars(widgets)]
    built_types += ["type:QtGui." + name for name in vars(gui)]
    built_types += ["type:QtCore." + name for name in vars(core)]
    print(json.dumps(sorted(sys.modules) + built_types))
    """
)

RUN_APP = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QTimer
    from bchook_studio.app import run_gui

    def ready(window):
        def poll():
            if window.store.is_open and window.receiver.base_url is not None:
                print(json.dumps(sorted(sys.modules)), flush=True)
                window.ask_before_discarding = False
                window.close()
            else:
                QTimer.singleShot(20, poll)
        poll()

    if __name__ == "__main__":
        sys.exit(run_gui(ready))
    """
)

NOT_AT_CONSTRUCTION = (
    "httpx",
    "h11",
    "jinja2",
    "lxml",
    "keyring",
    "truststore",
    "cryptography",
    "sqlite3",
    "multiprocessing",
    "importlib.metadata",
    "hmac",
    "uuid",
    "markupsafe",
    "difflib",
    "bchook_studio.core.body_preparation",
    "bchook_studio.core.check",
    "bchook_studio.core.delivery.result",
    "bchook_studio.core.delivery.send",
    "bchook_studio.core.formats.xml_convert",
    "bchook_studio.core.formats.xml_text",
    "bchook_studio.core.receiver.connection",
    "bchook_studio.core.store.store",
    "bchook_studio.core.templates.helpers",
    "bchook_studio.core.text_decoding",
    "bchook_studio.gui.body_view.view",
    "bchook_studio.gui.check_view",
    "bchook_studio.gui.designer.completion",
    "bchook_studio.gui.edit_menu",
    "bchook_studio.gui.history_panel",
    "bchook_studio.gui.inbox.detail",
    "bchook_studio.gui.inbox.rules_dialog",
    "bchook_studio.gui.headers_table",
    "bchook_studio.gui.network_form",
)
"""Modules a constructed, shown window has not imported yet.

pygments itself is not listed: the visible editors take its token types.
"""

NOT_AFTER_START = (
    "httpx",
    "hashlib",
    "getpass",
    "html",
    "importlib.resources",
    "logging.handlers",
    "pickle",
    "pygments.lexer",
    "pygments.lexers",
    "uuid",
    "bchook_studio.gui.headers_table",
    "bchook_studio.gui.network_form",
    "jinja2",
    "lxml",
    "keyring",
    "truststore",
    "cryptography",
    "multiprocessing",
    "bchook_studio.core.check",
    "bchook_studio.gui.check_view",
    "bchook_studio.gui.edit_menu",
    "bchook_studio.gui.history_panel",
)
"""Modules still not imported once the store is open and the receiver listens:
sending, templates, XML parsing, the keychain (checked in a child process), the
docks, sections and menu entries that are not shown, and standard modules the
start can do without (OpenSSL through hashlib, pickle through logging.handlers,
pygments' lexer registry)."""


def _modules(script: str, app_home) -> set[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    environment["BCHOOK_STUDIO_HOME"] = str(app_home)
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return set(json.loads(completed.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def constructed(tmp_path_factory) -> set[str]:
    return _modules(CONSTRUCT, tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> set[str]:
    return _modules(RUN_APP, tmp_path_factory.mktemp("home"))


@pytest.mark.parametrize("module", NOT_AT_CONSTRUCTION)
def test_window_leaves_module_unimported(constructed, module):
    assert module not in constructed


UNBUILT_TYPES = (
    "QtWidgets.QStyle",
    "QtWidgets.QCompleter",
    "QtGui.QDesktopServices",
    "QtGui.QGradient",
    "QtCore.QUrl",
)
"""Qt types the shown window has not named yet. Dialog types such as QMessageBox
are built anyway: wrapping the first widget that Qt created, such as a scroll
area's viewport, makes PySide6 build the types it checks the widget against."""


@pytest.mark.parametrize("qt_type", UNBUILT_TYPES)
def test_window_leaves_qt_type_unbuilt(constructed, qt_type):
    # PySide6 builds a Qt type, with its enum types, when Python first names it.
    assert f"type:{qt_type}" not in constructed


def test_window_builds_the_types_it_shows(constructed):
    assert "type:QtWidgets.QLabel" in constructed
    assert "type:QtGui.QKeySequence" in constructed


def test_window_imports_its_own_modules(constructed):
    assert "bchook_studio.gui.main_window" in constructed
    assert "bchook_studio.gui.inbox.panel" in constructed


@pytest.mark.parametrize("module", NOT_AFTER_START)
def test_started_app_leaves_module_unimported(started, module):
    assert module not in started


def test_started_app_imports_store_and_receiver(started):
    assert "sqlite3" in started
    assert "bchook_studio.core.receiver.connection" in started
