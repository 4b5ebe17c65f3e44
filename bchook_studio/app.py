"""Start the desktop app: QApplication, the qasync event loop and the main window."""

import asyncio
import gc
import logging
import sys
import threading
from collections.abc import Callable

from bchook_studio import APP_NAME, __version__

logger = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "window.ini"


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


async def _cancel_pending_tasks() -> None:
    """Cancel tasks still pending at exit and wait for them, as asyncio.run does."""
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def run_gui(on_ready: Callable[[object], None] | None = None) -> int:
    """Run the desktop app until its window closes; return the exit status.

    `on_ready` is called with the main window once it is shown and the event
    loop runs, for scripted start-up checks.
    """
    import qasync
    from PySide6.QtCore import QSettings
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

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    _install_exception_hooks(loop)

    from bchook_studio.gui.main_window import MainWindow

    settings = QSettings(str(home / SETTINGS_FILE_NAME), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    guard.activation_requested.connect(lambda: bring_to_front(window))

    # What start-up built lives as long as the app. Freezing it keeps it out of
    # the cyclic garbage collector, whose full passes over the 55,000 objects
    # of a fresh window took 26 to 30 ms each and stalled the event loop.
    gc.freeze()

    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    if on_ready is not None:
        loop.call_soon(on_ready, window)

    with loop:
        loop.run_until_complete(closed.wait())
        loop.run_until_complete(_cancel_pending_tasks())
    guard.release()
    logger.info("stopped")
    return 0
