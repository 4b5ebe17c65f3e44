"""Body capture in bounded steps: bombs never block the event loop, bodies stay exact.

Bombs go through `deliver` and a real server on 127.0.0.1. Exact chunk
boundaries, such as 1-byte chunks, come from an httpx.Response over a stream
that yields the chunks given, because TCP on loopback merges small writes.
"""

import asyncio
import gzip
import time
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from bchook_studio.core.caps import MIB, SizeCaps
from bchook_studio.core.delivery.body_capture import (
    DECODE_STEP,
    CappedBody,
    read_body,
)
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.content_encoding import BodyDecoder
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.send import deliver
from tests.servers import RawServer, respond

CAP = SizeCaps().capture
JSON = "application/json"
MAX_GAP_SECONDS = 0.05
"""Maximum CPU time the loop's thread may spend between two 5 ms heartbeats.

Each decoding step takes about 1 ms, so 50 ms leaves a wide margin, while
decoding a whole network chunk of a bomb in one step (about 300 ms) fails.
"""

EMPTY_MEMBER = gzip.compress(b"", mtime=0)

TEXT = b"".join(
    b'{"id": %d, "event": "order.paid", "amount": %d}\n' % (i, i * 37 % 1000)
    for i in range(20_000)
)
"""About 900 KiB of JSON lines, so decoding it takes several steps."""


