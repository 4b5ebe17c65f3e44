"""Timeouts, the connection cap and the log summary of dropped connections."""

import asyncio
import contextlib
import logging
import time

from bchook_studio.core.receiver.rules import ResponseRule
from tests.receiver.helpers import (
    raw_connection,
    read_response,
    run,
    running,
    small_limits,
)

CONNECTION_LOGGERS = (
    "bchook_studio.core.receiver.connection",
    "bchook_studio.core.receiver.event_tally",
)


async def drip(writer: asyncio.StreamWriter, data: bytes, interval: float) -> None:
    """Send `data` one byte every `interval` seconds until done or reset."""
    with contextlib.suppress(ConnectionError):
        for index in range(len(data)):
            writer.write(data[index : index + 1])
            await writer.drain()
            await asyncio.sleep(interval)


def test_slow_head_gets_408():
    # One byte every 0.05 s keeps the connection busy, but the head must be
    # complete 0.5 s after its first byte.
    head = b"GET /slow HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"f" * 200

    async def scenario():
        limits = small_limits(head_timeout=0.5, keep_alive_timeout=30)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            started = time.monotonic()
            sender = asyncio.create_task(drip(writer, head, 0.05))
            try:
                response = await asyncio.wait_for(read_response(reader), 5)
                rest = await asyncio.wait_for(reader.read(), 5)
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender
            return response, rest, time.monotonic() - started, receiver.log

    response, rest, elapsed, log = run(scenario())

    assert response.status == 408
    assert response.header("connection") == "close"
    assert b"0.5 s after their first byte" in response.body
    assert rest == b""
    assert elapsed < 3
    assert log.requests()[0].status == 408
    assert log.requests()[0].method == "-"


def test_idle_keep_alive_closed_silently():
    async def scenario():
        limits = small_limits(keep_alive_timeout=0.3, head_timeout=30)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            first = await read_response(reader)
            started = time.monotonic()
            rest = await asyncio.wait_for(reader.read(), 5)
            return first, rest, time.monotonic() - started, len(receiver.log)

    first, rest, elapsed, count = run(scenario())

    assert first.status == 200
    assert rest == b""
    assert elapsed < 3
    assert count == 1


def test_unused_connection_closed_silently():
    async def scenario():
        limits = small_limits(keep_alive_timeout=0.3)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, _writer),
        ):
            rest = await asyncio.wait_for(reader.read(), 5)
            return rest, len(receiver.log)

    rest, count = run(scenario())

    assert rest == b""
    assert count == 0


def test_stalled_body_gets_408():
    async def scenario():
        limits = small_limits(body_timeout=0.3, keep_alive_timeout=30)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab")
            response = await asyncio.wait_for(read_response(reader), 5)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 408
    assert b"no bytes arrived for 0.3 s" in response.body
    assert recorded.target == "/b"
    assert recorded.body == b"ab"
    assert recorded.body_size == 2
    assert recorded.declared_size == 9


def test_trickled_body_gets_408():
    # One byte every 0.3 s beats the 0.5 s body timeout but not 10 bytes/s.
    async def scenario():
        limits = small_limits(body_timeout=0.5, min_body_rate=10)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n")
            response = asyncio.ensure_future(read_response(reader))
            for _ in range(20):
                if response.done():
                    break
                writer.write(b"x")
                await asyncio.wait([response], timeout=0.3)
            return await asyncio.wait_for(response, 5), receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 408
    assert b"slower than the 10 bytes/s required" in response.body
    assert recorded.target == "/t"
    assert recorded.body_size < 10


def test_steady_slow_body_completes():
    # 200 bytes every 0.1 s, about 2,000 bytes/s, stays above 500 bytes/s.
    async def scenario():
        limits = small_limits(body_timeout=0.5, min_body_rate=500)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
            for _ in range(10):
                writer.write(b"y" * 200)
                await asyncio.sleep(0.1)
            return await asyncio.wait_for(read_response(reader), 5)

    response = run(scenario())

    assert response.status == 200


def test_keep_alive_timer_restarts_after_response():
    # Each request comes before the keep-alive timeout, so all four succeed
    # on one connection although together they take longer than it.
    async def scenario():
        limits = small_limits(keep_alive_timeout=0.8)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            statuses = []
            for _ in range(4):
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                statuses.append((await read_response(reader)).status)
                await asyncio.sleep(0.3)
            return statuses, {r.client_port for r in receiver.log.requests()}

    statuses, ports = run(scenario())

    assert statuses == [200, 200, 200, 200]
    assert len(ports) == 1


