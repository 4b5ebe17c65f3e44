"""The receiver as HTTP clients see it: recording, keep-alive, bodies, 100-continue."""

import asyncio
import base64
import logging
import shutil
import time
from datetime import UTC, datetime, timedelta

import pytest

from bchook_studio.core.receiver import UNKNOWN, RequiredCredentials, ResponseRule
from tests.receiver.helpers import (
    client,
    raw_connection,
    read_response,
    run,
    running,
    send_raw,
    small_limits,
)


def test_post_recorded_in_full():
    body = b'{"event": "course.created", "id": 7}'

    async def scenario():
        async with running() as receiver, client() as http:
            response = await http.post(
                f"{receiver.base_url}/hook?topic=course.created&x=1",
                content=body,
                headers=[
                    ("Content-Type", "application/json; charset=utf-8"),
                    ("X-Repeat", "one"),
                    ("X-Repeat", "two"),
                ],
            )
            return response, receiver.log.requests()

    response, requests = run(scenario())

    assert response.status_code == 200
    assert response.content == b""
    assert len(requests) == 1
    request = requests[0]
    assert request.id == 1
    assert request.method == "POST"
    assert request.target == "/hook?topic=course.created&x=1"
    assert request.path == "/hook"
    assert request.http_version == "1.1"
    assert request.body == body
    assert request.body_size == len(body)
    assert request.status == 200
    assert request.rule_index == 0
    assert request.truncated is False
    assert request.rejection is None
    assert request.client_host == "127.0.0.1"
    assert request.client_port > 0
    assert request.content_type == "application/json"
    assert request.header("content-type") == "application/json; charset=utf-8"
    assert [v for n, v in request.headers if n == "X-Repeat"] == ["one", "two"]
    assert request.headers[0][0] == "Host"
    assert request.time.tzinfo is UTC
    assert datetime.now(UTC) - request.time < timedelta(seconds=30)


def test_keep_alive_serves_several_requests():
    async def scenario():
        async with running() as receiver, raw_connection(receiver) as (reader, writer):
            statuses = []
            for index in range(3):
                writer.write(
                    b"POST /k HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n"
                    + str(index).encode()
                )
                statuses.append((await read_response(reader)).status)
            return statuses, receiver.log.requests()

    statuses, requests = run(scenario())

    assert statuses == [200, 200, 200]
    assert [r.body for r in requests] == [b"2", b"1", b"0"]
    assert len({r.client_port for r in requests}) == 1