def compressed_zeros(wbits: int, size: int) -> bytes:
    """Return `size` zero bytes compressed with zlib, without building them whole."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(size // MIB)]
    parts.append(compressor.flush())
    return b"".join(parts)


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return compressed_zeros(16 + zlib.MAX_WBITS, 200 * MIB)


@pytest.fixture(scope="module")
def deflate_bomb() -> bytes:
    return compressed_zeros(zlib.MAX_WBITS, 200 * MIB)


async def longest_gap(coroutine) -> tuple[float, object]:
    """Run `coroutine` and return the longest gap between heartbeats, and its result.

    The heartbeat sleeps 5 ms at a time, so a gap near 5 ms means the loop was
    never blocked. Gaps are measured in CPU time of the loop's thread, so time
    in which the operating system runs other processes does not count.
    """
    gaps = [0.0]
    done = False

    async def heartbeat() -> None:
        last = time.thread_time()
        while not done:
            await asyncio.sleep(0.005)
            now = time.thread_time()
            gaps.append(now - last)
            last = now

    beat = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)
    try:
        result = await coroutine
    finally:
        done = True
        await beat
    return max(gaps), result


def deliver_measured(url: str, warm_url: str) -> tuple[float, object]:
    """Deliver to `url` under a heartbeat, after a first delivery to `warm_url`.

    The first delivery of a process imports modules and builds the TLS context,
    which blocks the loop once and has nothing to do with the body.
    """

    async def scenario() -> tuple[float, object]:
        pool = ClientPool()
        try:
            warm_request = OutgoingRequest(url=warm_url, body=b"{}", content_type=JSON)
            await deliver(warm_request, pool)
            request = OutgoingRequest(url=url, body=b"{}", content_type=JSON)
            return await longest_gap(deliver(request, pool))
        finally:
            await pool.aclose()

    return asyncio.run(scenario())


class ChunkStream(httpx.AsyncByteStream):
    """A response body that arrives in exactly the chunks given.

    After the chunks, the stream raises `error` if one is given, or waits
    forever if `stall` is true.
    """

    def __init__(
        self,
        chunks: list[bytes],
        error: Exception | None = None,
        stall: bool = False,
    ) -> None:
        self._chunks = chunks
        self._error = error
        self._stall = stall

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._error is not None:
            raise self._error
        if self._stall:
            await asyncio.Event().wait()


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def read_chunks(
    chunks: list[bytes], encoding: str, cap: int = CAP, error: Exception | None = None
) -> CappedBody:
    """Run `read_body` over a response whose body arrives as `chunks`."""
    response = httpx.Response(
        200,
        headers={"Content-Encoding": encoding},
        stream=ChunkStream(chunks, error),
    )
    collected = CappedBody(encoding, cap)
    asyncio.run(read_body(response, collected))
    return collected


@pytest.mark.parametrize(
    ("encoding", "bomb"), [("gzip", "gzip_bomb"), ("deflate", "deflate_bomb")]
)
def test_bomb_keeps_loop_responsive(encoding, bomb, request):
    body = request.getfixturevalue(bomb)
    behaviour = respond("200 OK", body, {"Content-Encoding": encoding})
    with (
        RawServer(behaviour) as server,
        RawServer(respond("200 OK", b"ok")) as warm,
    ):
        gap, result = deliver_measured(server.url, warm.url)

    assert gap < MAX_GAP_SECONDS
    assert result.failure is None
    assert result.response.truncated
    assert result.response.size == CAP + 1
    assert len(result.response.body) == CAP
    assert result.response.body.startswith(bytes(64 * 1024))
    assert result.response.body == bytes(CAP)


def test_empty_members_keep_loop_responsive():
    # Decoding `gzip, gzip` yields 4 MiB of empty gzip members, about 200,000
    # members that each inflate to nothing, so the cap never stops them.
    inner = EMPTY_MEMBER * (4 * MIB // len(EMPTY_MEMBER))
    behaviour = respond(
        "200 OK", gzip.compress(inner), {"Content-Encoding": "gzip, gzip"}
    )
    with (
        RawServer(behaviour) as server,
        RawServer(respond("200 OK", b"ok")) as warm,
    ):
        gap, result = deliver_measured(server.url, warm.url)

    assert gap < MAX_GAP_SECONDS
    assert result.failure is None
    assert result.response.size == 0
    assert not result.response.truncated


def test_decode_step_output_bounded(gzip_bomb):
    collected = CappedBody("gzip", 4 * MIB)
    collected.receive(gzip_bomb[: 64 * 1024])

    sizes = []
    more = True
    while more:
        before = collected.body()[1]
        more = collected.decode_step()
        sizes.append(collected.body()[1] - before)

    assert max(sizes) <= DECODE_STEP
    assert len(sizes) > 4 * MIB // DECODE_STEP
    assert collected.truncated
    assert collected.body() == (bytes(4 * MIB), 4 * MIB + 1)


def test_decode_step_splits_empty_members():
    collected = CappedBody("gzip, gzip", CAP)
    inner = EMPTY_MEMBER * (MIB // len(EMPTY_MEMBER))
    collected.receive(gzip.compress(inner))

    steps = 1
    while collected.decode_step():
        steps += 1
    collected.finish()

    assert steps > 100
    assert collected.error is None
    assert collected.body() == (b"", 0)


@pytest.mark.parametrize("size", [1, 7, 4096, 65536])
@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
    ],
)
def test_read_body_exact_in_any_chunks(encoding, encode, size):
    encoded = encode(TEXT)
    collected = read_chunks(split(encoded, size), encoding)

    assert collected.error is None
    assert collected.interrupted is None
    assert not collected.truncated
    assert collected.raw_size == len(encoded)
    assert collected.body() == (TEXT, len(TEXT))


@pytest.mark.parametrize("limit", [1, 3, 1000, DECODE_STEP])
@pytest.mark.parametrize(
    ("encoding", "encode"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", raw_deflate)],
)
def test_decoder_steps_exact_at_any_limit(encoding, encode, limit):
    text = TEXT[:20_000]
    decoder = BodyDecoder(encoding)
    decoder.queue(encode(text))

    output = bytearray()
    while decoder.pending():
        output += decoder.step(limit)
    decoder.finish()

    assert output == text


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_delivered_body_exact(encoding):
    payload = TEXT * 3
    encoded = gzip.compress(payload) if encoding == "gzip" else zlib.compress(payload)
    behaviour = respond("200 OK", encoded, {"Content-Encoding": encoding})

    async def scenario() -> object:
        pool = ClientPool()
        try:
            request = OutgoingRequest(url=server.url, body=b"{}", content_type=JSON)
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    with RawServer(behaviour) as server:
        result = asyncio.run(scenario())

    assert result.failure is None
    assert not result.response.truncated
    assert result.response.size == len(payload)
    assert result.response.body == payload


def test_chain_bomb_stops_at_cap(gzip_bomb):
    collected = read_chunks(split(gzip.compress(gzip_bomb), 65536), "gzip, gzip")

    assert collected.truncated
    assert collected.error is None
    assert collected.body() == (bytes(CAP), CAP + 1)


def test_corrupt_gzip_keeps_raw():
    encoded = bytearray(gzip.compress(TEXT))
    encoded[len(encoded) // 2 : len(encoded) // 2 + 64] = bytes(64)
    collected = read_chunks(split(bytes(encoded), 4096), "gzip")

    assert "not valid gzip data" in collected.error
    assert collected.codings == ()
    assert not collected.truncated
    assert collected.body() == (bytes(encoded), len(encoded))


def test_transport_error_keeps_decoded_part():
    encoded = gzip.compress(TEXT)
    chunks = split(encoded[: len(encoded) // 2], 4096)
    collected = read_chunks(chunks, "gzip", error=httpx.ReadError("reset"))
    body, size = collected.body()

    assert isinstance(collected.interrupted, httpx.ReadError)
    assert collected.error is None
    assert collected.raw_size == sum(len(chunk) for chunk in chunks)
    assert size > 0
    assert TEXT.startswith(body)


def test_cancel_between_steps_keeps_bytes(gzip_bomb):
    chunk = gzip_bomb[: 64 * 1024]
    response = httpx.Response(
        200,
        headers={"Content-Encoding": "gzip"},
        stream=ChunkStream([chunk], stall=True),
    )
    collected = CappedBody("gzip", 16 * MIB)

    async def scenario() -> None:
        reading = asyncio.create_task(read_body(response, collected))
        for _ in range(10):
            await asyncio.sleep(0)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading

    asyncio.run(scenario())
    body, size = collected.body()

    assert collected.raw_size == len(chunk)
    assert 0 < size < 16 * MIB
    assert body == bytes(size)
    assert not collected.truncated
    assert collected.interrupted is None


def test_body_shares_buffer():
    # CPython's BytesIO.getvalue() returns its buffer without a copy, which keeps
    # `body()` of a 50 MiB capture from blocking the loop.
    collected = CappedBody("gzip", CAP)
    collected.feed(gzip.compress(TEXT))

    assert collected.body()[0] is collected.body()[0]
