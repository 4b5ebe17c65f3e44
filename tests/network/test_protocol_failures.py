"""Responses that h11 rejects: a head over the limit, HTTP/2 and other bytes.

Each test sends a real delivery to a loopback server that responds badly on
purpose, and checks the failure kind, the message and the library's detail.
"""

import asyncio
import socket

import httpcore

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.failures import RESPONSE_HEAD_LIMIT
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.delivery.send import deliver
from tests.network.servers import AnswerAnything
from tests.servers import RawServer, ReceivedRequest

_SETTINGS = 0x4
_GOAWAY = 0x7
_PROTOCOL_ERROR = 0x1


def _frame(frame_type: int, payload: bytes) -> bytes:
    """Return an HTTP/2 frame on stream 0 with no flags."""
    header = len(payload).to_bytes(3, "big") + bytes([frame_type, 0])
    return header + (0).to_bytes(4, "big") + payload


def _setting(identifier: int, value: int) -> bytes:
    return identifier.to_bytes(2, "big") + value.to_bytes(4, "big")


H2C_BYTES = _frame(
    _SETTINGS,
    _setting(0x3, 100) + _setting(0x4, 65535) + _setting(0x5, 16384),
) + _frame(_GOAWAY, (0).to_bytes(4, "big") + _PROTOCOL_ERROR.to_bytes(4, "big"))
"""Bytes that an HTTP/2-only server may send to an HTTP/1.1 request: SETTINGS,
then GOAWAY with PROTOCOL_ERROR."""


def send(url: str) -> DeliveryResult:
    """Deliver a JSON webhook to `url` with a pool of its own."""

    async def deliver_once() -> DeliveryResult:
        pool = ClientPool()
        try:
            request = OutgoingRequest(
                url=url, body=b"{}", content_type="application/json"
            )
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    return asyncio.run(deliver_once())


def send_to_raw(response: bytes) -> DeliveryResult:
    """Deliver to a server that sends `response` whatever the request is."""
    with AnswerAnything(response) as server:
        return send(f"http://127.0.0.1:{server.port}/hook")


def huge_head(conn: socket.socket, request: ReceivedRequest) -> None:
    """Respond with a status line and 20,000 header lines (about 460 KB)."""
    lines = [b"HTTP/1.1 200 OK"]
    lines += [b"X-Filler-%05d: value" % number for number in range(20_000)]
    lines += [b"Content-Length: 0", b"", b""]
    conn.sendall(b"\r\n".join(lines))
    conn.close()


def test_head_limit_matches_httpcore():
    limit = httpcore.AsyncHTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE

    assert limit == RESPONSE_HEAD_LIMIT


def test_huge_head_names_limit():
    with RawServer(huge_head) as server:
        result = send(server.url)
    failure = result.failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert f"The response head from 127.0.0.1:{server.port}" in failure.message
    assert "larger than the 100 KiB limit of the HTTP client" in failure.message
    assert "too many or too long header lines" in failure.message
    assert "Check the response headers" in failure.message
    assert failure.detail == "RemoteProtocolError: Receive buffer too long"


def test_h2c_bytes_name_http2():
    failure = send_to_raw(H2C_BYTES).failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert "did not respond with HTTP/1.1" in failure.message
    assert "starts with a control byte or a space" in failure.message
    assert "only HTTP/2 on this port (h2c with prior knowledge)" in failure.message
    assert "point the URL at an HTTP/1.1 endpoint" in failure.message
    assert failure.detail == "RemoteProtocolError: illegal request line"


def test_h2_preface_named():
    response = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + H2C_BYTES
    failure = send_to_raw(response).failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert "the HTTP/2 connection preface 'PRI * HTTP/2.0'" in failure.message
    assert "the server expects HTTP/2 on this port" in failure.message
    assert "point the URL at an HTTP/1.1 endpoint" in failure.message
    assert "illegal status line" in failure.detail


def test_settings_frame_shows_bytes():
    # An initial window of 0x000a0a00 bytes puts b"\n\n" in the payload, so
    # h11 reads the frame as a head and quotes its first line.
    response = _frame(_SETTINGS, _setting(0x4, 0x000A0A00))
    failure = send_to_raw(response).failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert "an HTTP/2 SETTINGS frame" in failure.message
    assert "(first bytes 00 00 06 04 00 00 00 00 00)" in failure.message
    assert "the server expects HTTP/2 on this port" in failure.message
    assert "illegal status line" in failure.detail


def test_ssh_banner_quotes_line():
    failure = send_to_raw(b"SSH-2.0-OpenSSH_9.6\r\nHello\r\n\r\n").failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert "its first line 'SSH-2.0-OpenSSH_9.6' is not valid" in failure.message
    assert "HTTP/2" not in failure.message
    assert "Check that the port in the URL belongs to" in failure.message
    assert "SSH-2.0-OpenSSH_9.6" in failure.detail


def test_long_first_line_shortened():
    failure = send_to_raw(b"Z" * 5000 + b"\r\n\r\n").failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert "'" + "Z" * 80 + "'..." in failure.message
    assert "Z" * 81 not in failure.message
    assert "Z" * 5000 in failure.detail


def test_switching_protocols_explained():
    response = (
        b"HTTP/1.1 101 Switching Protocols\r\n"
        b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    )
    failure = send_to_raw(response).failure

    assert failure is not None
    assert failure.kind is FailureKind.PROTOCOL
    assert "responded 101 Switching Protocols" in failure.message
    assert "final status such as 200" in failure.message
    assert "_SWITCH_UPGRADE" in failure.detail
