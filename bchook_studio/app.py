"""Start the desktop app: QApplication, the qasync event loop and the main window."""

from __future__ import annotations

import asyncio
import gc
import linecache
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bchook_studio import APP_NAME, __version__

if TYPE_CHECKING:
    from bchook_studio.gui.main_window import MainWindow

logger = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "window.ini"

_PYSIDE_NAME = b"PySide6"


def _read_imported_sources_faster() -> None:
    """Make PySide6's check of each newly imported module read bytes, not lines.

    Importing PySide6.QtCore replaces `__import__`, and after each import
    PySide6 6.11 calls `shibokensupport.feature._mod_uses_pyside(module)`,
    which reads the module's source with inspect.getsource (through linecache
    and tokenize) to look for the name "PySide6". For the 275 modules that a
    start imports after PySide6, that took about 30 ms on the 2-core VM of
    docs/benchmarks.md, and linecache kept the lines. The replacement searches
    the source file's bytes for the same name, which returns the same result for
    any ASCII-compatible source encoding, and hands modules without a `.py`
    file to the original check. Without that PySide6 function (another PySide6
    version), nothing changes.
    """
    import PySide6.QtCore  # noqa: F401 - loads shibokensupport.feature

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        logger.debug("PySide6 has no _mod_uses_pyside; its module check stays")
        return
    if getattr(original, "reads_bytes", False):
        return

    def module_uses_pyside(module: object) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return _PYSIDE_NAME in source.read()
            except OSError:
                pass
        return bool(original(module))

    module_uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = module_uses_pyside  # type: ignore[union-attr]


# Before the window's modules are imported: the probe of benchmarks/ and the
# `bchook-studio` command both import this module first.
_read_imported_sources_faster()


_LAYOUT_PASSES = 3
"""Layout passes run before the first paint, because one pass can queue the next."""


def display_problem(
    environment: Mapping[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """Return why the window cannot be shown here, or None when it can.

    On Linux and other X11 or Wayland systems, Qt aborts the process when it
    finds no display, so the command checks first. A QT_QPA_PLATFORM that
    names a platform needing none (such as offscreen) skips the check.
    """
    if platform in ("win32", "darwin"):
        return None
    environment = os.environ if environment is None else environment
    requested = environment.get("QT_QPA_PLATFORM", "")
    names = [part.split(":", 1)[0].strip() for part in requested.split(";")]
    if any(name and not name.startswith(_DISPLAY_PLATFORMS) for name in names):
        return None
    if environment.get("DISPLAY") or environment.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to show the window on: DISPLAY and WAYLAND_DISPLAY are unset. "
        "Start Hook Studio in a desktop session, or run a sub-command "
        "(bchook-studio --help lists them)"
    )


_DISPLAY_PLATFORMS = ("xcb", "wayland")
"""Qt platform plugins that need an X11 or Wayland display (wayland-egl too)."""


def _install_exception_hooks(loop: asyncio.AbstractEventLoop) -> None:
    """Log unhandled exceptions from slots, threads and the loop; keep running.

    Each one is also shown in the window as a non-blocking notice.
    """
    from bchook_studio.gui.error_reporter import error_reporter

    reporter = error_reporter()

    def log_exception(exc_type, exc_value, exc_traceback) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc_value, exc_traceback)
            return
        logger.error(
            "unhandled exception", exc_info=(exc_type, exc_value, exc_traceback)
        )
        reporter.report(exc_type, exc_value)

    def log_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            log_exception(args.exc_type, args.exc_value, args.exc_traceback)

    def log_loop_exception(_loop: asyncio.AbstractEventLoop, context: dict) -> None:
        exception = context.get("exception")
        if exception is None:
            logger.error("event loop error: %s", context.get("message"))
        else:
            log_exception(type(exception), exception, exception.__traceback__)

    sys.excepthook = log_exception
    threading.excepthook = log_thread_exception
    loop.set_exception_handler(log_loop_exception)


