"""SIGINT and SIGTERM for the desktop app: close the window in order.

Python runs a signal handler only between bytecodes, and the Qt event loop
runs no Python while it waits. So the C-level handler writes the signal's
number to a socket (`signal.set_wakeup_fd`), and a QSocketNotifier on the
other end wakes the loop. Python's own SIGINT handler would instead raise
KeyboardInterrupt inside whichever slot runs next, where the exception hook
logs it and the app keeps running.

On Windows the app keeps Python's default handlers, because Windows does
not send SIGTERM. NOTE: Ctrl+C there still reaches the app only as
KeyboardInterrupt in a slot; it has not been tried on Windows.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QSocketNotifier

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _ignore(_number: int, _frame: FrameType | None) -> None:
    """Replace Python's handler, which would raise KeyboardInterrupt in a slot."""


class StopSignalWatch(QObject):
    """A watch that calls `on_signal(number)` on the event loop per stop signal."""

    def __init__(self, on_signal: Callable[[int], None]) -> None:
        super().__init__()
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_handlers = {
            number: signal.signal(number, _ignore) for number in STOP_SIGNALS
        }
        self._previous_wakeup = signal.set_wakeup_fd(
            self._writer.fileno(), warn_on_full_buffer=False
        )
        self._notifier = QSocketNotifier(
            self._reader.fileno(), QSocketNotifier.Type.Read, self
        )
        self._notifier.activated.connect(self._read_signals)

    def _read_signals(self) -> None:
        try:
            numbers = self._reader.recv(64)
        except BlockingIOError:
            return
        for number in numbers:
            logger.info("received signal %d; closing", number)
            self._on_signal(number)

    def release(self) -> None:
        """Put back the handlers and wake-up descriptor found at start."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_wakeup)
        for number, handler in self._previous_handlers.items():
            # None means a handler installed outside Python, which cannot be put back.
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        self._reader.close()
        self._writer.close()


def watch_stop_signals(on_signal: Callable[[int], None]) -> StopSignalWatch | None:
    """Start watching for SIGINT and SIGTERM; None where the app does not watch.

    Python lets only the main thread set signal handlers, so the app run from
    another thread (as an embedding program might) does not watch either.
    """
    if sys.platform == "win32":
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    return StopSignalWatch(on_signal)
