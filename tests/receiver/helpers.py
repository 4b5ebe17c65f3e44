"""Shared pieces of the receiver tests: a live receiver and raw HTTP over sockets."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from bchook_studio.core.receiver import Receiver, ReceiverLimits, ReceiverSettings


def run(coroutine: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
    """Run `coroutine` on a new loop, bounded in time, and fail on leftover tasks."""

    async def guarded() -> Any:
        async with asyncio.timeout(timeout):
            result = await coroutine
        leftovers = [
            task for task in asyncio.all_tasks() if task is not asyncio.current_task()
        ]
        assert leftovers == []
        return result

    return asyncio.run(guarded())


@contextlib.asynccontextmanager
async def running(**settings: Any) -> AsyncIterator[Receiver]:
    """Start a receiver on 127.0.0.1 and a free port, and stop it afterwards."""
    settings.setdefault("port", 0)
    receiver = Receiver(ReceiverSettings(**settings))
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


def small_limits(**overrides: Any) -> ReceiverLimits:
    """Return limits small enough for a test to pass them quickly."""
    values: dict[str, Any] = {
        "max_body": 64 * 1024,
        "max_header_size": 16 * 1024,
        "max_kept_bytes": 1024 * 1024,
    }
    values.update(overrides)
    return ReceiverLimits(**values)


def client(**options: Any) -> httpx.AsyncClient:
    """Return an httpx client that ignores proxy settings, with short timeouts."""
    options.setdefault("timeout", 10.0)
    return httpx.AsyncClient(trust_env=False, **options)


@dataclass
class RawResponse:
    status: int
    head: bytes
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode("latin-1")
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == wanted:
                return value.strip().decode("latin-1")
        return None


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    """Read one response with a Content-Length body (or none) from `reader`."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    response = RawResponse(status, head, b"")
    length = int(response.header("content-length") or 0)
    if length:
        response.body = await reader.readexactly(length)
    return response


@contextlib.asynccontextmanager
async def raw_connection(
    receiver: Receiver,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """Open a plain TCP connection to the receiver and close it afterwards."""
    host, port = receiver.address
    reader, writer = await asyncio.open_connection(host, port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def send_raw(receiver: Receiver, data: bytes) -> RawResponse:
    """Send `data` on a new connection and read one response."""
    async with raw_connection(receiver) as (reader, writer):
        writer.write(data)
        await writer.drain()
        return await read_response(reader)


async def wait_for_requests(receiver: Receiver, count: int) -> None:
    """Wait until the receiver's log contains `count` requests."""
    while len(receiver.log) < count:
        await asyncio.sleep(0.01)