def test_connection_over_cap_gets_503(caplog):
    caplog.set_level(logging.WARNING, logger="bchook_studio.core.receiver.connection")

    async def scenario():
        limits = small_limits(max_connections=3)
        async with running(limits=limits) as receiver:
            host, port = receiver.address
            held_connections = [
                await asyncio.open_connection(host, port) for _ in range(3)
            ]
            while receiver.connection_count < 3:
                await asyncio.sleep(0.01)

            reader, writer = await asyncio.open_connection(host, port)
            over = await asyncio.wait_for(read_response(reader), 5)
            over_rest = await asyncio.wait_for(reader.read(), 5)
            writer.close()

            _, first_writer = held_connections.pop()
            first_writer.close()
            while receiver.connection_count > 2:
                await asyncio.sleep(0.01)
            async with raw_connection(receiver) as (reader, writer):
                writer.write(b"GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
                after = await asyncio.wait_for(read_response(reader), 5)

            for _, held_writer in held_connections:
                held_writer.close()
            return over, over_rest, after, receiver.log.requests()

    over, over_rest, after, requests = run(scenario())

    assert over.status == 503
    assert over.header("retry-after") == "1"
    assert b"3 connections" in over.body
    assert over_rest == b""
    assert after.status == 200
    assert [r.target for r in requests] == ["/after"]
    warnings = [r for r in caplog.records if "max_connections" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


def test_dropped_connections_logged_in_summary(caplog):
    caplog.set_level(logging.DEBUG)
    clients = 30

    async def scenario():
        async with running(limits=small_limits()) as receiver:
            host, port = receiver.address
            opened = [await asyncio.open_connection(host, port) for _ in range(clients)]
            for _, writer in opened:
                writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le")
                await writer.drain()
                writer.write_eof()
            while receiver.connection_count:
                await asyncio.sleep(0.01)
            for _, writer in opened:
                writer.close()

    run(scenario())

    connection_records = [r for r in caplog.records if r.name in CONNECTION_LOGGERS]
    infos = [r for r in connection_records if r.levelno >= logging.INFO]
    debugs = [r for r in connection_records if r.levelno == logging.DEBUG]
    assert len(debugs) == clients
    assert len(infos) == 1
    assert "in the middle of a request: 30 in the last" in infos[0].getMessage()


BIG_BODY = b"x" * (16 * 1024 * 1024)
"""A response body larger than the socket buffers of both sides take in while
the client does not read."""


def test_pipelined_requests_wait_for_reader():
    requests = b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n" * 400
    rule = ResponseRule(body=b"y" * (64 * 1024))

    async def scenario():
        async with (
            running(rules=(rule,), limits=small_limits()) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(requests)
            await asyncio.sleep(1.0)
            responded_unread = len(receiver.log)
            statuses = []
            for _ in range(400):
                response = await asyncio.wait_for(read_response(reader), 10)
                statuses.append(response.status)
            return responded_unread, statuses, len(receiver.log)

    responded_unread, statuses, responded = run(scenario())

    # Without backpressure the receiver responded to all 400 at once, buffering
    # 25 MiB.
    assert responded_unread < 200
    assert statuses == [200] * 400
    assert responded == 400


def test_slow_reader_gets_whole_response():
    rule = ResponseRule(body=BIG_BODY)

    async def scenario():
        limits = small_limits(keep_alive_timeout=0.3, body_timeout=5)
        async with (
            running(rules=(rule,), limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            received = 0
            started = time.monotonic()
            while received < len(BIG_BODY) and time.monotonic() - started < 20:
                chunk = await asyncio.wait_for(reader.read(256 * 1024), 5)
                if not chunk:
                    break
                received += len(chunk)
                await asyncio.sleep(0.02)
            return head, received, time.monotonic() - started

    head, received, elapsed = run(scenario())

    assert head.startswith(b"HTTP/1.1 200 ")
    assert received == len(BIG_BODY)
    # Reading took longer than the keep-alive timeout, which must not apply.
    assert elapsed > 0.3


def test_client_that_stops_reading_is_dropped():
    rule = ResponseRule(body=BIG_BODY)

    async def scenario():
        limits = small_limits(keep_alive_timeout=30, body_timeout=0.5)
        async with (
            running(rules=(rule,), limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            # Three body timeouts without progress end the connection.
            await asyncio.sleep(2.5)
            received = 0
            with contextlib.suppress(ConnectionError):
                while chunk := await asyncio.wait_for(reader.read(1 << 20), 5):
                    received += len(chunk)
            return received

    received = run(scenario())

    assert received < len(BIG_BODY)
