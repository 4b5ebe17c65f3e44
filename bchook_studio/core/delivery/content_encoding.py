"""Bounded decoding of Content-Encoding, so a compression bomb stops at the cap.

httpx's own decoders inflate each network chunk without a limit, so the body is
read raw and decoded here with zlib's `max_length`. A chain of codings such as
`gzip, gzip` is decoded stage by stage.

Decoding runs in steps of bounded work, so a caller on an event loop can yield
between them. In one step each stage makes at most `_ROUNDS_PER_FEED` zlib calls
with at most `_INPUT_STEP` input bytes each. An intermediate stage produces at
most 64 KiB per step, and the last stage at most the caller's limit. Input that
does not fit in a step stays queued until the next one.
"""

import logging
import zlib

logger = logging.getLogger(__name__)

_INTERMEDIATE_STEP = 64 * 1024
_FALLBACK_PREFIX_MAX = 64 * 1024

_INPUT_STEP = 16 * 1024
"""Maximum encoded bytes passed to zlib in one call."""

_ROUNDS_PER_FEED = 256
"""Maximum zlib calls in one step of one stage.

This bounds the work on input that decodes to little or nothing, such as
thousands of empty gzip members, which the output limit does not bound.
"""


class ContentDecodingError(ValueError):
    """The body does not match the Content-Encoding the server declared."""


class _Identity:
    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes, limit: int) -> bytes:
        data = self._pending + data
        self._pending = data[limit:]
        return data[:limit]

    def pending(self) -> bool:
        return bool(self._pending)

    def finish(self) -> None:
        return None


class _Zlib:
    """gzip or deflate under an output limit.

    A gzip body may contain several members one after another. Bytes after the
    last complete member that do not start a new member are ignored, as
    browsers do. deflate is tried zlib-wrapped first, then as raw deflate,
    because some servers send it without the wrapper.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._wbits = 16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS
        self._decompressor = zlib.decompressobj(self._wbits)
        # Queued input is `_pending[_offset:]`. Moving the offset, and not
        # slicing, keeps each gzip member of a body from copying the rest.
        self._pending = b""
        self._offset = 0
        self._member_input = 0
        self._members = 0
        self._produced = False
        self._prefix = b""
        self._ignoring = False
        self._output_waiting = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Queue `data` and return at most `limit` decoded bytes from one step.

        A limit of 0 only queues. Input that the step leaves waits for the next
        call, and `pending()` reports it.
        """
        if data:
            self._pending = self._pending[self._offset :] + data
            self._offset = 0

        pieces: list[bytes] = []
        produced = 0
        for _ in range(_ROUNDS_PER_FEED):
            if produced >= limit or not self.pending():
                break
            if self._decompressor.eof:
                self._next_member()
                continue
            piece = self._step(limit - produced)
            pieces.append(piece)
            produced += len(piece)

        if self._ignoring or self._offset == len(self._pending):
            self._pending, self._offset = b"", 0
        return b"".join(pieces)

    def _queued(self) -> int:
        return len(self._pending) - self._offset

    def _next_member(self) -> None:
        self._members += 1
        if self._name != "gzip":
            logger.debug("ignored %d bytes after the deflate stream", self._queued())
            self._ignoring = True
            return
        self._decompressor = zlib.decompressobj(self._wbits)
        self._member_input = 0

    def _step(self, room: int) -> bytes:
        """Decode up to `_INPUT_STEP` queued bytes into at most `room` bytes."""
        end = self._offset + _INPUT_STEP
        with memoryview(self._pending)[self._offset : end] as chunk:
            try:
                output = self._decompressor.decompress(chunk, room)
            except zlib.error as exc:
                return self._recover(exc)

            consumed = len(chunk) - len(self._decompressor.unconsumed_tail)
            if self._decompressor.eof:
                consumed -= len(self._decompressor.unused_data)
            if self._fallback_possible():
                self._prefix += chunk[:consumed]
        self._offset += consumed
        self._member_input += consumed
        self._produced = self._produced or bool(output)

        # zlib.h states that when inflate() fills the output buffer, more output
        # may be pending even with no input left, so one more call is due then.
        self._output_waiting = len(output) == room and not self._decompressor.eof
        return output

    def _recover(self, exc: zlib.error) -> bytes:
        if self._members and self._member_input == 0:
            # Bytes after a complete gzip member that do not start another one.
            logger.debug("ignored %d bytes after the last gzip member", self._queued())
            self._ignoring = True
            return b""
        if not self._fallback_possible():
            raise ContentDecodingError(
                f"the body is not valid {self._name} data ({exc})"
            ) from exc

        # Decode the whole stream again from its first byte, as raw deflate.
        self._wbits = -zlib.MAX_WBITS
        self._decompressor = zlib.decompressobj(self._wbits)
        self._pending = self._prefix + self._pending[self._offset :]
        self._offset, self._prefix, self._member_input = 0, b"", 0
        return b""

    def _fallback_possible(self) -> bool:
        """True while a deflate body can still turn out to be raw deflate."""
        return (
            self._name == "deflate"
            and self._wbits > 0
            and not self._produced
            and len(self._prefix) < _FALLBACK_PREFIX_MAX
        )

    def pending(self) -> bool:
        """True while queued input or held-back output waits for another step."""
        waiting = self._queued() > 0 or self._output_waiting
        return waiting and not self._ignoring

    def finish(self) -> None:
        """Raise when the stream ended in the middle of compressed data."""
        if self._ignoring or self._decompressor.eof:
            return
        if self._member_input or self._queued():
            raise ContentDecodingError(f"the {self._name} stream is incomplete")


