"""A delivery running as a task: cancellable, timed, and quick to start.

The delivery code, and httpx with it, is imported on a worker thread by the
first delivery (`core.background_import`), so a window's event loop keeps
running while it loads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bchook_studio.core.background_import import import_in_background
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.result import DeliveryResult, Failure

if TYPE_CHECKING:
    from bchook_studio.core.delivery.clients import ClientPool
    from bchook_studio.core.delivery.request import OutgoingRequest

logger = logging.getLogger(__name__)

SEND_MODULE = "bchook_studio.core.delivery.send"

_FIRST_REQUEST_MODULES = ("anyio._backends._asyncio",)
"""Modules that httpcore imports on its first request, through anyio's lazy
backend lookup: about 25 ms on a 2-core VM. A name that a later anyio version
lacks is skipped."""


class Clock:
    """Wall-clock start time and monotonic elapsed milliseconds."""

    def __init__(self) -> None:
        self.started_at = datetime.now(UTC)
        self._start = time.perf_counter()

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self._start) * 1000


class PartialResult:
    """The part of a delivery received so far, for the result of a cancelled one.

    The delivery sets `build` when it starts. `build` returns None until the
    body of the last response is being read, and after the body has ended.
    """

    def __init__(self) -> None:
        self.build: Callable[[Failure], DeliveryResult | None] | None = None

    def result(self, failure: Failure) -> DeliveryResult | None:
        """Return the status, headers and body bytes received so far with
        `failure`, or None when no body is being read."""
        if self.build is None:
            return None
        return self.build(failure)


class DeliveryHandle:
    """A delivery running as a task, which can be cancelled.

    `pool` is the ClientPool to send with, or a function that returns it once
    the delivery code has loaded. `result()` returns a cancelled result when
    `cancel()` stopped the delivery, and lets CancelledError through when the
    caller itself is being cancelled.
    """

    def __init__(
        self,
        request: OutgoingRequest,
        pool: ClientPool | Callable[[], ClientPool],
    ) -> None:
        self.request = request
        self._clock = Clock()
        self._partial = PartialResult()
        self._task = asyncio.ensure_future(_deliver(request, pool, self._partial))

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
        """Return the result that stands for this delivery being cancelled.

        Cancelled while the body arrived, the result keeps the status, the
        headers and the bytes received so far.
        """
        cut = self._partial.result(
            Failure(FailureKind.CANCELLED, "Cancelled while the body arrived.")
        )
        if cut is not None:
            return cut

        failure = Failure(FailureKind.CANCELLED, "Cancelled before an answer arrived.")
        return DeliveryResult(
            url=self.request.url,
            started_at=self._clock.started_at,
            elapsed_ms=self._clock.elapsed_ms(),
            failure=failure,
        )


def error_result(handle: DeliveryHandle, error: Exception) -> DeliveryResult:
    """Return the result for a delivery that raised `error` instead of returning.

    The kind is invalid_request, because no kind names an error inside the app,
    and the message points to the log for the details.
    """
    failure = Failure(
        FailureKind.INVALID_REQUEST,
        "The request was not completed because of an error inside Hook Studio "
        f"({type(error).__name__}: {error}). The log file has the details.",
    )
    return DeliveryResult(
        url=handle.request.url,
        started_at=handle.started_at,
        elapsed_ms=handle.elapsed_ms(),
        failure=failure,
    )


async def _deliver(
    request: OutgoingRequest,
    pool: ClientPool | Callable[[], ClientPool],
    partial: PartialResult,
) -> DeliveryResult:
    send = await import_in_background(SEND_MODULE)
    for name in _FIRST_REQUEST_MODULES:
        try:
            await import_in_background(name)
        except ImportError as exc:
            logger.debug("not imported ahead of the first request: %s", exc)
    if callable(pool):
        pool = pool()
    return await send.deliver(request, pool, partial)
