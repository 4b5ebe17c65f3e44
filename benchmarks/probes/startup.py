"""Start-up: from launching the process to the main window painted and the loop idle.

Roles: `app` runs `bchook_studio.app.run_gui`. `bare` shows a QMainWindow with
a QPlainTextEdit as its central widget, the same size as the app's window, on
a qasync loop. Each window is a subclass whose paintEvent override notes the
window's first paint, so the measurement costs both the same.

Painted: the window's first paint event has returned, and a zero-delay timer
started from it has fired, which happens after the rest of that repaint pass
(the child widgets and the flush to the window's backing store).
Idle: from then on, 100 ms pass with no gap over 10 ms in a 5 ms heartbeat. The
start-up time ends where that quiet stretch begins. Memory is read after start-up
work has ended (for the app: the store is open and the receiver listens) and the
loop was idle again. It is the summed VmRSS of the process and its descendants.
"""

import argparse
import sys

from benchmarks.probes.heartbeat import Heartbeat, now
from benchmarks.probes.output import emit, tree_rss_kib

WINDOW_SIZE = (1400, 900)
"""The size MainWindow gives itself on a first start, used for the bare window."""

READY_TIMEOUT_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("app", "bare"))
    parser.add_argument(
        "--launched",
        type=float,
        required=True,
        help="CLOCK_MONOTONIC seconds at which the runner started this process",
    )
    options = parser.parse_args()
    if options.role == "app":
        _run_app(options.launched)
    else:
        _run_bare(options.launched)


class StartupWatch:
    """Times a window's first paint and the idle loop after it, then reports."""

    def __init__(self, launched: float) -> None:
        self.launched = launched
        self.window = None
        self.is_ready = lambda: True
        self.finish = lambda: None
        self._first_paint: float | None = None
        self._painted: float | None = None
        self._idle: float | None = None
        self._heartbeat: Heartbeat | None = None

    def window_painted(self) -> None:
        """Note the first paint; call at the end of the window's paintEvent."""
        if self._first_paint is not None:
            return
        from PySide6.QtCore import QTimer

        self._first_paint = now()
        QTimer.singleShot(0, self._on_painted)

    def _on_painted(self) -> None:
        self._painted = now()
        self._heartbeat = Heartbeat()
        self._heartbeat.start(self._painted)
        self._heartbeat.watch_idle(self._on_idle)

    def _on_idle(self, quiet_since: float) -> None:
        self._idle = quiet_since
        self._wait_until_ready(now() + READY_TIMEOUT_SECONDS)

    def _wait_until_ready(self, deadline: float) -> None:
        from PySide6.QtCore import QTimer

        if self.is_ready():
            assert self._heartbeat is not None
            self._heartbeat.watch_idle(self._on_ready_and_idle)
        elif now() > deadline:
            raise SystemExit("the app's start-up work did not finish in time")
        else:
            QTimer.singleShot(5, lambda: self._wait_until_ready(deadline))

    def _on_ready_and_idle(self, quiet_since: float) -> None:
        assert self._heartbeat is not None
        assert self._first_paint is not None and self._painted is not None
        assert self._idle is not None
        self._heartbeat.stop()
        rss, processes = tree_rss_kib()
        emit(
            {
                "first_paint_ms": (self._first_paint - self.launched) * 1000,
                "painted_ms": (self._painted - self.launched) * 1000,
                "startup_ms": (self._idle - self.launched) * 1000,
                "ready_ms": (quiet_since - self.launched) * 1000,
                "rss_mib": rss / 1024,
                "processes": processes,
            }
        )
        self.finish()


def _run_app(launched: float) -> None:
    # The same import order as the `bchook-studio` command: bchook_studio.app
    # first, which prepares PySide6 before the window's modules are imported.
    from bchook_studio.app import run_gui  # isort: skip

    from PySide6.QtGui import QPaintEvent

    import bchook_studio.gui.main_window as main_window_module

    watch = StartupWatch(launched)

    class TimedMainWindow(main_window_module.MainWindow):
        def paintEvent(self, event: QPaintEvent) -> None:
            super().paintEvent(event)
            watch.window_painted()

    main_window_module.MainWindow = TimedMainWindow

    def on_ready(window) -> None:
        watch.window = window
        watch.is_ready = lambda: (
            window.store.is_open and window.receiver.base_url is not None
        )

        def close() -> None:
            window.ask_before_discarding = False
            window.close()

        watch.finish = close

    sys.exit(run_gui(on_ready))


def _run_bare(launched: float) -> None:
    import asyncio

    import qasync
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    watch = StartupWatch(launched)

    class TimedWindow(QMainWindow):
        def paintEvent(self, event: QPaintEvent) -> None:
            super().paintEvent(event)
            watch.window_painted()

    app = QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = TimedWindow()
    window.setCentralWidget(QPlainTextEdit(window))
    window.resize(*WINDOW_SIZE)
    window.show()

    closed = asyncio.Event()
    watch.finish = closed.set
    with loop:
        loop.run_until_complete(closed.wait())


if __name__ == "__main__":
    main()
