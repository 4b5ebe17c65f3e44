"""The in-memory request log: limits, batches for views, listeners."""

import logging
from datetime import UTC, datetime

import pytest

from bchook_studio.core.receiver import ReceivedRequest, RequestLog


def make_request(log: RequestLog, body: bytes = b"") -> ReceivedRequest:
    return ReceivedRequest(
        id=log.next_id(),
        time=datetime.now(UTC),
        client_host="127.0.0.1",
        client_port=50000,
        method="POST",
        target="/",
        http_version="1.1",
        headers=(),
        body=body,
        body_size=len(body),
        status=200,
    )


def fill(log: RequestLog, count: int, body: bytes = b"") -> list[ReceivedRequest]:
    added = []
    for _ in range(count):
        request = make_request(log, body)
        log.add(request)
        added.append(request)
    return added


def test_newest_first():
    log = RequestLog()
    fill(log, 3)

    assert [r.id for r in log.requests()] == [3, 2, 1]


def test_count_limit_drops_oldest():
    log = RequestLog(max_count=5)
    fill(log, 8)

    assert [r.id for r in log.requests()] == [8, 7, 6, 5, 4]
    assert log.dropped_count == 3
    assert log.oldest_id == 4


def test_byte_limit_drops_oldest():
    log = RequestLog(max_bytes=1000)
    fill(log, 10, b"x" * 300)

    assert log.total_bytes <= 1000
    assert len(log) == 3
    assert log.dropped_count == 7


def test_oversize_request_still_kept():
    log = RequestLog(max_bytes=100)
    fill(log, 2, b"x" * 500)

    assert [r.id for r in log.requests()] == [2]
    assert log.total_bytes > log.max_bytes


def test_clear_keeps_ids_increasing():
    log = RequestLog()
    fill(log, 3)
    log.clear()
    fill(log, 1)

    assert [r.id for r in log.requests()] == [4]
    assert log.total_bytes == log.requests()[0].stored_size
    assert log.dropped_count == 0


def test_lower_limits_drop_at_once():
    log = RequestLog()
    fill(log, 10)
    log.set_limits(max_count=2, max_bytes=log.max_bytes)

    assert len(log) == 2
    assert log.dropped_count == 8


def test_invalid_limit_rejected():
    with pytest.raises(ValueError) as caught:
        RequestLog(max_count=0)

    assert "0" in str(caught.value)


def test_get_by_id():
    log = RequestLog(max_count=3)
    fill(log, 5)

    assert log.get(4).id == 4
    assert log.get(1) is None
    assert log.get(99) is None


def test_reader_takes_batches():
    log = RequestLog()
    fill(log, 2)
    reader = log.reader()
    fill(log, 3)

    first = reader.take_new()
    second = reader.take_new()
    fill(log, 1)
    third = reader.take_new()

    assert [r.id for r in first] == [3, 4, 5]
    assert second == []
    assert [r.id for r in third] == [6]


def test_readers_are_independent():
    log = RequestLog()
    one, two = log.reader(), log.reader()
    fill(log, 2)
    one.take_new()
    fill(log, 1)

    assert [r.id for r in one.take_new()] == [3]
    assert [r.id for r in two.take_new()] == [1, 2, 3]


def test_reader_skips_dropped_requests():
    log = RequestLog(max_count=3)
    reader = log.reader()
    fill(log, 10)

    assert [r.id for r in reader.take_new()] == [8, 9, 10]


def test_view_sync_after_clear():
    log = RequestLog()
    reader = log.reader()
    fill(log, 3)
    reader.take_new()
    log.clear()
    fill(log, 2)

    assert [r.id for r in reader.take_new()] == [4, 5]
    assert log.oldest_id == 4


def test_listener_called_per_request():
    log = RequestLog()
    seen = []
    log.add_listener(seen.append)
    added = fill(log, 3)
    log.remove_listener(seen.append)
    fill(log, 1)

    assert seen == added


def test_failing_listener_logged_not_raised(caplog):
    log = RequestLog()
    seen = []

    def broken(request):
        raise RuntimeError("boom")

    log.add_listener(broken)
    log.add_listener(seen.append)
    with caplog.at_level(logging.ERROR):
        fill(log, 1)

    assert len(seen) == 1
    assert "listener failed on request 1" in caplog.text
