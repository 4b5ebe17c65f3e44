"""Hands unhandled exceptions from any thread to the window as a notice.

The exception hooks in app.py log the traceback and call `report()`. The
signal is delivered on the GUI thread (a queued connection when `report()`
runs on another thread), where the window shows a non-blocking notice.
`report_task_failure` does the same for a task that nothing awaits.
"""

import asyncio
import logging
import traceback

from PySide6.QtCore import QObject, Signal

logger = logging.getLogger(__name__)

_MAX_SUMMARY = 300


class ErrorReporter(QObject):
    """Emits `error_reported(summary)` for every unhandled exception."""

    error_reported = Signal(str)

    def report(self, exc_type: type[BaseException], exc_value: BaseException) -> None:
        """Emit a one-line summary of an exception: its type and message."""
        summary = "".join(traceback.format_exception_only(exc_type, exc_value)).strip()
        if len(summary) > _MAX_SUMMARY:
            summary = summary[: _MAX_SUMMARY - 1] + "…"
        self.error_reported.emit(summary)


_reporter: ErrorReporter | None = None


def error_reporter() -> ErrorReporter:
    """Return the app's reporter, creating it on first use (on the GUI thread)."""
    global _reporter
    if _reporter is None:
        _reporter = ErrorReporter()
    return _reporter


def report_task_failure(task: asyncio.Future) -> None:
    """Log and report the exception a task ended with; a done callback.

    asyncio logs the exception of a task that nothing awaits only when the
    task is garbage collected, and a task the window keeps may never be, so
    the failure would pass unseen.
    """
    if task.cancelled():
        return
    exception = task.exception()
    if exception is None:
        return
    logger.error(
        "a window task failed",
        exc_info=(type(exception), exception, exception.__traceback__),
    )
    error_reporter().report(type(exception), exception)
