"""Delivery against real servers on 127.0.0.1: bodies, auth, answers and failures."""

import asyncio
import gzip
import socket
import time

import pytest

from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.handle import DeliveryHandle
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.request import (
    BasicAuth,
    OutgoingRequest,
    Timeouts,
    repeated_headers,
)
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.delivery.tls import TlsSetting
from tests.servers import (
    RawServer,
    ReceivedRequest,
    drop_mid_body,
    full_backlog_listener,
    never_answer,
    respond,
    respond_after,
)

JSON = "application/json"


async def send(url: str, body: bytes = b"{}", **options) -> object:
    pool = ClientPool()
    try:
        options.setdefault("content_type", JSON)
        return await deliver(OutgoingRequest(url=url, body=body, **options), pool)
    finally:
        await pool.aclose()


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{\n  "id": 1,\n  "name": "J\xc3\xbcrgen"\n}\n', "application/json"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<webhook/>\n', "application/xml"),
    ],
)
def test_body_arrives_byte_for_byte(body, content_type):
    with RawServer(respond("200 OK", b"ok")) as server:
        result = run(send(server.url, body, content_type=content_type))

    received = server.requests[0]
    assert result.ok
    assert received.body == body
    assert received.headers["content-type"] == content_type
    assert received.request_line == "POST /hook HTTP/1.1"


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("user", "pässwörd", "Basic dXNlcjpww6Rzc3fDtnJk"),
        ("Сергей", "пароль", "Basic 0KHQtdGA0LPQtdC5OtC/0LDRgNC+0LvRjA=="),
        ("carol", "secret", "Basic Y2Fyb2w6c2VjcmV0"),
    ],
)
def test_basic_auth_encoded_as_utf8(username, password, expected):
    with RawServer(respond("200 OK", b"")) as server:
        run(send(server.url, auth=BasicAuth(username, password)))

    assert server.requests[0].headers["authorization"] == expected


def test_username_with_colon_rejected():
    with RawServer(respond("200 OK", b"")) as server:
        result = run(send(server.url, auth=BasicAuth("a:b", "pw")))

    assert result.failure.kind is FailureKind.INVALID_REQUEST
    assert "'a:b'" in result.failure.message
    assert server.requests == []


def test_literal_backslash_u_kept():
    body = b'{"product_name": "Acme\\u0026 Co"}'
    with RawServer(respond("200 OK", b"")) as server:
        run(send(server.url, body))

    assert len(body) == 33
    assert server.requests[0].body == body


def test_emoji_body_content_length():
    body = '{"msg":"👍👎"}'.encode()
    with RawServer(respond("200 OK", b"")) as server:
        run(send(server.url, body))

    assert server.requests[0].headers["content-length"] == "18"
    assert server.requests[0].body == body


def test_non_ascii_header_sent_as_utf8():
    with RawServer(respond("200 OK", b"")) as server:
        result = run(send(server.url, headers=(("X-Name", "Jürgen"),)))

    assert result.ok
    assert b"X-Name: J\xc3\xbcrgen\r\n" in server.requests[0].head


def test_repeated_headers_ignore_case():
    names = ["X-A", "b", " x-a ", "", "B", "X-A"]

    assert repeated_headers(names) == [(2, 0), (4, 1), (5, 0)]


def test_custom_header_replaces_default():
    headers = (("content-type", "application/vnd.example+json"), ("X-Trace", "1"))
    with RawServer(respond("200 OK", b"")) as server:
        result = run(send(server.url, headers=headers))

    received = server.requests[0].headers
    assert received["content-type"] == "application/vnd.example+json"
    assert received["x-trace"] == "1"
    assert server.requests[0].head.lower().count(b"content-type:") == 1
    assert result.request.header("Content-Type") == "application/vnd.example+json"


@pytest.mark.parametrize("name", ["Host", "content-length", "Transfer-Encoding"])
def test_reserved_header_rejected(name):
    result = run(send("http://127.0.0.1:9/", headers=((name, "x"),)))

    assert result.failure.kind is FailureKind.INVALID_REQUEST
    assert repr(name) in result.failure.message
    assert result.request is None