def test_pipelined_requests_answered_in_order():
    rules = (
        ResponseRule(path_prefix="/a", body=b"first"),
        ResponseRule(path_prefix="/b", body=b"second", delay_ms=100),
        ResponseRule(body=b"third"),
    )
    requests = b"".join(
        f"GET /{name} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for name in "abc"
    )

    async def scenario():
        async with (
            running(rules=rules) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(requests)
            return [(await read_response(reader)).body for _ in range(3)]

    bodies = run(scenario())

    assert bodies == [b"first", b"second", b"third"]


def test_chunked_body_captured_whole():
    request = (
        b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"6\r\nabcdef\r\n"
        b"a\r\nghijklmnop\r\n"
        b"0\r\n\r\n"
    )

    async def scenario():
        async with running() as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 200
    assert recorded.body == b"abcdefghijklmnop"
    assert recorded.body_size == 16


def test_expect_continue_before_body():
    head = (
        b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )

    async def scenario():
        async with running() as receiver, raw_connection(receiver) as (reader, writer):
            writer.write(head)
            interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            writer.write(b"hello")
            final = await read_response(reader)
            return interim, final, receiver.log.requests()[0]

    interim, final, recorded = run(scenario())

    assert interim.startswith(b"HTTP/1.1 100 ")
    assert final.status == 200
    assert recorded.body == b"hello"


def test_expect_continue_oversize_gets_413():
    head = (
        b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )

    async def scenario():
        async with running(limits=small_limits(max_body=100)) as receiver:
            response = await send_raw(receiver, head)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 413
    assert recorded.status == 413
    assert recorded.body_size == 0
    assert recorded.declared_size == 5000
    assert recorded.truncated is False


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_expect_continue_is_quick(tmp_path):
    payload = tmp_path / "body.json"
    payload.write_bytes(b'{"id": 1}\n' * 100)

    async def scenario():
        async with running() as receiver:
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                "curl",
                "--silent",
                "--show-error",
                "--noproxy",
                "*",
                "--max-time",
                "10",
                "-H",
                "Expect: 100-continue",
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                f"@{payload}",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                f"{receiver.base_url}/curl",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await process.communicate()
            elapsed = time.perf_counter() - started
            return out, err, elapsed, receiver.log.requests()[0]

    out, err, elapsed, recorded = run(scenario())

    assert out == b"200"
    assert err == b""
    assert elapsed < 0.9
    assert recorded.header("expect") == "100-continue"
    assert recorded.body == payload.read_bytes()


def test_head_answer_has_no_body():
    rules = (ResponseRule(body=b"twelve bytes"),)

    async def scenario():
        async with (
            running(rules=rules) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return head, await read_response(reader)

    head, after = run(scenario())

    assert b"Content-Length: 12" in head
    assert after.status == 200
    assert after.body == b"twelve bytes"


def test_no_content_status_sends_no_body():
    rules = (ResponseRule(status=204, body=b"ignored"),)

    async def scenario():
        async with running(rules=rules) as receiver:
            return await send_raw(receiver, b"POST / HTTP/1.1\r\nHost: x\r\n\r\n")

    response = run(scenario())

    assert response.status == 204
    assert response.header("content-length") is None


def test_http10_request_answered_and_closed():
    async def scenario():
        async with running() as receiver, raw_connection(receiver) as (reader, writer):
            writer.write(b"GET /old HTTP/1.0\r\n\r\n")
            response = await read_response(reader)
            rest = await asyncio.wait_for(reader.read(), 5)
            return response, rest, receiver.log.requests()[0]

    response, rest, recorded = run(scenario())

    assert response.status == 200
    assert rest == b""
    assert recorded.http_version == "1.0"


def test_header_bytes_kept_as_latin1():
    request = b"POST / HTTP/1.1\r\nHost: x\r\nX-Name: J\xfcrgen \xe2\x82\xac\r\n\r\n"

    async def scenario():
        async with running() as receiver:
            await send_raw(receiver, request)
            return receiver.log.requests()[0]

    recorded = run(scenario())

    value = recorded.header("x-name")
    assert value == "J\xfcrgen \xe2\x82\xac"
    assert value.encode("latin-1") == b"J\xfcrgen \xe2\x82\xac"


def test_malformed_request_recorded_with_dashes():
    async def scenario():
        async with running() as receiver:
            response = await send_raw(receiver, b"NOT HTTP AT ALL\r\n\r\n")
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 400
    assert recorded.status == 400
    assert recorded.method == UNKNOWN
    assert recorded.target == UNKNOWN
    assert recorded.rule_index is None
    assert recorded.rejection.startswith("malformed request")


def test_bad_chunk_keeps_method_and_target():
    request = (
        b"POST /bad HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\nabc\r\n"
    )

    async def scenario():
        async with running() as receiver:
            response = await send_raw(receiver, request)
            return response, receiver.log.requests()[0]

    response, recorded = run(scenario())

    assert response.status == 400
    assert recorded.method == "POST"
    assert recorded.target == "/bad"
    assert recorded.status == 400


def test_client_leaving_mid_body_recorded():
    head = b"POST /gone HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123"

    async def scenario():
        async with running() as receiver:
            async with raw_connection(receiver) as (_, writer):
                writer.write(head)
                await writer.drain()
            while not len(receiver.log):
                await asyncio.sleep(0.01)
            return receiver.log.requests()[0]

    recorded = run(scenario())

    assert recorded.target == "/gone"
    assert recorded.status is None
    assert recorded.body == b"0123"
    assert "before the request was complete" in recorded.rejection


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while chunk := await reader.read(65536):
        data += chunk
    return data


def _exchange(request: bytes):
    """Send `request` and read until the receiver closes; return the response
    and the records."""

    async def scenario():
        async with running() as receiver:
            async with raw_connection(receiver) as (reader, writer):
                writer.write(request)
                await writer.drain()
                answer = await _read_until_closed(reader)
            return answer, receiver.log.requests()

    return run(scenario())


def _errors_logged(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING or record.exc_info
    ]


def test_connect_gets_405(caplog):
    caplog.set_level(logging.INFO, logger="bchook_studio.core.receiver")

    answer, recorded = _exchange(
        b"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"
    )

    assert answer.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n")
    assert b"\r\nAllow: GET, HEAD, POST" in answer
    assert b"\r\nConnection: close\r\n" in answer
    assert len(recorded) == 1
    assert recorded[0].method == "CONNECT"
    assert recorded[0].status == 405
    assert "not a proxy" in recorded[0].rejection
    assert _errors_logged(caplog) == []
    assert any("status 405" in record.getMessage() for record in caplog.records)


def test_http2_preface_gets_400(caplog):
    caplog.set_level(logging.INFO, logger="bchook_studio.core.receiver")

    answer, recorded = _exchange(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04")

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"200 OK" not in answer
    assert len(recorded) == 1
    assert recorded[0].method == "PRI"
    assert recorded[0].status == 400
    assert "HTTP/2 connection preface" in recorded[0].rejection
    assert _errors_logged(caplog) == []
    assert [r.getMessage() for r in caplog.records if "status 400" in r.getMessage()]


def test_other_http_version_gets_505():
    answer, recorded = _exchange(b"POST / HTTP/3.0\r\nHost: x\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 505 HTTP Version Not Supported\r\n")
    assert recorded[0].status == 505
    assert "HTTP/3.0" in recorded[0].rejection


def test_upgrade_request_answered_by_rule(caplog):
    request = (
        b"POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade, close\r\nContent-Length: 2\r\n\r\n{}"
    )

    answer, recorded = _exchange(request)

    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert recorded[0].status == 200
    assert recorded[0].body == b"{}"
    assert _errors_logged(caplog) == []


def _guarded_rule() -> ResponseRule:
    return ResponseRule(credentials=RequiredCredentials("carol", "pw"))


@pytest.mark.parametrize(
    "authorization",
    [None, b"Basic " + base64.b64encode(b"carol:wrong")],
)
def test_expect_continue_without_credentials_gets_401(authorization):
    head = (
        b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
    )
    if authorization is not None:
        head += b"Authorization: " + authorization + b"\r\n"

    async def scenario():
        async with (
            running(rules=(_guarded_rule(),)) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(head + b"\r\n")
            final = await asyncio.wait_for(read_response(reader), 5)
            rest = await asyncio.wait_for(reader.read(), 5)
            return final, rest, receiver.log.requests()[0]

    final, rest, recorded = run(scenario())

    assert final.status == 401
    assert final.header("www-authenticate").startswith("Basic realm=")
    assert final.header("connection") == "close"
    assert rest == b""
    assert recorded.status == 401
    assert recorded.body == b""
    assert recorded.declared_size == 5
    assert "Expect: 100-continue" in recorded.rejection


def test_expect_continue_with_credentials_continues():
    head = (
        b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Expect: 100-continue\r\nAuthorization: Basic "
        + base64.b64encode(b"carol:pw")
        + b"\r\n\r\n"
    )

    async def scenario():
        async with (
            running(rules=(_guarded_rule(),)) as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(head)
            interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            writer.write(b"hello")
            final = await asyncio.wait_for(read_response(reader), 5)
            return interim, final

    interim, final = run(scenario())

    assert interim.startswith(b"HTTP/1.1 100 ")
    assert final.status == 200


def test_length_and_chunked_closes_after_response():
    # RFC 9112 section 6.1: the body is framed by Transfer-Encoding, and the
    # connection closes after the response, so the second request is not read.
    first = (
        b"POST /both HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    second = b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n"

    async def scenario():
        async with (
            running() as receiver,
            raw_connection(receiver) as (reader, writer),
        ):
            writer.write(first + second)
            response = await asyncio.wait_for(read_response(reader), 5)
            rest = await asyncio.wait_for(reader.read(), 5)
            return response, rest, receiver.log.requests()

    response, rest, requests = run(scenario())

    assert response.status == 200
    assert response.header("connection") == "close"
    assert rest == b""
    assert [r.target for r in requests] == ["/both"]
    assert requests[0].body == b"hello"
    assert requests[0].declared_size is None
