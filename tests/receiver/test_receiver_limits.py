"""Limits: body and header sizes, the memory kept, idle and stalled connections."""

import asyncio
import base64

import pytest

from bchook_studio.core.receiver import (
    ReceiverLimits,
    RequiredCredentials,
    ResponseRule,
)
from bchook_studio.core.receiver.connection import MAX_RECORDED_TARGET
from tests.receiver.helpers import (
    client,
    raw_connection,
    read_response,
    run,
    running,
    send_raw,
    small_limits,
)


def test_oversize_declared_body_gets_413():
    async def scenario():
        async with running(limits=small_limits(max_body=1000)) as receiver:
            async with client() as http:
                response = await http.post(receiver.base_url, content=b"x" * 5000)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status_code == 413
    assert recorded.status == 413
    assert recorded.body == b""
    assert recorded.body_size == 0
    assert recorded.declared_size == 5000
    assert recorded.truncated is False
    assert "declared as 5000 bytes" in recorded.rejection
    assert "1000 bytes" in recorded.rejection


def test_oversize_chunked_body_cut_at_limit():
    chunk = b"y" * 600
    request = (
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"258\r\n"
        + chunk
        + b"\r\n"
        + b"258\r\n"
        + chunk
        + b"\r\n"
        + b"0\r\n\r\n"
    )

    async def scenario():
        async with running(limits=small_limits(max_body=1000)) as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 413
    assert recorded.body == b"y" * 1000
    assert recorded.body_size == 1200
    assert recorded.declared_size is None
    assert recorded.truncated is True


def test_body_at_limit_accepted():
    async def scenario():
        async with running(limits=small_limits(max_body=1000)) as receiver:
            async with client() as http:
                response = await http.post(receiver.base_url, content=b"x" * 1000)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status_code == 200
    assert len(recorded.body) == 1000


def test_kept_bytes_stay_within_limit():
    limits = ReceiverLimits(
        max_body=2000,
        max_header_size=1000,
        max_kept_bytes=10_000,
        max_kept_requests=1000,
    )

    async def scenario():
        async with running(limits=limits) as receiver, client() as http:
            statuses = []
            for index in range(40):
                size = 1900 if index % 2 else 5000
                response = await http.post(receiver.base_url, content=b"z" * size)
                statuses.append(response.status_code)
                assert receiver.log.total_bytes <= 10_000
            return statuses, receiver.log

    statuses, log = run(scenario())

    assert statuses.count(413) == 20
    assert statuses.count(200) == 20
    assert log.total_bytes <= 10_000
    assert log.dropped_count > 0
    assert log.dropped_count + len(log) == 40
    assert log.requests()[0].id == 40


def test_header_over_limit_gets_431():
    filler = b"X-Filler: " + b"f" * 8000 + b"\r\n"
    request = b"GET / HTTP/1.1\r\nHost: x\r\n" + filler * 3 + b"\r\n"

    async def scenario():
        limits = small_limits(max_header_size=4096)
        async with running(limits=limits) as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 431
    assert recorded.status == 431
    assert "4096 bytes" in recorded.rejection


def test_idle_connection_closed():
    async def scenario():
        limits = small_limits(keep_alive_timeout=0.3)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            first = await read_response(reader)
            rest = await asyncio.wait_for(reader.read(), 5)
            return first, rest, len(receiver.log)

    first, rest, count = run(scenario())

    assert first.status == 200
    assert rest == b""
    assert count == 1


def test_stalled_request_gets_408():
    async def scenario():
        limits = small_limits(body_timeout=0.3)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(
                b"POST /s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"
            )
            response = await asyncio.wait_for(read_response(reader), 5)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 408
    assert recorded.status == 408
    assert recorded.target == "/s"
    assert recorded.body == b"abc"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"max_body": 0}, "max_body"),
        ({"keep_alive_timeout": 0}, "keep_alive_timeout"),
        ({"head_timeout": -1}, "head_timeout"),
        ({"body_timeout": 0}, "body_timeout"),
        ({"max_connections": 0}, "max_connections"),
        ({"min_body_rate": 0}, "min_body_rate"),
        ({"max_body": 100 * 1024 * 1024}, "max_kept_bytes"),
    ],
)
def test_invalid_limits_rejected(options, named):
    with pytest.raises(ValueError) as caught:
        ReceiverLimits(**options)

    assert named in str(caught.value)


