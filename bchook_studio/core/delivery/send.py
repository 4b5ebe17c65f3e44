"""Send one webhook and return what happened, as a result and never as an exception.

The send is a chain of small steps: check the URL, build the headers, send,
read the body under the capture cap, and build the result.
"""

import asyncio
import logging
import time
from datetime import UTC, datetime

import httpx

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.content_encoding import (
    BodyDecoder,
    ContentDecodingError,
)
from bchook_studio.core.delivery.failures import classify
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.proxies import resolve_proxy
from bchook_studio.core.delivery.request import OutgoingRequest, RequestProblem
from bchook_studio.core.delivery.result import (
    DeliveryResult,
    Failure,
    ReceivedResponse,
    SentRequest,
)
from bchook_studio.core.delivery.urls import InvalidUrlError, check_url

logger = logging.getLogger(__name__)


class _Clock:
    """Wall-clock start time and monotonic elapsed milliseconds."""

    def __init__(self) -> None:
        self.started_at = datetime.now(UTC)
        self._start = time.perf_counter()

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self._start) * 1000


async def deliver(
    request: OutgoingRequest,
    pool: ClientPool,
) -> DeliveryResult:
    """Send `request` and return the result; failures are results too.

    Cancelling the task that runs this coroutine cancels the exchange and
    raises CancelledError as usual; `DeliveryHandle` turns that into a result.
    """
    clock = _Clock()

    try:
        url = check_url(request.url)
        headers = request.wire_headers()
    except InvalidUrlError as exc:
        failure = Failure(FailureKind.INVALID_URL, str(exc))
        return _failed(request, clock, failure)
    except RequestProblem as exc:
        failure = Failure(FailureKind.INVALID_REQUEST, _sentence(str(exc)))
        return _failed(request, clock, failure)

    client = pool.client_for(resolve_proxy(str(url), request.proxy), request.tls)
    timeout = httpx.Timeout(request.timeouts.operation)
    http_request = client.build_request(
        request.method, url, content=request.body, headers=headers, timeout=timeout
    )
    sent = _sent_request(http_request, request)

    try:
        async with asyncio.timeout(request.timeouts.total):
            return await _exchange(client, http_request, sent, request, clock)
    except TimeoutError:
        failure = Failure(
            FailureKind.TOTAL_TIMEOUT,
            f"The exchange with {url.host} did not finish within the total "
            f"deadline of {request.timeouts.total:g} s. Raise the deadline or "
            "check why the endpoint is slow.",
        )
        return _failed(request, clock, failure, sent)
    except httpx.HTTPError as exc:
        failure = classify(exc, url, request.timeouts.operation)
        logger.info("delivery to %s failed: %s (%s)", url.host, failure.kind, exc)
        return _failed(request, clock, failure, sent)
    except OSError as exc:
        failure = classify(exc, url, request.timeouts.operation)
        logger.info("delivery to %s failed: %s (%s)", url.host, failure.kind, exc)
        return _failed(request, clock, failure, sent)


async def _exchange(
    client: httpx.AsyncClient,
    http_request: httpx.Request,
    sent: SentRequest,
    request: OutgoingRequest,
    clock: _Clock,
) -> DeliveryResult:
    response = await client.send(http_request, stream=True)
    headers_ms = clock.elapsed_ms()
    try:
        collected = await _read_body(response, request.caps.capture)
    finally:
        await response.aclose()
    body, size = collected.body()

    received = ReceivedResponse(
        status=response.status_code,
        reason=response.reason_phrase,
        http_version=response.http_version,
        headers=tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.headers.raw
        ),
        body=body,
        size=size,
        truncated=collected.truncated,
    )
    failure = None
    if collected.error is not None:
        failure = Failure(
            FailureKind.DECODING,
            f"The server answered {response.status_code} but {collected.error}. "
            "The body is shown as it arrived.",
            collected.error,
        )
    return DeliveryResult(
        url=request.url,
        started_at=clock.started_at,
        elapsed_ms=clock.elapsed_ms(),
        request=sent,
        response=received,
        failure=failure,
        headers_ms=headers_ms,
    )


class _CappedBody:
    """Collects a streamed body, decoded, up to `cap` bytes.

    On a decoding problem the raw bytes are kept instead, so the user can still
    see what arrived.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.cap = cap
        self.truncated = False
        self.error: str | None = None
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


async def _read_body(response: httpx.Response, cap: int) -> _CappedBody:
    """Read the body of `response` under the capture cap."""
    collected = _CappedBody(response.headers.get("content-encoding"), cap)
    async for chunk in response.aiter_raw():
        if not collected.feed(chunk):
            break
    else:
        collected.finish()
    return collected


def _sent_request(http_request: httpx.Request, request: OutgoingRequest) -> SentRequest:
    return SentRequest(
        method=http_request.method,
        url=str(http_request.url),
        headers=tuple(
            (name.decode("latin-1"), value.decode("utf-8", "replace"))
            for name, value in http_request.headers.raw
        ),
        body=request.body,
        secret_headers=request.masked_names(),
    )


def _failed(
    request: OutgoingRequest,
    clock: _Clock,
    failure: Failure,
    sent: SentRequest | None = None,
) -> DeliveryResult:
    return DeliveryResult(
        url=request.url,
        started_at=clock.started_at,
        elapsed_ms=clock.elapsed_ms(),
        request=sent,
        failure=failure,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class DeliveryHandle:
    """A delivery running as a task, which can be cancelled.

    `result()` returns a cancelled result when `cancel()` stopped the delivery,
    and lets CancelledError through when the caller itself is being cancelled.
    """

    def __init__(
        self,
        request: OutgoingRequest,
        pool: ClientPool,
    ) -> None:
        self.request = request
        self._clock = _Clock()
        self._task = asyncio.ensure_future(deliver(request, pool))

    @property
    def started_at(self) -> datetime:
        """Return when the delivery started (UTC)."""
        return self._clock.started_at

    def elapsed_ms(self) -> float:
        """Return milliseconds since the delivery started."""
        return self._clock.elapsed_ms()

    def done(self) -> bool:
        """True once the delivery has ended in any way."""
        return self._task.done()

    def cancel(self) -> None:
        """Stop the delivery; `result()` then returns a cancelled result."""
        self._task.cancel()

    async def result(self) -> DeliveryResult:
        """Wait for the delivery and return its result, cancelled ones included."""
        try:
            return await self._task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._task.cancelled() or (current and current.cancelling()):
                raise
            return self.cancelled_result()

    def cancelled_result(self) -> DeliveryResult:
        """Return the result that stands for this delivery being cancelled."""
        failure = Failure(FailureKind.CANCELLED, "Cancelled before an answer arrived.")
        return _failed(self.request, self._clock, failure)
