"""A burst of requests reaches the Inbox in few batches; the loop stays responsive."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bchook_studio.core.receiver import ReceiverLimits
from tests.gui.inbox_support import (
    Heartbeat,
    close_controller,
    close_panel,
    open_panel,
    start_controller,
)

CLIENTS = 20
REQUESTS_PER_CLIENT = 100
TOTAL = CLIENTS * REQUESTS_PER_CLIENT
DEADLINE_SECONDS = 90.0
MAX_MODEL_CHANGES = 200
"""Far fewer than one per request: the controller reads the log every 100 ms."""

MAX_LOOP_GAP_SECONDS = 1.0
"""A generous bound on the longest pause of the GUI thread during the burst."""


def _send_all(
    client: httpx.Client, base_url: str, number: int, deadline: float
) -> list[int]:
    """Send REQUESTS_PER_CLIENT requests on one connection; stop at the deadline."""
    statuses = []
    with client:
        for index in range(REQUESTS_PER_CLIENT):
            if time.monotonic() > deadline:
                break
            body = b'{"client": %d, "index": %d}' % (number, index)
            statuses.append(client.post(base_url + "/burst", content=body).status_code)
    return statuses


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_burst_arrives_in_few_batches(qtbot, qloop):
    controller = start_controller(qtbot, ReceiverLimits(max_kept_requests=5000))
    panel = open_panel(qtbot, controller)
    changes = []
    panel.model.rowsInserted.connect(lambda *_: changes.append("insert"))
    panel.model.modelReset.connect(lambda: changes.append("reset"))
    heartbeat = Heartbeat()
    # Building an httpx client loads the CA bundle, about 20 ms each with the
    # GIL held, so they are built before the loop is measured.
    clients = [httpx.Client(trust_env=False, timeout=10.0) for _ in range(CLIENTS)]

    deadline = time.monotonic() + DEADLINE_SECONDS
    started = time.perf_counter()
    try:
        heartbeat.start()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            futures = [
                pool.submit(_send_all, client, controller.base_url, number, deadline)
                for number, client in enumerate(clients)
            ]
            qtbot.waitUntil(
                lambda: all(future.done() for future in futures),
                timeout=int(DEADLINE_SECONDS * 1000) + 30_000,
            )
            statuses = [status for future in futures for status in future.result()]
        qtbot.waitUntil(lambda: panel.model.rowCount() == TOTAL, timeout=10_000)
        elapsed = time.perf_counter() - started
        heartbeat.stop()

        print(
            f"\n{TOTAL} requests in {elapsed:.1f} s, {len(changes)} model changes, "
            f"longest loop gap {heartbeat.max_gap * 1000:.0f} ms"
        )
        assert statuses == [200] * TOTAL
        assert len(changes) < MAX_MODEL_CHANGES
        assert "reset" not in changes
        assert heartbeat.max_gap < MAX_LOOP_GAP_SECONDS
        ids = [request.id for request in panel.model.requests()]
        assert ids == sorted(ids, reverse=True)
        assert len(set(ids)) == TOTAL
    finally:
        heartbeat.stop()
        for client in clients:
            client.close()
        close_panel(qtbot, panel)
        close_controller(qtbot, controller)
