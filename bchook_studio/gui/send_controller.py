"""Runs deliveries on the qasync loop for the window: one at a time, newest wins.

The HTTP client modules (and httpx with them) are imported by the first send,
on a worker thread, or by the first use of `pool`, not when the window starts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from bchook_studio.core.delivery.clients import ClientPool
    from bchook_studio.core.delivery.handle import DeliveryHandle
    from bchook_studio.core.delivery.request import OutgoingRequest
    from bchook_studio.core.delivery.result import DeliveryResult

logger = logging.getLogger(__name__)

_TICK_MS = 100


class SendController(QObject):
    """Starts, cancels and reports deliveries; owns the shared HTTP clients.

    A new send cancels the one in flight, whose cancelled result is still
    reported, so the UI always sees one `finished` per `started`.
    """

    started = Signal(object)
    """The OutgoingRequest that is now being sent."""

    elapsed = Signal(float)
    """Milliseconds since the pending delivery started, every 100 ms."""

    finished = Signal(object)
    """The DeliveryResult of a delivery, cancelled ones included."""

    delivered = Signal(object, object)
    """The DeliveryResult and the context object given to `send`, after `finished`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool: ClientPool | None = None
        self._closed = False
        self._handle: DeliveryHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._ticker = QTimer(self)
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._on_tick)

    @property
    def pool(self) -> ClientPool:
        """Return the shared HTTP clients, for other senders in the app."""
        if self._pool is None:
            from bchook_studio.core.delivery.clients import ClientPool, PoolState

            self._pool = ClientPool()
            if self._closed:
                # Closed before any send: the pool refuses use, as after aclose.
                self._pool.state = PoolState.CLOSED
        return self._pool

    def is_busy(self) -> bool:
        """True while a delivery is pending."""
        return self._handle is not None and not self._handle.done()

    def send(self, request: OutgoingRequest, context: object = None) -> None:
        """Start sending `request`, cancelling any delivery still pending.

        `context` comes back with the result in `delivered`, so the caller knows
        which webhook the result belongs to even after a newer send.
        """
        from bchook_studio.core.delivery.handle import DeliveryHandle

        self.cancel()
        # The pool, and httpx with it, is built once the handle has loaded the
        # delivery code on a worker thread.
        handle = DeliveryHandle(request, lambda: self.pool)
        self._handle = handle
        self._task = asyncio.ensure_future(self._wait_for(handle, context))
        self._ticker.start()
        self.started.emit(request)

    def cancel(self) -> None:
        """Cancel the pending delivery, if any; its result reports 'cancelled'."""
        if self._handle is not None and not self._handle.done():
            self._handle.cancel()

    async def _wait_for(self, handle: DeliveryHandle, context: object) -> None:
        try:
            result = await handle.result()
        except Exception as exc:
            from bchook_studio.core.delivery.handle import error_result

            logger.exception(
                "delivery to %s raised instead of returning", handle.request.url
            )
            # Reported as a failure, so the window does not wait for it forever.
            result = error_result(handle, exc)
        if handle is self._handle:
            self._ticker.stop()
        self._report(result)
        self.delivered.emit(result, context)

    def _report(self, result: DeliveryResult) -> None:
        if result.failure is None:
            logger.info(
                "delivered to %s: %s in %.0f ms",
                result.url,
                result.response.status if result.response else "-",
                result.elapsed_ms,
            )
        self.finished.emit(result)

    def _on_tick(self) -> None:
        if self._handle is not None and not self._handle.done():
            self.elapsed.emit(self._handle.elapsed_ms())

    async def aclose(self) -> None:
        """Cancel what is pending, wait for it to end, then close the HTTP clients."""
        self._ticker.stop()
        self.cancel()
        if self._task is not None:
            await self._task
        self._closed = True
        if self._pool is not None:
            await self._pool.aclose()