def test_header_with_line_break_rejected():
    result = run(send("http://127.0.0.1:9/", headers=(("X-A", "1\r\nX-B: 2"),)))

    assert result.failure.kind is FailureKind.INVALID_REQUEST
    assert "line break" in result.failure.message


def test_user_agent_names_tool_and_version():
    from bchook_studio import __version__

    with RawServer(respond("200 OK", b"")) as server:
        run(send(server.url))

    assert server.requests[0].headers["user-agent"] == (
        f"BrainCertHookStudio/{__version__}"
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [("404 Not Found", 404), ("500 Internal Server Error", 500)],
)
def test_error_status_is_an_answer(status, code):
    with RawServer(respond(status, b'{"error": "nope"}')) as server:
        result = run(send(server.url))

    assert result.failure is None
    assert not result.ok
    assert result.response.status == code
    assert result.response.reason == status.split(" ", 1)[1]
    assert result.response.body == b'{"error": "nope"}'
    assert result.response.http_version == "HTTP/1.1"


def test_reason_phrase_keeps_non_ascii():
    with RawServer(respond("500 Fehlér", b"")) as server:
        result = run(send(server.url))

    assert result.response.reason == "Fehlér"


def test_redirect_not_followed():
    behaviour = respond("302 Found", b"", {"Location": "http://127.0.0.1:9/elsewhere"})
    with RawServer(behaviour) as server:
        result = run(send(server.url))

    assert result.response.status == 302
    assert result.response.header("location") == "http://127.0.0.1:9/elsewhere"
    assert len(server.requests) == 1


@pytest.mark.parametrize("location", ["http://[::1", "http://a\x01b/"])
def test_redirect_unparsable_location_kept(location):
    behaviour = respond("302 Found", b"moved", {"Location": location, "X-After": "1"})
    with RawServer(behaviour) as server:
        result = run(send(server.url))

    assert result.failure is None
    assert result.response.status == 302
    assert result.response.body == b"moved"
    names = [name.lower() for name, _ in result.response.headers]
    assert names == ["content-length", "location", "x-after", "connection"]
    assert result.response.header("location") == location


@pytest.mark.parametrize(
    "location",
    [
        "http://[::1",
        "//[::1",
        "http://user@[::1/hook",
        "http://[::1?x=]",
        "https://[::1#]",
    ],
)
def test_redirect_unclosed_bracket_explained(location):
    behaviour = respond("302 Found", b"moved", {"Location": location})
    with RawServer(behaviour) as server:
        result = run(send(server.url, redirects=RedirectSetting(follow=True)))

    message = result.failure.message
    assert result.failure.kind is FailureKind.INVALID_URL
    assert f"{location!r} has a host that is not a valid IPv6 address" in message
    assert message.endswith("The server's owner has to correct it.")
    assert result.response.status == 302
    assert result.response.body == b"moved"


def test_unreadable_ca_bundle_ignored_for_http(tmp_path):
    tls = TlsSetting(ca_bundle=str(tmp_path / "missing-ca.pem"))

    with RawServer(respond("200 OK", b"{}")) as server:
        result = run(send(server.url, tls=tls))

    assert result.failure is None
    assert result.response.status == 200


def test_refused_port():
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()

    result = run(send(f"http://127.0.0.1:{port}/"))

    assert result.failure.kind is FailureKind.REFUSED
    assert f"127.0.0.1:{port}" in result.failure.message


