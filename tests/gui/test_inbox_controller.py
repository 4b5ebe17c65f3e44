"""The receiver controller: start, stop, port fallback, errors, batches, removals."""

import socket

import pytest

from bchook_studio.core.receiver import ReceiverLimits, ReceiverState, ResponseRule
from bchook_studio.gui.receiver_controller import ReceiverController
from tests.gui.conftest import run_in_loop
from tests.gui.inbox_support import (
    WAIT_MS,
    close_controller,
    recorder,
    send,
    start_controller,
)


@pytest.fixture
def occupied_port():
    """Listen on a free 127.0.0.1 port with a plain socket and return the port."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    yield holder.getsockname()[1]
    holder.close()


def test_start_reports_base_url(qtbot, qloop):
    controller = ReceiverController()
    started, record = recorder()
    controller.started.connect(record)
    try:
        assert run_in_loop(qtbot, controller.start(port=0)) is True
        assert controller.state is ReceiverState.RUNNING
        assert started == [controller.base_url]
        assert controller.base_url.startswith("http://127.0.0.1:")
    finally:
        close_controller(qtbot, controller)


def test_stop_clears_base_url(qtbot, qloop):
    controller = start_controller(qtbot)
    try:
        with qtbot.waitSignal(controller.stopped, timeout=WAIT_MS):
            run_in_loop(qtbot, controller.stop())
        assert controller.state is ReceiverState.STOPPED
        assert controller.base_url is None
    finally:
        close_controller(qtbot, controller)


def test_stop_when_stopped_does_nothing(qtbot, qloop):
    controller = ReceiverController()
    stopped, record = recorder()
    controller.stopped.connect(record)
    run_in_loop(qtbot, controller.stop())
    assert stopped == []
    close_controller(qtbot, controller)


def test_taken_port_falls_back(qtbot, qloop, occupied_port):
    controller = ReceiverController()
    notices, record = recorder()
    controller.notice.connect(record)
    try:
        assert run_in_loop(qtbot, controller.start(port=occupied_port)) is True
        port = controller.receiver.port
        assert port > occupied_port
        assert controller.base_url == f"http://127.0.0.1:{port}"
        assert len(notices) == 1
        assert f"Port {occupied_port} " in notices[0]
        assert f"port {port}." in notices[0]
    finally:
        close_controller(qtbot, controller)


def test_free_port_gives_no_notice(qtbot, qloop, occupied_port):
    controller = ReceiverController()
    notices, record = recorder()
    controller.notice.connect(record)
    try:
        run_in_loop(qtbot, controller.start(port=0))
        assert notices == []
    finally:
        close_controller(qtbot, controller)


def test_non_loopback_host_reports_error(qtbot, qloop):
    controller = ReceiverController()
    errors, record = recorder()
    controller.error.connect(record)
    assert run_in_loop(qtbot, controller.start(port=0, host="192.0.2.1")) is False
    assert controller.state is ReceiverState.STOPPED
    assert len(errors) == 1
    assert "192.0.2.1" in errors[0]
    assert "127.0.0.1" in errors[0]
    close_controller(qtbot, controller)


def test_invalid_port_reports_error(qtbot, qloop):
    controller = ReceiverController()
    errors, record = recorder()
    controller.error.connect(record)
    assert run_in_loop(qtbot, controller.start(port=70000)) is False
    assert len(errors) == 1
    assert "70000" in errors[0]
    assert "0 to 65535" in errors[0]
    close_controller(qtbot, controller)


def test_requests_arrive_in_a_batch(qtbot, qloop):
    controller = start_controller(qtbot)
    batches, record = recorder()
    controller.requests_added.connect(record)
    try:
        send(qtbot, "POST", controller.base_url + "/a", content=b"1")
        send(qtbot, "POST", controller.base_url + "/b", content=b"2")
        qtbot.waitUntil(lambda: sum(map(len, batches)) == 2, timeout=WAIT_MS)
        bodies = [request.body for batch in batches for request in batch]
        assert bodies == [b"1", b"2"]
    finally:
        close_controller(qtbot, controller)


def test_limits_remove_oldest(qtbot, qloop):
    limits = ReceiverLimits(max_kept_requests=3)
    controller = start_controller(qtbot, limits)
    removed, record_removed = recorder()
    dropped, record_dropped = recorder()
    controller.requests_removed_below.connect(record_removed)
    controller.dropped_count_changed.connect(record_dropped)
    try:
        for index in range(5):
            send(qtbot, "POST", controller.base_url + "/", content=b"%d" % index)
        qtbot.waitUntil(lambda: controller.dropped_count == 2, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: dropped[-1:] == [2], timeout=WAIT_MS)
        assert removed[-1] == 3
        assert controller.log.oldest_id == 3
    finally:
        close_controller(qtbot, controller)


def test_clear_removes_all_and_resets_dropped(qtbot, qloop):
    limits = ReceiverLimits(max_kept_requests=1)
    controller = start_controller(qtbot, limits)
    removed, record_removed = recorder()
    controller.requests_removed_below.connect(record_removed)
    try:
        send(qtbot, "POST", controller.base_url + "/", content=b"a")
        send(qtbot, "POST", controller.base_url + "/", content=b"b")
        qtbot.waitUntil(lambda: controller.dropped_count == 1, timeout=WAIT_MS)
        controller.clear()
        assert removed[-1] == 3
        assert controller.dropped_count == 0
        assert controller.requests() == []
    finally:
        close_controller(qtbot, controller)


def test_log_survives_restart(qtbot, qloop):
    controller = start_controller(qtbot)
    try:
        send(qtbot, "POST", controller.base_url + "/", content=b"kept")
        run_in_loop(qtbot, controller.stop())
        assert [request.body for request in controller.requests()] == [b"kept"]
        assert run_in_loop(qtbot, controller.start(port=0)) is True
        assert len(controller.requests()) == 1
    finally:
        close_controller(qtbot, controller)


def test_set_rules_applies_at_once(qtbot, qloop):
    controller = start_controller(qtbot)
    try:
        controller.set_rules((ResponseRule(path_prefix="/down", status=503),))
        response = send(qtbot, "POST", controller.base_url + "/down")
        assert response.status_code == 503
    finally:
        close_controller(qtbot, controller)


def test_start_after_aclose_raises(qtbot, qloop):
    controller = ReceiverController()
    close_controller(qtbot, controller)
    with pytest.raises(RuntimeError, match="closed"):
        run_in_loop(qtbot, controller.start(port=0))


def test_aclose_stops_receiver(qtbot, qloop):
    controller = start_controller(qtbot)
    close_controller(qtbot, controller)
    assert controller.state is ReceiverState.STOPPED
    assert controller.receiver.connection_count == 0
