"""Read a response body under the capture cap, decoding it while it arrives."""

import asyncio
import contextlib
import io

import httpx

from bchook_studio.core.delivery.content_encoding import (
    BodyDecoder,
    ContentDecodingError,
)

DECODE_STEP = 256 * 1024
"""Maximum decoded bytes produced in one synchronous step.

An estimate from one machine: inflating 256 KiB of a gzip bomb of zeros took
about 1 ms, and 1 MiB about 3 ms (2-core AMD EPYC, CPython 3.11, zlib
decompressobj with max_length). Steps of this size keep the event loop
responsive, and the yields between them add little to the reading time.
"""


class CappedBody:
    """Collects a streamed body, decoded, up to `cap` bytes.

    On a decoding problem the raw bytes are kept instead, so the user can still
    see what arrived. `feed` decodes a chunk in one call. Code on an event loop
    calls `receive` and then `decode_step` until it returns False, and yields
    between the steps, because one network chunk can inflate to the whole cap.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        self.truncated = False
        self.error: str | None = None
        self.interrupted: httpx.TransportError | None = None
        """The error that stopped the body before its end, if one did."""
        # BytesIO and not bytearray, because CPython's BytesIO.getvalue()
        # returns its buffer without copying it, so `body()` stays fast at 50 MiB.
        self._raw = io.BytesIO()
        self._raw_size = 0
        self._decoded = io.BytesIO()
        self._decoded_size = 0
        try:
            self._decoder: BodyDecoder | None = BodyDecoder(content_encoding)
        except ContentDecodingError as exc:
            self._decoder = None
            self.error = str(exc)

    def feed(self, chunk: bytes) -> bool:
        """Take one raw chunk and decode all of it. Return False once the cap is passed.

        The whole chunk is decoded before this returns, which can take hundreds
        of milliseconds for a compression bomb. `read_body` uses `receive` and
        `decode_step` instead.
        """
        self.receive(chunk)
        while self.decode_step():
            pass
        return not self.truncated

    def receive(self, chunk: bytes) -> None:
        """Keep one raw chunk and queue it for `decode_step`, without decoding it."""
        stored = self._raw.tell()
        if stored < self.cap:
            self._raw.write(chunk[: self.cap - stored])
        self._raw_size += len(chunk)

        if self._decoder is None or self.error is not None:
            self.truncated = self._raw_size > self.cap
            return
        self._decoder.queue(chunk)

    def decode_step(self) -> bool:
        """Decode at most `DECODE_STEP` bytes of the queued input.

        Return True while queued input waits for another step. Return False once
        it is all decoded, the cap is passed or decoding failed.
        """
        if self._decoder is None or self.error is not None:
            return False

        # One byte over the cap shows that the body is longer than the cap.
        room = self.cap - self._decoded_size + 1
        try:
            output = self._decoder.step(min(DECODE_STEP, room))
        except ContentDecodingError as exc:
            self.error = str(exc)
            self.truncated = self._raw_size > self.cap
            return False

        self._decoded_size += len(output)
        stored = self._decoded.tell()
        if stored < self.cap:
            self._decoded.write(output[: self.cap - stored])
        self.truncated = self._decoded_size > self.cap
        return not self.truncated and self._decoder.pending()

    def finish(self) -> None:
        """Check that the compressed stream was complete."""
        if self._decoder is None or self.error is not None or self.truncated:
            return
        try:
            self._decoder.finish()
        except ContentDecodingError as exc:
            self.error = str(exc)

    def body(self) -> tuple[bytes, int]:
        """Return the kept bytes and the size read: decoded, or raw after an error.

        The size read counts at most one byte over the cap. Input queued but not
        yet decoded, as after a cancel between two steps, is not in either.
        """
        # NOTE: after this call, the next write to the same buffer copies it
        # once, because the returned bytes object shares the buffer.
        if self.error is not None:
            return self._raw.getvalue(), self._raw_size
        return self._decoded.getvalue(), self._decoded_size

    @property
    def raw_size(self) -> int:
        """Bytes of the body received before content decoding.

        The count is of the message body as the server encoded it, without
        the chunk framing of a chunked transfer.
        """
        return self._raw_size

    @property
    def codings(self) -> tuple[str, ...]:
        """The content codings `body()` has decoded, such as ('gzip',).

        Empty when the body is kept as it arrived, because none was declared
        or decoding failed.
        """
        if self._decoder is None or self.error is not None:
            return ()
        return self._decoder.codings


def capped_body(response: httpx.Response, cap: int) -> CappedBody:
    """Return an empty CappedBody for the body of `response`."""
    return CappedBody(response.headers.get("content-encoding"), cap)


async def read_body(response: httpx.Response, collected: CappedBody) -> None:
    """Read the body of `response` into `collected`, under its capture cap.

    Each network chunk is decoded in steps of at most `DECODE_STEP` bytes, with
    a yield to the event loop between steps, so a compression bomb does not
    block the loop. A transport error while the body arrives (the connection
    reset or closed early, a read timeout) ends the reading: the bytes that did
    arrive are kept, and the error is in `interrupted`. When the task is
    cancelled, for example by the total deadline, the bytes that arrived stay
    in `collected`, though the last chunk may be only partly decoded.
    """
    try:
        async with contextlib.aclosing(response.aiter_raw()) as chunks:
            async for chunk in chunks:
                collected.receive(chunk)
                while collected.decode_step():
                    await asyncio.sleep(0)
                if collected.truncated:
                    break
            else:
                collected.finish()
    except httpx.TransportError as exc:
        collected.interrupted = exc
