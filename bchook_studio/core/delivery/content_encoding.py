"""Bounded decoding of Content-Encoding, so a compression bomb stops at the cap.

httpx's own decoders inflate each network chunk without a limit, so the body is
read raw and decoded here with zlib's `max_length`.
"""

import zlib


class ContentDecodingError(ValueError):
    """The body does not match the Content-Encoding the server declared."""


class _Identity:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data[:limit]

    def pending(self) -> bool:
        return False

    def finish(self) -> None:
        return None


class _Zlib:
    """gzip (`wbits=31`) or deflate: zlib-wrapped first, raw deflate as a fallback."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._wbits = 16 + zlib.MAX_WBITS if name == "gzip" else zlib.MAX_WBITS
        self._decompressor = zlib.decompressobj(self._wbits)
        self._started = False
        self._backlog = b""

    def feed(self, data: bytes, limit: int) -> bytes:
        """Return at most `limit` decoded bytes; the rest waits in the backlog."""
        data = self._backlog + data
        self._backlog = b""
        try:
            output = self._decompress(data, limit)
        except zlib.error as exc:
            if self._name == "deflate" and not self._started:
                # Some servers send raw deflate without the zlib wrapper.
                self._wbits = -zlib.MAX_WBITS
                self._decompressor = zlib.decompressobj(self._wbits)
                output = self._decompress_or_raise(data, limit)
            else:
                raise ContentDecodingError(
                    f"the body is not valid {self._name} data ({exc})"
                ) from exc
        self._started = True
        return output

    def _decompress_or_raise(self, data: bytes, limit: int) -> bytes:
        try:
            return self._decompress(data, limit)
        except zlib.error as exc:
            raise ContentDecodingError(
                f"the body is not valid deflate data ({exc})"
            ) from exc

    def _decompress(self, data: bytes, limit: int) -> bytes:
        output = self._decompressor.decompress(data, max(limit, 1))
        self._backlog = self._decompressor.unconsumed_tail
        if self._decompressor.eof and self._decompressor.unused_data:
            # A gzip stream may hold several members one after another.
            rest = self._decompressor.unused_data
            self._decompressor = zlib.decompressobj(self._wbits)
            self._backlog = rest + self._backlog
        return output

    def pending(self) -> bool:
        """True while decoded output is waiting for more room under the cap."""
        return bool(self._backlog)

    def finish(self) -> None:
        """Raise when the stream ended in the middle of compressed data."""
        if self._started and not self._decompressor.eof and not self._backlog:
            tail = self._decompressor.flush()
            if tail or not self._decompressor.eof:
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
        # Codings are listed in the order they were applied, so decode in reverse.
        self._stages = [
            _Zlib("gzip" if name == "x-gzip" else name) for name in reversed(names)
        ] or [_Identity()]

    def feed(self, data: bytes, limit: int) -> bytes:
        """Decode `data` and return at most `limit` bytes of the result."""
        for stage in self._stages:
            data = stage.feed(data, limit)
        return data

    def pending(self) -> bool:
        """True when more decoded bytes are waiting beyond the last limit."""
        return any(stage.pending() for stage in self._stages)

    def finish(self) -> None:
        """Check that every stage reached the end of its stream."""
        for stage in self._stages:
            stage.finish()