def test_dns_failure(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    result = run(send("http://hooks.example.test/in"))

    assert result.failure.kind is FailureKind.DNS
    assert "'hooks.example.test'" in result.failure.message


def test_connect_timeout():
    listener, fillers = full_backlog_listener()
    port = listener.getsockname()[1]
    try:
        result = run(send(f"http://127.0.0.1:{port}/", timeouts=Timeouts(1.0, 10)))
    finally:
        for sock in [listener, *fillers]:
            sock.close()

    assert result.failure.kind is FailureKind.CONNECT_TIMEOUT
    assert "1 s" in result.failure.message


def test_server_never_answers():
    with RawServer(never_answer) as server:
        result = run(send(server.url, timeouts=Timeouts(0.5, 10)))

    assert result.failure.kind is FailureKind.READ_TIMEOUT
    assert result.request is not None


def test_connection_dropped_mid_body():
    with RawServer(drop_mid_body) as server:
        result = run(send(server.url))

    assert result.failure.kind is FailureKind.RESET
    assert "closed the connection" in result.failure.message
    assert "The body stopped after 10 bytes" in result.failure.message
    assert result.response.status == 200
    assert result.response.body == b"0123456789"
    assert result.response.header("content-length") == "100"


def stall_mid_body(conn: socket.socket, request: ReceivedRequest) -> None:
    """Promise 100 bytes, send 10, then wait up to 10 s for the client to close."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
    conn.settimeout(10)
    conn.recv(1)


def cut_after(data: bytes, sent: int, headers: dict[str, str]):
    """Return a behaviour that promises `data`, sends its first `sent` bytes and
    closes the connection."""

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        lines = ["HTTP/1.1 200 OK", f"Content-Length: {len(data)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head = "\r\n".join([*lines, "", ""]).encode("latin-1")
        conn.sendall(head + data[:sent])
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()

    return behaviour


def test_total_deadline_mid_body_keeps_response():
    with RawServer(stall_mid_body) as server:
        started = time.monotonic()
        result = run(send(server.url, timeouts=Timeouts(30, 0.5)))
        elapsed = time.monotonic() - started

    assert result.failure.kind is FailureKind.TOTAL_TIMEOUT
    assert "The body stopped after 10 bytes" in result.failure.message
    assert "total deadline of 0.5 s" in result.failure.message
    assert result.response.status == 200
    assert result.response.body == b"0123456789"
    assert result.response.header("content-length") == "100"
    assert not result.response.truncated
    assert result.headers_ms is not None
    assert elapsed < 5


def test_gzip_cut_short_counts_received_bytes():
    payload = b"".join(b"line %d of the body\n" % i for i in range(5000))
    compressed = gzip.compress(payload)
    sent = len(compressed) // 2
    behaviour = cut_after(compressed, sent, {"Content-Encoding": "gzip"})
    with RawServer(behaviour) as server:
        result = run(send(server.url))

    decoded = result.response.size
    message = result.failure.message
    assert result.failure.kind is FailureKind.RESET
    assert decoded > sent
    assert payload.startswith(result.response.body)
    assert f"after {sent:,} bytes received with Content-Encoding gzip" in message
    assert f"({decoded:,} bytes once decoded)" in message


def test_total_deadline():
    with RawServer(respond_after(3)) as server:
        started = time.monotonic()
        result = run(send(server.url, timeouts=Timeouts(30, 1)))
        elapsed = time.monotonic() - started

    assert result.failure.kind is FailureKind.TOTAL_TIMEOUT
    assert elapsed < 2.5


@pytest.mark.slow
def test_slow_endpoint_default_timeout_succeeds():
    with RawServer(respond_after(7)) as server:
        result = run(send(server.url))

    assert result.ok
    assert result.elapsed_ms >= 6500


@pytest.mark.slow
def test_slow_endpoint_short_timeout_fails():
    with RawServer(respond_after(7)) as server:
        started = time.monotonic()
        result = run(send(server.url, timeouts=Timeouts(3, 120)))
        elapsed = time.monotonic() - started

    assert result.failure.kind is FailureKind.READ_TIMEOUT
    assert 2.5 < elapsed < 5.5
    assert "3 s" in result.failure.message


@pytest.mark.parametrize(
    "url",
    ["", "example.com/hook", "ftp://example.com/", "http:///path", "http://a b/"],
)
def test_invalid_url(url):
    result = run(send(url))

    assert result.failure.kind is FailureKind.INVALID_URL
    assert result.request is None


def test_body_over_capture_cap_truncated():
    body = b"x" * 5000
    with RawServer(respond("200 OK", body)) as server:
        result = run(send(server.url, caps=SizeCaps(capture=1000)))

    assert result.failure is None
    assert result.response.truncated
    assert result.response.body == b"x" * 1000
    assert result.response.size > 1000


def test_gzip_body_decoded():
    payload = b'{"ok": true}'
    behaviour = respond("200 OK", gzip.compress(payload), {"Content-Encoding": "gzip"})
    with RawServer(behaviour) as server:
        result = run(send(server.url))

    assert result.response.body == payload
    assert result.response.size == len(payload)


@pytest.mark.parametrize(
    "compressed",
    ["789ccb48cdc9c95728cf2fca4901001a0b045d", "cb48cdc9c95728cf2fca490100"],
)
def test_deflate_zlib_and_raw(compressed):
    behaviour = respond(
        "200 OK", bytes.fromhex(compressed), {"Content-Encoding": "deflate"}
    )
    with RawServer(behaviour) as server:
        result = run(send(server.url))

    assert result.failure is None
    assert result.response.body == b"hello world"


def test_gzip_label_on_plain_body():
    behaviour = respond("200 OK", b"not gzip at all", {"Content-Encoding": "gzip"})
    with RawServer(behaviour) as server:
        result = run(send(server.url))

    assert result.failure.kind is FailureKind.DECODING
    assert result.response.status == 200
    assert result.response.body == b"not gzip at all"


def test_gzip_bomb_stops_at_cap():
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    behaviour = respond("200 OK", bomb, {"Content-Encoding": "gzip"})
    with RawServer(behaviour) as server:
        result = run(send(server.url, caps=SizeCaps(capture=64 * 1024)))

    assert result.response.truncated
    assert len(result.response.body) == 64 * 1024


async def cancelled_after(url: str, seconds: float) -> DeliveryResult:
    """Start a delivery to `url`, cancel it after `seconds` and return its result."""
    pool = ClientPool()
    handle = DeliveryHandle(
        OutgoingRequest(url=url, body=b"{}", content_type=JSON), pool
    )
    await asyncio.sleep(seconds)
    handle.cancel()
    result = await handle.result()
    await pool.aclose()
    return result


def test_cancelled_delivery_is_a_result():
    with RawServer(never_answer) as server:
        result = run(cancelled_after(server.url, 0.2))

    assert result.cancelled
    assert result.failure.message == "Cancelled before an answer arrived."


def test_cancel_mid_body_keeps_response():
    with RawServer(stall_mid_body) as server:
        result = run(cancelled_after(server.url, 0.5))

    assert result.cancelled
    assert "The body stopped after 10 bytes" in result.failure.message
    assert "Cancelled while the body arrived." in result.failure.message
    assert result.response.status == 200
    assert result.response.body == b"0123456789"


def test_request_as_sent_masks_authorization():
    with RawServer(respond("200 OK", b"")) as server:
        result = run(send(server.url, auth=BasicAuth("carol", "secret")))

    masked = dict(result.request.masked_headers())
    assert masked["Authorization"] == "Basic ********"
    assert result.request.header("authorization") == "Basic Y2Fyb2w6c2VjcmV0"
    assert masked["Host"] == f"127.0.0.1:{server.port}"


def test_url_credentials_sent_and_recorded():
    with RawServer(respond("200 OK", b"")) as server:
        url = f"http://url%20user:p%40ss@127.0.0.1:{server.port}/hook"
        result = run(send(url))

    received = server.requests[0].headers
    assert received["authorization"] == "Basic dXJsIHVzZXI6cEBzcw=="
    assert result.request.header("authorization") == "Basic dXJsIHVzZXI6cEBzcw=="
    assert "p%40ss" not in result.request.url
    assert dict(result.request.masked_headers())["Authorization"] == "Basic ********"


def test_webhook_credentials_win_over_url():
    with RawServer(respond("200 OK", b"")) as server:
        url = f"http://other:pw@127.0.0.1:{server.port}/hook"
        run(send(url, auth=BasicAuth("carol", "secret")))

    assert server.requests[0].headers["authorization"] == "Basic Y2Fyb2w6c2VjcmV0"
