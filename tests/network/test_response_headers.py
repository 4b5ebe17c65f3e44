"""Response header values decoded from the bytes a real loopback server sends."""

import asyncio
import socket

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.delivery.send import deliver
from tests.servers import RawServer, ReceivedRequest


def answer_with_headers(raw_headers: bytes):
    """Return a behaviour that responds 200 with `raw_headers` sent byte for byte."""

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + raw_headers
        conn.sendall(head + b"Connection: close\r\n\r\nok")
        conn.close()

    return behaviour


def send_to(url: str) -> DeliveryResult:
    async def run() -> DeliveryResult:
        pool = ClientPool()
        try:
            request = OutgoingRequest(url, b"{}", "application/json")
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    return asyncio.run(run())


def test_utf8_header_value_decoded():
    raw = "X-U: ö €\r\n".encode()
    with RawServer(answer_with_headers(raw)) as server:
        result = send_to(server.url)

    assert result.ok, result.failure
    assert result.response.header("X-U") == "ö €"


def test_latin1_header_value_fallback():
    raw = "X-L: café\r\n".encode("latin-1")
    with RawServer(answer_with_headers(raw)) as server:
        result = send_to(server.url)

    assert result.ok, result.failure
    assert result.response.header("X-L") == "café"


def test_each_header_decoded_alone():
    raw = "X-U: ö\r\n".encode() + "X-L: café\r\n".encode("latin-1")
    with RawServer(answer_with_headers(raw)) as server:
        result = send_to(server.url)

    assert result.response.header("X-U") == "ö"
    assert result.response.header("X-L") == "café"