def _show_window(home: Path) -> MainWindow:
    """Import, build and show the main window with the cyclic collector off.

    What start-up builds, about 65,000 objects, lives as long as the app. The
    collector's passes over them while they were built took about 20 ms in
    all and found a few hundred unreachable objects, so it runs again only
    once they are frozen. Freezing keeps them out of its later passes too: a
    full pass over the objects of a fresh window took 26 to 30 ms and stalled
    the event loop.
    """
    from PySide6.QtCore import QSettings

    gc.disable()
    try:
        from bchook_studio.gui.main_window import MainWindow

        _drop_source_lines()
        path = str(home / SETTINGS_FILE_NAME)
        window = MainWindow(QSettings(path, QSettings.Format.IniFormat))
        window.show()
        _settle_layouts()
        gc.freeze()
    finally:
        gc.enable()
    return window


def _settle_layouts() -> None:
    """Run the layout passes that showing the window queued, before it paints.

    Widgets whose size hint depends on their width (wrapped labels, the
    form's scroll area) ask for another pass once shown. Run after the first
    paint, that pass moved most of the window and painted it all again.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(_LAYOUT_PASSES):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def _drop_source_lines() -> None:
    """Empty linecache, which PySide6 fills with the source of every module.

    PySide6 6.11 reads the source of each module imported after it (through
    inspect.getsource, to look for its own name), and linecache keeps those
    lines: about 7 MiB for the window's modules. _read_imported_sources_faster
    avoids that where it can; this covers a PySide6 without the function it
    replaces. Tracebacks read the lines again when they need them.
    """
    linecache.clearcache()


async def _cancel_pending_tasks() -> None:
    """Cancel tasks still pending at exit and wait for them, as asyncio.run does."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def _stop_now(number: int) -> None:
    """End the process as `number` would with its default action."""
    import signal

    logging.shutdown()
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


def run_gui(on_ready: Callable[[object], None] | None = None) -> int:
    """Run the desktop app until its window closes; return the exit status.

    `on_ready` is called with the main window once it is shown and the event
    loop runs, for scripted start-up checks.
    """
    from PySide6.QtWidgets import QApplication

    from bchook_studio.core.home import app_home
    from bchook_studio.core.logs import configure_logging

    home = app_home()
    configure_logging(home)
    logger.info("starting %s %s", APP_NAME, __version__)

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("BrainCert Hook Studio")
    app.setDesktopFileName("bchook-studio")

    from bchook_studio.gui.single_instance import acquire_instance, bring_to_front

    guard = acquire_instance(home)
    if guard is None:
        logger.info("another instance runs for %s and was asked to show itself", home)
        return 0

    from bchook_studio.gui.event_loop import BatchingEventLoop

    loop = BatchingEventLoop(app)
    asyncio.set_event_loop(loop)
    _install_exception_hooks(loop)

    window = _show_window(home)
    guard.activation_requested.connect(lambda: bring_to_front(window))

    from bchook_studio.gui.stop_signals import watch_stop_signals

    def on_stop_signal(number: int) -> None:
        if not window.close_on_signal():
            # A signal during the orderly close, which can wait up to about
            # 20 s for a locked database, ends the process at once.
            logger.warning("signal %d while closing; stopping at once", number)
            _stop_now(number)

    signal_watch = watch_stop_signals(on_stop_signal)

    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    if on_ready is not None:
        loop.call_soon(on_ready, window)

    try:
        with loop:
            loop.run_until_complete(closed.wait())
            loop.run_until_complete(_cancel_pending_tasks())
            loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        if signal_watch is not None:
            signal_watch.release()
    guard.release()
    logger.info("stopped")
    if window.stopped_by_signal:
        from bchook_studio.cli.output import EXIT_INTERRUPTED

        # The exit status of a sub-command stopped by Ctrl+C or SIGTERM.
        return EXIT_INTERRUPTED
    return 0
