"""Bounded decoding of Content-Encoding, so a compression bomb stops at the cap.

httpx's own decoders inflate each network chunk without a limit, so the body is
read raw and decoded here with zlib's `max_length`. A chain of codings such as
`gzip, gzip` is decoded stage by stage. Each stage receives the output of the
stage before in steps of at most 64 KiB, so no stage produces more than 64 KiB,
or the caller's limit for the last stage, at a time.
"""

import logging
import zlib

logger = logging.getLogger(__name__)

_INTERMEDIATE_STEP = 64 * 1024
_FALLBACK_PREFIX_MAX = 64 * 1024


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
        self._pending = b""
        self._member_input = 0
        self._members = 0
        self._produced = False
        self._prefix = b""
        self._ignoring = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Return at most `limit` decoded bytes; the rest of the input waits."""
        self._pending += data
        output = bytearray()
        while self._pending and len(output) < limit and not self._ignoring:
            if self._decompressor.eof:
                self._next_member()
                continue
            chunk, self._pending = self._pending, b""
            output += self._step(chunk, limit - len(output))
        if self._ignoring:
            self._pending = b""
        return bytes(output)

    def _next_member(self) -> None:
        self._members += 1
        if self._name != "gzip":
            logger.debug(
                "ignored %d bytes after the deflate stream", len(self._pending)
            )
            self._ignoring = True
            return
        self._decompressor = zlib.decompressobj(self._wbits)
        self._member_input = 0

    def _step(self, chunk: bytes, room: int) -> bytes:
        try:
            output = self._decompressor.decompress(chunk, room)
        except zlib.error as exc:
            return self._recover(chunk, room, exc)

        consumed = len(chunk) - len(self._decompressor.unconsumed_tail)
        self._member_input += consumed
        if not self._produced and len(self._prefix) < _FALLBACK_PREFIX_MAX:
            self._prefix += chunk[:consumed]
        self._produced = self._produced or bool(output)
        self._pending = self._decompressor.unconsumed_tail + self._pending
        if self._decompressor.eof:
            self._pending = self._decompressor.unused_data + self._pending
        return output

    def _recover(self, chunk: bytes, room: int, exc: zlib.error) -> bytes:
        if self._members and self._member_input == 0:
            # Bytes after a complete gzip member that do not start another one.
            logger.debug("ignored %d bytes after the last gzip member", len(chunk))
            self._ignoring = True
            return b""
        fallback_possible = (
            self._name == "deflate"
            and self._wbits > 0
            and not self._produced
            and len(self._prefix) < _FALLBACK_PREFIX_MAX
        )
        if not fallback_possible:
            raise ContentDecodingError(
                f"the body is not valid {self._name} data ({exc})"
            ) from exc
        self._wbits = -zlib.MAX_WBITS
        self._decompressor = zlib.decompressobj(self._wbits)
        replay, self._prefix, self._member_input = self._prefix + chunk, b"", 0
        return self._step(replay, room)

    def pending(self) -> bool:
        """True while input waits because the last output reached the limit."""
        return bool(self._pending) and not self._ignoring

    def finish(self) -> None:
        """Raise when the stream ended in the middle of compressed data."""
        if self._ignoring or self._decompressor.eof:
            return
        if self._member_input or self._pending:
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
        """Decode `data` and return at most `limit` bytes of the result."""
        self._stages[0].feed(data, 0)
        return self._pull(len(self._stages) - 1, limit)

    def _pull(self, index: int, limit: int) -> bytes:
        """Return up to `limit` bytes from stage `index`, fed by the stages before."""
        stage = self._stages[index]
        output = bytearray(stage.feed(b"", limit))
        while index > 0 and len(output) < limit:
            upstream = self._pull(index - 1, _INTERMEDIATE_STEP)
            if not upstream:
                break
            output += stage.feed(upstream, limit - len(output))
        return bytes(output)

    def pending(self) -> bool:
        """True when more decoded bytes are waiting beyond the last limit."""
        return any(stage.pending() for stage in self._stages)

    def finish(self) -> None:
        """Check that every stage reached the end of its stream."""
        for stage in self._stages:
            stage.finish()
