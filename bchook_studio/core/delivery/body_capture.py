"""Read a response body under the capture cap, decoding it while it arrives."""

import contextlib

import httpx

from bchook_studio.core.delivery.content_encoding import (
    BodyDecoder,
    ContentDecodingError,
)


class CappedBody:
    """Collects a streamed body, decoded, up to `cap` bytes.

    On a decoding problem the raw bytes are kept instead, so the user can still
    see what arrived.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        self.truncated = False
        self.error: str | None = None
        self.interrupted: httpx.TransportError | None = None
        """The error that stopped the body before its end, if one did."""
        self._raw = bytearray()
        self._raw_size = 0
        self._decoded = bytearray()
        self._decoded_size = 0
        try:
            self._decoder: BodyDecoder | None = BodyDecoder(content_encoding)
        except ContentDecodingError as exc:
            self._decoder = None
            self.error = str(exc)

    def feed(self, chunk: bytes) -> bool:
        """Take one raw chunk; return False once the cap is passed."""
        self._raw += chunk[: max(self.cap - len(self._raw), 0)]
        self._raw_size += len(chunk)

        if self._decoder is not None and self.error is None:
            try:
                output = self._decoder.feed(chunk, self.cap - self._decoded_size + 1)
            except ContentDecodingError as exc:
                self.error = str(exc)
            else:
                self._decoded += output
                self._decoded_size += len(output)
                self.truncated = (
                    self._decoded_size > self.cap or self._decoder.pending()
                )
                return not self.truncated

        self.truncated = self._raw_size > self.cap
        return not self.truncated

    def finish(self) -> None:
        """Check that the compressed stream was complete."""
        if self._decoder is None or self.error is not None or self.truncated:
            return
        try:
            self._decoder.finish()
        except ContentDecodingError as exc:
            self.error = str(exc)

    def body(self) -> tuple[bytes, int]:
        """Return the kept bytes and the size read: decoded, or raw after an error."""
        if self.error is not None:
            return bytes(self._raw), self._raw_size
        return bytes(self._decoded[: self.cap]), self._decoded_size

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

    A transport error while the body arrives (the connection reset or closed
    early, a read timeout) ends the reading: the bytes that did arrive are
    kept, and the error is in `interrupted`. When the task is cancelled, for
    example by the total deadline, the bytes that arrived stay in `collected`.
    """
    try:
        async with contextlib.aclosing(response.aiter_raw()) as chunks:
            async for chunk in chunks:
                if not collected.feed(chunk):
                    break
            else:
                collected.finish()
    except httpx.TransportError as exc:
        collected.interrupted = exc