class BodyDecoder:
    """Decodes a chain of content codings under a byte limit."""

    def __init__(self, content_encoding: str | None) -> None:
        names = [
            name.strip().lower()
            for name in (content_encoding or "").split(",")
            if name.strip() and name.strip().lower() != "identity"
        ]
        unsupported = [n for n in names if n not in {"gzip", "x-gzip", "deflate"}]
        if unsupported:
            raise ContentDecodingError(
                f"the Content-Encoding {unsupported[0]!r} is not supported; "
                "Hook Studio decodes gzip and deflate"
            )
        self.codings = tuple(names)
        """The codings decoded, in the order the server applied them. Empty
        when none or only `identity` was declared."""

        # Codings are listed in the order they were applied, so decode in reverse.
        self._stages: list[_Identity | _Zlib] = [
            _Zlib("gzip" if name == "x-gzip" else name) for name in reversed(names)
        ] or [_Identity()]

    def feed(self, data: bytes, limit: int) -> bytes:
        """Queue `data` and return at most `limit` decoded bytes from one step."""
        self.queue(data)
        return self.step(limit)

    def queue(self, data: bytes) -> None:
        """Queue encoded `data` without decoding any of it."""
        self._stages[0].feed(data, 0)

    def step(self, limit: int) -> bytes:
        """Decode one step of bounded work and return at most `limit` bytes.

        A step can return fewer than `limit` bytes, or none, while input is
        still queued. Call it again while `pending()` is true.
        """
        # The step starts at the last stage that has work queued, so the
        # stages before it run only when it has used up its input.
        last = len(self._stages) - 1
        start = 0
        for index in range(last, 0, -1):
            if self._stages[index].pending():
                start = index
                break

        output = b""
        for index in range(start, last + 1):
            stage_limit = limit if index == last else _INTERMEDIATE_STEP
            output = self._stages[index].feed(output, stage_limit)
        return output

    def pending(self) -> bool:
        """True while a stage has queued input or output that needs another step."""
        return any(stage.pending() for stage in self._stages)

    def finish(self) -> None:
        """Check that every stage reached the end of its stream."""
        for stage in self._stages:
            stage.finish()
