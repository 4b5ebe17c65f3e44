"""A small HTTP/1.1 server on 127.0.0.1 that responds to every request at once.

It runs in its own process, so the sender measured does not share a CPU core's
time slices or the GIL with it. It reads each request's body (Content-Length
only), responds 200 with a short JSON body, and keeps the connection open. It
prints `PORT <number>` when it listens. It exits when its stdin closes or after
MAX_SECONDS.
"""

import asyncio
import contextlib
import sys

MAX_SECONDS = 900.0
RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 17\r\n"
    b"\r\n"
    b'{"received":true}'
)
MAX_HEADER_BYTES = 64 * 1024


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._answer_one():
            pass

    def _answer_one(self) -> bool:
        """Respond to the first complete request in the buffer.

        Returns False when the buffer contains no complete request.
        """
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEADER_BYTES:
                self._close()
            return False
        length = _content_length(bytes(self._buffer[:end]))
        total = end + 4 + length
        if len(self._buffer) < total:
            return False
        del self._buffer[:total]
        assert self._transport is not None
        self._transport.write(RESPONSE)
        return True

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


async def _serve() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stdin_closed, MAX_SECONDS)
    server.close()


if __name__ == "__main__":
    asyncio.run(_serve())
