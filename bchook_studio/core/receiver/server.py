"""The built-in receiver: an HTTP/1.1 server on the current asyncio loop.

The connection handling, and h11 with it, is imported by `start` on a worker
thread, so a window can create its Receiver, and show the Inbox, before anything
listens, and its event loop keeps running while h11 compiles its patterns.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Sequence
from enum import Enum, auto
from types import TracebackType
from typing import TYPE_CHECKING

from bchook_studio.core.background_import import import_in_background
from bchook_studio.core.receiver.addresses import (
    host_port,
    is_loopback_address,
    resolve_listen_address,
)
from bchook_studio.core.receiver.errors import (
    PortInUseError,
    ReceiverStartError,
    ReceiverStateError,
)
from bchook_studio.core.receiver.request_log import RequestLog
from bchook_studio.core.receiver.rules import ResponseRule, normalize_rules
from bchook_studio.core.receiver.settings import (
    PORT_FALLBACK_ATTEMPTS,
    ReceiverSettings,
)

if TYPE_CHECKING:
    from bchook_studio.core.receiver.connection import ServerContext

logger = logging.getLogger(__name__)

_CONNECTION_MODULE = "bchook_studio.core.receiver.connection"

# Errors that mean another socket uses the port. Windows also reports
# WSAEACCES for ports inside a range the system reserved.
_PORT_TAKEN_ERRORS = frozenset(
    code
    for code in (errno.EADDRINUSE, getattr(errno, "WSAEACCES", None))
    if code is not None
)
_STOP_TIMEOUT = 5.0
"""Seconds `stop` waits for closed connections to report that they are gone."""


class ReceiverState(Enum):
    """Lifecycle of a Receiver: STOPPED → STARTING → RUNNING → STOPPING → STOPPED."""

    STOPPED = auto()
    STARTING = auto()
    RUNNING = auto()
    STOPPING = auto()


class Receiver:
    """Listens for webhooks, records each request and responds by rule.

    It runs on whichever asyncio loop is current when `start` is awaited: the
    app's qasync loop or a plain loop in the CLI. It is not thread-safe: call
    it from that loop's thread only. A stopped receiver can be started again;
    the request log lives on across restarts.
    """

    def __init__(
        self,
        settings: ReceiverSettings | None = None,
        log: RequestLog | None = None,
    ) -> None:
        self._settings = settings if settings is not None else ReceiverSettings()
        limits = self._settings.limits
        self.log = (
            log
            if log is not None
            else RequestLog(limits.max_kept_requests, limits.max_kept_bytes)
        )
        """The requests received; a log passed in keeps its own limits."""

        self._rules = normalize_rules(self._settings.rules)
        self._state = ReceiverState.STOPPED
        self._server: asyncio.Server | None = None
        self._context: ServerContext | None = None
        self._address: tuple[str, int] | None = None
        self._sweep_timer: asyncio.TimerHandle | None = None

    @property
    def state(self) -> ReceiverState:
        """Return the current lifecycle state."""
        return self._state

    @property
    def settings(self) -> ReceiverSettings:
        """Return the settings in use; `configure` replaces them."""
        return self._settings

    def configure(self, settings: ReceiverSettings) -> None:
        """Replace the settings, rules included, and apply the log limits to the log.

        Raises ReceiverStateError unless the receiver is stopped: the address
        and limits apply from the next `start`.
        """
        self._require(ReceiverState.STOPPED, "configure")
        self._settings = settings
        self._rules = normalize_rules(settings.rules)
        limits = settings.limits
        self.log.set_limits(limits.max_kept_requests, limits.max_kept_bytes)

    @property
    def rules(self) -> tuple[ResponseRule, ...]:
        """Return the rules in force, in matching order."""
        return self._rules

    def set_rules(self, rules: Sequence[ResponseRule]) -> None:
        """Respond with `rules` from now on, in any state; empty means the default.

        A request whose body is complete has its rule already: a change
        reaches the requests that complete after this call.
        """
        self._rules = normalize_rules(rules)
        if self._context is not None:
            self._context.set_rules(self._rules)

    @property
    def address(self) -> tuple[str, int]:
        """Return the IP address and port listened on; only while running."""
        self._require(ReceiverState.RUNNING, "report the address of")
        assert self._address is not None
        return self._address

    @property
    def port(self) -> int:
        """Return the port listened on, which differs from the setting after a
        fallback or for port 0; only while running."""
        return self.address[1]

    @property
    def base_url(self) -> str:
        """Return the URL of the receiver, such as http://127.0.0.1:8765."""
        host, port = self.address
        return f"http://{host_port(host, port)}"

    @property
    def connection_count(self) -> int:
        """Return the number of client connections open now."""
        return len(self._context.connections) if self._context is not None else 0

    def _require(self, expected: ReceiverState, action: str) -> None:
        if self._state is not expected:
            raise ReceiverStateError(
                f"cannot {action} the receiver while it is "
                f"{self._state.name.lower()}; it must be {expected.name.lower()}"
            )

    async def start(self) -> None:
        """Start listening, or raise ReceiverStartError and stay stopped.

        Raises PortInUseError when the port (and, with `port_fallback`, each
        of the next ports tried) is taken, NonLoopbackHostError for a host
        other machines can reach without `allow_non_loopback`, and
        ReceiverStateError unless the receiver is stopped.
        """
        self._require(ReceiverState.STOPPED, "start")
        await import_in_background(_CONNECTION_MODULE)
        from bchook_studio.core.receiver.connection import ServerContext

        # Checked again: another `start` may have begun during the import.
        self._require(ReceiverState.STOPPED, "start")
        self._state = ReceiverState.STARTING
        settings = self._settings
        # The context exists before the first await, so that `set_rules`
        # during start-up reaches it.
        context = ServerContext(settings.limits, self.log, self._rules)
        self._context = context
        try:
            address = await resolve_listen_address(
                settings.host, settings.allow_non_loopback
            )
            self._server = await self._listen(address, context)
        except BaseException:
            self._context = None
            self._state = ReceiverState.STOPPED
            raise

        port = self._server.sockets[0].getsockname()[1]
        self._address = (address, port)
        self._state = ReceiverState.RUNNING
        self._schedule_sweep()

        logger.info("receiver listening on %s", self.base_url)
        if not is_loopback_address(address):
            logger.warning(
                "receiver listening on %s, which other machines can reach",
                host_port(address, port),
            )

    async def _listen(self, address: str, context: ServerContext) -> asyncio.Server:
        from bchook_studio.core.receiver.connection import RequestConnection

        loop = asyncio.get_running_loop()
        first = self._settings.port
        if self._settings.port_fallback and first != 0:
            last = min(first + PORT_FALLBACK_ATTEMPTS - 1, 65535)
        else:
            last = first

        for port in range(first, last + 1):
            try:
                return await loop.create_server(
                    lambda: RequestConnection(context), address, port
                )
            except OSError as exc:
                if exc.errno not in _PORT_TAKEN_ERRORS:
                    raise ReceiverStartError(
                        f"cannot listen on {host_port(address, port)}: "
                        f"{exc.strerror or exc}. Check the host and port settings."
                    ) from exc
                logger.info("port %d on %s is in use", port, address)

        if first == last:
            message = (
                f"port {first} on {address} is already in use. Stop the program "
                "that uses it or choose another port."
            )
        else:
            message = (
                f"ports {first} to {last} on {address} are all in use. Stop the "
                "programs that use them or choose another port."
            )
        raise PortInUseError(message, address, first)

    def _schedule_sweep(self) -> None:
        shortest = self._settings.limits.shortest_timeout
        interval = min(max(shortest / 4, 0.05), 1.0)
        loop = asyncio.get_running_loop()
        self._sweep_timer = loop.call_later(interval, self._sweep)

    def _sweep(self) -> None:
        """Close the connections past a timeout, log the tally, then reschedule."""
        context = self._context
        if context is None or self._state is not ReceiverState.RUNNING:
            return
        now = asyncio.get_running_loop().time()
        for connection in list(context.connections):
            connection.check_timeouts(now)
        context.tally.flush(now)
        self._schedule_sweep()

    async def stop(self) -> None:
        """Stop listening, close every connection (hung ones too) and wait for them.

        Responses still waiting on a delay are cancelled. Raises
        ReceiverStateError unless the receiver is running.
        """
        self._require(ReceiverState.RUNNING, "stop")
        self._state = ReceiverState.STOPPING
        server, context = self._server, self._context
        assert server is not None and context is not None
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()

        try:
            server.close()
            for connection in list(context.connections):
                connection.close_now()
            if context.tasks:
                await asyncio.gather(*context.tasks, return_exceptions=True)
            try:
                async with asyncio.timeout(_STOP_TIMEOUT):
                    await context.no_connections.wait()
                    await server.wait_closed()
            except TimeoutError:
                logger.warning(
                    "%d receiver connections were still open %g s after stop",
                    len(context.connections),
                    _STOP_TIMEOUT,
                )
        finally:
            context.tally.flush(asyncio.get_running_loop().time(), force=True)
            logger.info("receiver on %s stopped", self._url_text())
            self._server = None
            self._context = None
            self._address = None
            self._sweep_timer = None
            self._state = ReceiverState.STOPPED

    def _url_text(self) -> str:
        if self._address is None:
            return "no address"
        return f"http://{host_port(*self._address)}"

    async def __aenter__(self) -> Receiver:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
