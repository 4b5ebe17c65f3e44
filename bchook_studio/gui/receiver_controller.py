"""Runs the built-in receiver on the qasync loop and reports to the Inbox in batches.

Requests reach the GUI through a LogReader that a QTimer polls every
POLL_INTERVAL_MS, so a burst of thousands of requests becomes a few batches,
each one model insert, instead of one signal per request.
"""

import asyncio
import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from bchook_studio.core.receiver import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ReceivedRequest,
    Receiver,
    ReceiverLimits,
    ReceiverSettings,
    ReceiverStartError,
    ReceiverState,
    RequestLog,
    ResponseRule,
)
from bchook_studio.core.receiver.addresses import host_port, is_loopback_address
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.sentences import as_sentence

logger = logging.getLogger(__name__)

POLL_INTERVAL_MS = 100
"""Milliseconds between two reads of new requests from the receiver's log."""


class ReceiverController(QObject):
    """Owns the app's Receiver: start, stop, rules, and the requests it records.

    Start and stop run one at a time. The request log lives on across
    restarts, so the Inbox keeps its list when the receiver stops.
    """

    started = Signal(str)
    """The receiver listens; the argument is its base URL, such as
    http://127.0.0.1:8765."""

    stopped = Signal()
    state_changed = Signal()
    """Emitted on every lifecycle change, STARTING and STOPPING included."""

    requests_added = Signal(list)
    """A batch of new ReceivedRequest objects, oldest first."""

    requests_changed = Signal(list)
    """Requests already reported that changed, such as a response the client
    did not wait for; each replaces the request with the same id."""

    requests_removed_below = Signal(int)
    """Requests with an id below the argument are gone from the log (dropped by
    its limits or cleared); views remove them."""

    dropped_count_changed = Signal(int)
    """Requests dropped by the memory limits since the last `clear`."""

    error = Signal(str)
    """A start that failed, in a sentence naming the host or port and the fix."""

    warning = Signal(str)
    """The receiver listens on an address other machines can reach."""

    notice = Signal(str)
    """Information such as the port used in place of a taken one."""

    def __init__(
        self,
        parent: QObject | None = None,
        limits: ReceiverLimits | None = None,
        poll_interval_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._limits = limits if limits is not None else ReceiverLimits()
        self._receiver = Receiver(ReceiverSettings(limits=self._limits))
        self._reader = self._receiver.log.reader()
        self._lock = asyncio.Lock()
        self._transition: ReceiverState | None = None
        self._removed_below = 1
        self._dropped_at_clear = 0
        self._reported_dropped = 0
        self._closed = False

        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(poll_interval_ms)
        self._poll_timer.timeout.connect(self.poll)

    # State.

    @property
    def receiver(self) -> Receiver:
        """Return the receiver, for tests and the CLI-like code paths."""
        return self._receiver

    @property
    def log(self) -> RequestLog:
        """Return the log of received requests."""
        return self._receiver.log

    @property
    def limits(self) -> ReceiverLimits:
        """Return the memory and size limits the receiver enforces."""
        return self._limits

    @property
    def state(self) -> ReceiverState:
        """Return the receiver's lifecycle state, STARTING from the call to
        `start` and STOPPING from the call to `stop`."""
        if self._transition is not None:
            return self._transition
        return self._receiver.state

    @property
    def base_url(self) -> str | None:
        """Return the receiver's URL, such as http://127.0.0.1:8765, or None
        unless it is running."""
        if self._receiver.state is not ReceiverState.RUNNING:
            return None
        return self._receiver.base_url

    @property
    def rules(self) -> tuple[ResponseRule, ...]:
        """Return the response rules in force, in matching order."""
        return self._receiver.rules

    def set_rules(self, rules: Sequence[ResponseRule]) -> None:
        """Respond with `rules` from now on; an empty sequence means the default."""
        self._receiver.set_rules(rules)
        logger.info("receiver rules replaced: %d rules", len(self._receiver.rules))

    @property
    def dropped_count(self) -> int:
        """Return how many requests the memory limits dropped since `clear`."""
        return self._receiver.log.dropped_count - self._dropped_at_clear

    def requests(self) -> list[ReceivedRequest]:
        """Return the kept requests, newest first, for a view that starts late."""
        return self._receiver.log.requests()

    # Lifecycle.

    async def start(
        self,
        port: int = DEFAULT_PORT,
        host: str = DEFAULT_HOST,
        allow_non_loopback: bool = False,
    ) -> bool:
        """Start listening on `host`, on `port` or the next free one after it.

        Returns True once running. A failure is reported through `error` and
        returns False. Raises ReceiverStateError unless the receiver is
        stopped, and RuntimeError after `aclose`.
        """
        if self._closed:
            raise RuntimeError("the receiver controller is closed; create a new one")
        async with self._lock:
            return await self._start(port, host, allow_non_loopback)

    async def _start(self, port: int, host: str, allow_non_loopback: bool) -> bool:
        try:
            settings = ReceiverSettings(
                host=host,
                port=port,
                port_fallback=True,
                allow_non_loopback=allow_non_loopback,
                limits=self._limits,
                rules=self._receiver.rules,
            )
        except ValueError as exc:
            self._report_start_failure(host, port, str(exc))
            return False
        self._receiver.configure(settings)

        self._set_transition(ReceiverState.STARTING)
        try:
            await self._receiver.start()
        except ReceiverStartError as exc:
            self._report_start_failure(host, port, str(exc))
            return False
        finally:
            self._set_transition(None)

        self._poll_timer.start()
        address, actual_port = self._receiver.address
        self.started.emit(self._receiver.base_url)
        if port not in (0, actual_port):
            self.notice.emit(
                fill(
                    self.tr(
                        "Port %1 on %2 is in use by another program, so the "
                        "receiver listens on port %3."
                    ),
                    port,
                    address,
                    actual_port,
                )
            )
        if not is_loopback_address(address):
            self.warning.emit(
                fill(
                    self.tr(
                        "The receiver listens on %1, which other machines can "
                        "reach: anyone on your network can send it requests. Stop "
                        "it and start it on 127.0.0.1 unless you need that."
                    ),
                    host_port(address, actual_port),
                )
            )
        return True

    def _report_start_failure(self, host: str, port: int, reason: str) -> None:
        logger.warning(
            "receiver did not start on %s: %s", host_port(host, port), reason
        )
        template = self.tr("The built-in receiver did not start: %1")
        self.error.emit(fill(template, as_sentence(reason)))

    async def stop(self) -> None:
        """Stop listening and close every connection; nothing happens when stopped.

        A stop called during a start waits for the start to end first.
        Requests already recorded stay in the log.
        """
        async with self._lock:
            await self._stop()

    async def _stop(self) -> None:
        if self._receiver.state is ReceiverState.STOPPED:
            return
        self._set_transition(ReceiverState.STOPPING)
        try:
            await self._receiver.stop()
        finally:
            self._poll_timer.stop()
            self.poll()
            self._set_transition(None)
            self.stopped.emit()

    def _set_transition(self, state: ReceiverState | None) -> None:
        self._transition = state
        self.state_changed.emit()

    async def aclose(self) -> None:
        """Stop the receiver and the polling for the app's shutdown; idempotent."""
        self._closed = True
        async with self._lock:
            try:
                await self._stop()
            finally:
                self._poll_timer.stop()

    # Requests.

    def clear(self) -> None:
        """Forget every recorded request and reset the dropped count."""
        log = self._receiver.log
        log.clear()
        self._reader.take_new()
        self._dropped_at_clear = log.dropped_count
        self.poll()

    def poll(self) -> None:
        """Report what changed in the log since the last call: removals, then
        new requests, then the dropped count. The timer calls it while running."""
        log = self._receiver.log
        oldest = log.oldest_id
        below = oldest if oldest is not None else log.last_id + 1
        if below > self._removed_below:
            self._removed_below = below
            self.requests_removed_below.emit(below)

        batch = self._reader.take_new()
        if batch:
            self.requests_added.emit(batch)
        changed = self._reader.take_changed()
        if changed:
            self.requests_changed.emit(changed)

        dropped = self.dropped_count
        if dropped != self._reported_dropped:
            self._reported_dropped = dropped
            self.dropped_count_changed.emit(dropped)
