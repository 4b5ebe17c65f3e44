"""Helpers for the Inbox tests: a real receiver controller on 127.0.0.1, real
httpx clients, and a loop heartbeat."""

import time
from collections.abc import Callable

import httpx
from PySide6.QtCore import Qt, QTimer

from bchook_studio.core.receiver import ReceiverLimits
from bchook_studio.gui.inbox import InboxPanel
from bchook_studio.gui.receiver_controller import ReceiverController
from tests.gui.conftest import run_in_loop

WAIT_MS = 10_000


def start_controller(qtbot, limits: ReceiverLimits | None = None) -> ReceiverController:
    """Return a controller whose receiver listens on 127.0.0.1 and a free port."""
    controller = ReceiverController(limits=limits)
    assert run_in_loop(qtbot, controller.start(port=0)) is True
    return controller


def close_controller(qtbot, controller: ReceiverController) -> None:
    run_in_loop(qtbot, controller.aclose())


def open_panel(qtbot, controller: ReceiverController) -> InboxPanel:
    """Return a shown Inbox panel on `controller`."""
    widget = InboxPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(1300, 420)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def close_panel(qtbot, panel: InboxPanel) -> None:
    run_in_loop(qtbot, panel.aclose())


def send(qtbot, method: str, url: str, **options) -> httpx.Response:
    """Send one request with a real httpx client that ignores proxy settings."""

    async def request() -> httpx.Response:
        async with httpx.AsyncClient(trust_env=False, timeout=10.0) as client:
            return await client.request(method, url, **options)

    return run_in_loop(qtbot, request())


def wait_for_rows(qtbot, panel: InboxPanel, count: int) -> None:
    qtbot.waitUntil(lambda: panel.model.rowCount() == count, timeout=WAIT_MS)


def show_newest(qtbot, panel: InboxPanel) -> None:
    """Select the newest request and wait until its body is in the views."""
    newest = panel.model.request_at(0)
    assert newest is not None
    if panel.detail.request is not None and panel.detail.request.id == newest.id:
        return
    with qtbot.waitSignal(panel.detail.body_shown, timeout=WAIT_MS):
        panel.select_request(newest.id)


class Heartbeat:
    """A 5 ms precise timer that records the max gap between its ticks."""

    def __init__(self) -> None:
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)
        self._last = time.perf_counter()
        self.max_gap = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self._last)
        self._last = now


def recorder() -> tuple[list, Callable[..., None]]:
    """Return a list and a slot that appends its arguments to it."""
    calls: list = []

    def record(*arguments) -> None:
        calls.append(arguments[0] if len(arguments) == 1 else arguments)

    return calls, record