def test_head_over_header_limit_gets_431():
    filler = b"X-Filler: " + b"f" * 3000 + b"\r\n"
    request = b"HEAD / HTTP/1.1\r\nHost: x\r\n" + filler * 2 + b"\r\n"

    async def scenario():
        limits = small_limits(max_header_size=4096)
        async with (
            running(limits=limits) as receiver,
            raw_connection(receiver) as (
                reader,
                writer,
            ),
        ):
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            rest = await asyncio.wait_for(reader.read(), 5)
            return head, rest

    head, rest = run(scenario())

    assert head.startswith(b"HTTP/1.1 431 ")
    assert rest == b""


def _guarded_rule() -> ResponseRule:
    return ResponseRule(credentials=RequiredCredentials("carol", "pw"))


def _basic(pair: bytes) -> bytes:
    return b"Basic " + base64.b64encode(pair)


@pytest.mark.parametrize(
    "authorization", [None, _basic(b"carol:wrong"), b"Bearer token"]
)
def test_oversize_without_credentials_gets_401(authorization):
    head = b"POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
    if authorization is not None:
        head += b"Authorization: " + authorization + b"\r\n"

    async def scenario():
        async with running(
            limits=small_limits(max_body=1000), rules=(_guarded_rule(),)
        ) as receiver:
            response = await send_raw(receiver, head + b"\r\n" + b"x" * 5000)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 401
    assert response.header("www-authenticate").startswith("Basic realm=")
    assert b"1000" not in response.body
    assert recorded.status == 401
    assert recorded.body_size == 0
    assert recorded.declared_size == 5000
    assert "1000 bytes" in recorded.rejection


def test_oversize_chunked_without_credentials_gets_401():
    chunk = b"y" * 600
    request = (
        b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"258\r\n" + chunk + b"\r\n") * 2
        + b"0\r\n\r\n"
    )

    async def scenario():
        async with running(
            limits=small_limits(max_body=1000), rules=(_guarded_rule(),)
        ) as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 401
    assert recorded.status == 401
    assert recorded.body == b"y" * 1000


def test_oversize_with_credentials_gets_413():
    head = (
        b"POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
        b"Authorization: " + _basic(b"carol:pw") + b"\r\n\r\n"
    )

    async def scenario():
        async with running(
            limits=small_limits(max_body=1000), rules=(_guarded_rule(),)
        ) as receiver:
            response = await send_raw(receiver, head + b"x" * 5000)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 413
    assert recorded.status == 413


def test_huge_chunk_size_gets_413_at_once():
    head = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"

    async def scenario():
        async with (
            running(limits=small_limits(max_body=1000)) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(head + b"ffffffffffffffffffff\r\n")
            response = await asyncio.wait_for(read_response(reader), 5)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 413
    assert recorded.status == 413
    assert "announced by its chunk sizes" in recorded.rejection
    assert recorded.body == b""
    assert recorded.body_size == 0


def test_chunks_over_limit_in_total_get_413():
    # Each chunk is under the limit, but the third would take the total over it.
    head = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunks = (b"190\r\n" + b"a" * 400 + b"\r\n") * 2 + b"190\r\n"

    async def scenario():
        async with (
            running(limits=small_limits(max_body=1000)) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(head + chunks)
            response = await asyncio.wait_for(read_response(reader), 5)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 413
    assert "as 1200 bytes" in recorded.rejection
    assert recorded.body == b"a" * 800
    assert recorded.body_size == 800


def test_long_target_cut_in_record():
    target = b"/" + b"p" * 100_000
    request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"

    async def scenario():
        async with running(limits=small_limits(max_header_size=4096)) as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 431
    assert recorded.status == 431
    assert len(recorded.target) == MAX_RECORDED_TARGET
    assert recorded.target.startswith("/ppp")
    assert "first 1024 of 100001 characters" in recorded.rejection


def test_many_headers_cut_in_record():
    filler = b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 100) for n in range(200))
    request = b"GET /h HTTP/1.1\r\nHost: x\r\n" + filler + b"\r\n"

    async def scenario():
        async with running(limits=small_limits(max_header_size=4096)) as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 431
    assert recorded.target == "/h"
    assert sum(len(k) + len(v) + 4 for k, v in recorded.headers) <= 4096
    assert len(recorded.headers) < 201
    assert f"{len(recorded.headers)} of 201 headers" in recorded.rejection
