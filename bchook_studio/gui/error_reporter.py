"""Hands unhandled exceptions from any thread to the window as a notice.

The exception hooks in app.py log the traceback and call `report()`. The
signal is delivered on the GUI thread (a queued connection when `report()`
runs on another thread), where the window shows a non-blocking notice.
"""

import traceback

from PySide6.QtCore import QObject, Signal

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
