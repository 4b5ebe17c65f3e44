"""Helpers for the GUI tests of saved webhooks and history: a real store file,
real deliveries to a RawServer on 127.0.0.1, and a loop heartbeat."""

import socket
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.webhook import Webhook
from bchook_studio.gui.store_controller import StoreController
from tests.gui.conftest import run_in_loop
from tests.servers import ReceivedRequest

REASONS = {200: "OK", 201: "Created", 302: "Found", 404: "Not Found", 500: "Error"}
PASSWORD = "s3cret-Pass"


def status_from_path(conn: socket.socket, request: ReceivedRequest) -> None:
    """Respond with the status in the last path segment: /hook/404 gets 404."""
    path = request.request_line.split(" ")[1].split("?")[0]
    status = int(path.rsplit("/", 1)[1])
    body = b'{"answer": "%d"}' % status
    head = (
        f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    conn.sendall(head.encode("latin-1") + body)
    conn.close()


def webhook_for(
    base_url: str,
    status: int = 200,
    *,
    name: str = "Orders",
    topic_key: str = "sale.new",
    body: str = '{"order": 1}',
) -> Webhook:
    """Return a webhook with Basic authentication whose URL requests `status`."""
    return Webhook(
        name=name,
        url=f"{base_url}/{status}?token=tok-{status}",
        topic_key=topic_key,
        body_format=BodyFormat.JSON,
        body=body,
        auth_enabled=True,
        username="carol",
        password=PASSWORD,
        secret_query_parameters=("token",),
    )


def refused_url() -> str:
    """Return a loopback URL on a port that was free a moment ago (refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def send_all(qtbot, webhooks: list[Webhook]) -> list[DeliveryResult]:
    """Send each webhook for real, one after another, and return the results."""

    async def run() -> list[DeliveryResult]:
        pool = ClientPool()
        try:
            results = []
            for webhook in webhooks:
                request = webhook.outgoing_request(webhook.body.encode())
                results.append(await deliver(request, pool))
            return results
        finally:
            await pool.aclose()

    return run_in_loop(qtbot, run(), timeout_ms=30_000)


def open_controller(qtbot, path: Path) -> StoreController:
    """Return a StoreController with its store opened at `path`."""
    controller = StoreController(path=path)
    run_in_loop(qtbot, controller.open())
    return controller


def close_controller(qtbot, controller: StoreController) -> None:
    """Close the controller and wait for it, leaving no thread behind."""
    run_in_loop(qtbot, controller.aclose())


class Heartbeat:
    """A 5 ms precise timer that records the longest gap between its ticks."""

    def __init__(self) -> None:
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)
        self._last = time.perf_counter()
        self.longest_gap = 0.0
        self.ticks = 0

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest_gap = max(self.longest_gap, now - self._last)
        self._last = now
        self.ticks += 1
