"""One client connection: parse requests with h11, record them, respond by rule.

A response with no delay and no fault is written from `data_received` itself,
with no task per request. A delayed, slow or hanging response runs as a task,
and the connection stops reading until it is done, so that pipelined
requests wait their turn.
"""

import asyncio
import logging
import math
import re
import socket
from datetime import UTC, datetime

import h11

from bchook_studio.core.receiver.addresses import host_port
from bchook_studio.core.receiver.credentials import decode_basic_credentials
from bchook_studio.core.receiver.event_tally import SUMMARY_INTERVAL, EventTally
from bchook_studio.core.receiver.records import UNKNOWN, ReceivedRequest
from bchook_studio.core.receiver.request_log import RequestLog
from bchook_studio.core.receiver.responses import (
    ALLOW_HEADER,
    AUTHENTICATE_HEADER,
    CONTINUE,
    UNAUTHORIZED,
    PreparedRule,
    error_response,
    prepare_rules,
    with_connection_close,
)
from bchook_studio.core.receiver.rules import Fault, ResponseRule, choose_rule
from bchook_studio.core.receiver.settings import ReceiverLimits

logger = logging.getLogger(__name__)

LINGER_SECONDS = 2.0
"""After rejecting a request, how long the receiver keeps reading and discarding
what the client still sends, so that the client can read the rejection."""

HTTP_VERSIONS = frozenset({b"1.0", b"1.1"})
"""The HTTP versions the receiver speaks; h11 parses a request line of any."""

MAX_RECORDED_TARGET = 1024
"""Characters of request target recorded for a head rejected as too large."""

MAX_RECORDED_HEADER_BYTES = 4096
"""Bytes of headers recorded for a head rejected as too large."""

MAX_SLOW_STEPS = 600
"""A SLOW response is written in at most this many pieces. Longer responses
are cut into pieces of several bytes, so writing one never takes longer than
MAX_SLOW_STEPS times the rule's interval."""

# h11 quotes offending bytes in some messages, and they may contain credentials.
_QUOTED_BYTES = re.compile(r":?\s*(?:b['\"]|bytearray\().*$", re.DOTALL)


def _loggable(message: str) -> str:
    return _QUOTED_BYTES.sub("", message) or "malformed data"


class ServerContext:
    """State shared by every connection of one running receiver."""

    def __init__(
        self,
        limits: ReceiverLimits,
        log: RequestLog,
        rules: tuple[ResponseRule, ...],
    ) -> None:
        self.limits = limits
        self.log = log
        self.rules = rules
        self.prepared_rules = prepare_rules(rules)
        self.connections: set[RequestConnection] = set()
        """Every open connection, those rejected for capacity included."""

        self.served_count = 0
        """Open connections admitted under `limits.max_connections`."""

        self.tasks: set[asyncio.Task[None]] = set()
        self.no_connections = asyncio.Event()
        self.no_connections.set()
        self._loop = asyncio.get_running_loop()
        self.tally = EventTally(self._loop.time())
        self._capacity_warned_at: float | None = None

    def admit(self, client: str) -> bool:
        """Count a new connection as served, or return False at `max_connections`.

        Reaching the maximum is logged as a WARNING at most once per
        SUMMARY_INTERVAL, and each rejected connection is counted in the tally.
        """
        limit = self.limits.max_connections
        if self.served_count < limit:
            self.served_count += 1
            return True

        now = self._loop.time()
        warned_at = self._capacity_warned_at
        if warned_at is None or now - warned_at >= SUMMARY_INTERVAL:
            self._capacity_warned_at = now
            logger.warning(
                "the receiver has %d connections open, its maximum "
                "(max_connections); new connections get status 503 until some "
                "close",
                limit,
            )
        self.tally.add(
            "connections rejected with status 503 at max_connections", client
        )
        return False

    def release(self) -> None:
        """Count the end of a connection that `admit` accepted."""
        self.served_count -= 1

    def set_rules(self, rules: tuple[ResponseRule, ...]) -> None:
        """Use `rules` for the requests that complete from now on."""
        self.rules = rules
        self.prepared_rules = prepare_rules(rules)

    def choose(self, path: str) -> PreparedRule:
        """Return the first rule matching `path`, else the last rule."""
        return self.prepared_rules[choose_rule(self.rules, path)]


class RequestConnection(asyncio.Protocol):
    """The server side of one TCP connection."""

    def __init__(self, context: ServerContext) -> None:
        self._context = context
        self._loop = asyncio.get_running_loop()
        self._h11 = h11.Connection(
            h11.SERVER, max_incomplete_event_size=context.limits.max_header_size
        )
        self._transport: asyncio.Transport | None = None
        self.client = (UNKNOWN, 0)
        self._client_text = UNKNOWN

        # The request being read: its head, arrival time and body so far.
        self._request: h11.Request | None = None
        self._arrived = datetime.now(UTC)
        self._body_parts: list[bytes] = []
        self._body_size = 0
        self._body_started = 0.0
        self._declared_size: int | None = None
        self._head_cut = False

        # Loop time of the first byte of a request head not yet complete.
        self._head_started: float | None = None
        # Set for a request with both Content-Length and Transfer-Encoding.
        self._close_after_response = False
        self._admitted = False

        self._task: asyncio.Task[None] | None = None
        self._hanging = False
        self._lingering = False
        self._linger_timer: asyncio.TimerHandle | None = None
        self._eof = False
        self._write_paused = False
        self._reading_paused = False
        self.last_activity = self._loop.time()

        # Bytes of responses not yet taken by the client at the last timeout
        # check, and the loop time at which that number last went down.
        self._unsent = 0
        self._sending_since = self.last_activity

    # asyncio.Protocol callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        _limit_send_buffer(transport)
        peer = transport.get_extra_info("peername")
        if peer:
            host, port = str(peer[0]), int(peer[1])
            self.client = (host, port)
            self._client_text = host_port(host, port)
        context = self._context
        context.connections.add(self)
        context.no_connections.clear()
        if context.admit(self._client_text):
            self._admitted = True
        else:
            self._reject_over_capacity()

    def data_received(self, data: bytes) -> None:
        if self._hanging or self._lingering:
            return
        now = self._loop.time()
        self.last_activity = now
        if self._request is None and self._head_started is None:
            self._head_started = now
        self._h11.receive_data(data)
        self._process()

    def eof_received(self) -> bool | None:
        if self._hanging or self._lingering:
            return None
        self._eof = True
        self._h11.receive_data(b"")
        self._process()
        # Keep the transport open while a response is still being written.
        return True if self._task is not None else None

    def pause_writing(self) -> None:
        self._write_paused = True
        self._update_reading()

    def resume_writing(self) -> None:
        self._write_paused = False
        self._update_reading()
        # Requests already read stay queued in h11 while writing is paused.
        if not (self._hanging or self._lingering):
            self._process()

    def connection_lost(self, exc: Exception | None) -> None:
        context = self._context
        context.connections.discard(self)
        if self._admitted:
            self._admitted = False
            context.release()
        if not context.connections:
            context.no_connections.set()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
        if self._task is not None:
            self._task.cancel()
        if self._request is not None:
            self._record(
                status=None,
                rejection="the connection closed before the request was complete",
            )

    # Reading requests

    def _process(self) -> None:
        """Handle every complete event h11 can parse from the data received."""
        try:
            self._process_events()
        except Exception:
            logger.exception("handling a request from %s failed", self._client_text)
            self.close_now()

    def _process_events(self) -> None:
        connection = self._h11
        transport = self._transport
        assert transport is not None
        # While the client is not reading the responses written so far, the
        # requests it pipelined after them wait in h11: responding to them all
        # would buffer one response each in memory.
        while not (
            self._task is not None
            or self._write_paused
            or self._hanging
            or self._lingering
            or transport.is_closing()
        ):
            try:
                event = connection.next_event()
            except h11.RemoteProtocolError as exc:
                self._on_protocol_error(exc)
                return

            kind = type(event)
            if kind is h11.Data:
                self._on_data(event.data)  # type: ignore[union-attr]
            elif kind is h11.Request:
                self._on_request(event)  # type: ignore[arg-type]
            elif kind is h11.EndOfMessage:
                self._on_end_of_message()
            elif kind is h11.ConnectionClosed:
                transport.close()
                return
            else:  # NEED_DATA, or PAUSED while a response is pending
                self._check_announced_size()
                return

    def _on_request(self, request: h11.Request) -> None:
        self._request = request
        self._arrived = datetime.now(UTC)
        self._head_started = None
        self._body_parts = []
        self._body_size = 0
        self._body_started = self._loop.time()

        limits = self._context.limits
        content_length = None
        chunked = False
        # h11 enforces max_incomplete_event_size only on a head that arrives in
        # several pieces, so the size of a complete head is checked here.
        head_size = len(request.method) + len(request.target) + 12
        for name, value in request.headers:
            head_size += len(name) + len(value) + 4
            if name == b"content-length":
                content_length = int(value)
            elif name == b"transfer-encoding":
                chunked = True
        if head_size > limits.max_header_size:
            self._head_cut = True
            self._reject(431, self._header_limit_message(head_size))
            return

        if chunked and content_length is not None:
            # Transfer-Encoding overrides Content-Length (RFC 9112 section 6.1),
            # and the server must close the connection after responding,
            # because such a request may be an attempt at request smuggling.
            self._close_after_response = True
            logger.debug(
                "the request from %s has both Content-Length and "
                "Transfer-Encoding; the connection closes after the response",
                self._client_text,
            )
        else:
            self._declared_size = content_length

        if self._reject_unsupported(request):
            return
        declared = self._declared_size
        if declared is not None and declared > limits.max_body:
            self._reject_oversized(self._over_limit_message(declared, "declared as"))
            return

        if self._h11.they_are_waiting_for_100_continue:
            self._continue_or_reject(request)

    def _continue_or_reject(self, request: h11.Request) -> None:
        """Send 100 Continue, or 401 before the body when credentials fail.

        The final status in place of 100 Continue lets the client skip the
        body. The connection then closes after discarding what the client
        still sends.
        """
        prepared = self._choose_rule(request)
        if self._credentials_accepted(prepared, request):
            assert self._transport is not None
            self._transport.write(self._h11.send(CONTINUE))
            return
        self._reject(
            401,
            "the request lacks the credentials its rule requires, so the "
            "receiver responded before the body (Expect: 100-continue)",
            response_text="the rule for this path requires credentials",
            headers=(AUTHENTICATE_HEADER,),
            prepared=prepared,
        )

    def _reject_unsupported(self, request: h11.Request) -> bool:
        """Reject a request that no rule can respond to; return True if rejected.

        Those are CONNECT, which would make h11 switch protocols after a 2xx
        response, the HTTP/2 connection preface, and other HTTP versions.
        """
        if request.method == b"CONNECT":
            status, headers = 405, (ALLOW_HEADER,)
            message = (
                "the receiver does not accept CONNECT: it receives webhooks and "
                "is not a proxy"
            )
        elif request.method == b"PRI" and request.http_version == b"2.0":
            status, headers = 400, ()
            message = (
                "the client sent the HTTP/2 connection preface, but the receiver "
                "speaks HTTP/1.1 only"
            )
        elif request.http_version not in HTTP_VERSIONS:
            status, headers = 505, ()
            version = request.http_version.decode("ascii", "replace")
            message = (
                f"the request uses HTTP/{version}, but the receiver speaks "
                "HTTP/1.0 and HTTP/1.1 only"
            )
        else:
            return False

        self._reject(status, message, headers=headers)
        return True

    def _reject_oversized(self, message: str) -> None:
        """Reject a body over the limit with 413, or 401 when credentials fail.

        A rule that requires credentials gets them checked first, from the
        head, so that a client without them learns nothing about the limit.
        """
        request = self._request
        assert request is not None
        prepared = self._choose_rule(request)
        if self._credentials_accepted(prepared, request):
            self._reject(413, message)
            return
        self._reject(
            401,
            f"{message}, and the request lacks the credentials its rule requires",
            response_text="the rule for this path requires credentials",
            headers=(AUTHENTICATE_HEADER,),
            prepared=prepared,
        )

    def _on_data(self, data: bytes) -> None:
        size = self._body_size + len(data)
        max_body = self._context.limits.max_body
        if size > max_body:
            room = max_body - self._body_size
            if room > 0:
                self._body_parts.append(bytes(data[:room]))
            self._body_size = size
            self._reject_oversized(self._over_limit_message(size, "at least"))
            return
        self._body_parts.append(data)
        self._body_size = size
        self._check_announced_size()

    def _check_announced_size(self) -> None:
        """Reject with 413 a chunked body whose current chunk would pass the limit.

        The chunk size arrives before the chunk, so a chunk announced as far
        over the limit is rejected before any of it is read.
        """
        if self._request is None or self._lingering:
            return
        # NOTE: h11 (0.14 to 0.16) keeps the bytes still due in the current
        # chunk in a private attribute. Without it, the limit is still
        # enforced on the bytes received, only later.
        reader = getattr(self._h11, "_reader", None)
        pending = getattr(reader, "_bytes_in_chunk", 0)
        if not isinstance(pending, int) or pending <= 0:
            return
        announced = self._body_size + pending
        if announced > self._context.limits.max_body:
            self._reject_oversized(
                self._over_limit_message(announced, "announced by its chunk sizes as")
            )

    def _over_limit_message(self, size: int, how: str) -> str:
        limit = self._context.limits.max_body
        return (
            f"the request body, {how} {size} bytes, is over the receiver's "
            f"limit of {limit} bytes"
        )

    def _header_limit_message(self, size: int | None = None) -> str:
        limit = self._context.limits.max_header_size
        what = "the request line and headers"
        if size is not None:
            what += f", {size} bytes,"
        return f"{what} are over the receiver's limit of {limit} bytes"

    def _choose_rule(self, request: h11.Request) -> PreparedRule:
        target = request.target.decode("latin-1")
        return self._context.choose(target.split("?", 1)[0])

    @staticmethod
    def _credentials_accepted(prepared: PreparedRule, request: h11.Request) -> bool:
        """True when the rule requires no credentials or the request has them."""
        required = prepared.rule.credentials
        if required is None:
            return True
        authorization = None
        for name, value in request.headers:
            if name == b"authorization":
                authorization = value.decode("latin-1")
                break
        return required.accepts(decode_basic_credentials(authorization))

    def _on_end_of_message(self) -> None:
        request = self._request
        assert request is not None
        method = request.method
        prepared = self._choose_rule(request)
        rule = prepared.rule

        if not self._credentials_accepted(prepared, request):
            self._record(status=401, prepared=prepared)
            self._write_response(UNAUTHORIZED, b"", method)
            self._finish_exchange()
            return

        fault = rule.fault
        responds = fault is not Fault.HANG and fault is not Fault.DROP
        request_id = self._record(
            status=rule.status if responds else None, prepared=prepared, fault=fault
        )

        if rule.delay_ms or fault is Fault.SLOW:
            self._start_task(self._respond_later(prepared, method, request_id))
        elif fault is Fault.HANG:
            self._hanging = True
        elif fault is Fault.DROP:
            assert self._transport is not None
            self._transport.close()
        else:
            self._write_response(prepared.response, prepared.body, method)
            self._finish_exchange()

    def _on_protocol_error(self, exc: h11.RemoteProtocolError) -> None:
        assert self._transport is not None
        if self._eof:
            # The client closed its side in the middle of a request.
            self._context.tally.add(
                "connections closed by the client in the middle of a request",
                self._client_text,
                _loggable(str(exc)),
            )
            if self._request is not None:
                self._record(
                    status=None,
                    rejection="the client closed the connection before the "
                    "request was complete",
                )
            self._transport.close()
            return

        status = exc.error_status_hint
        if status == 431:
            message = self._header_limit_message()
        else:
            message = f"malformed request: {_loggable(str(exc))}"
        self._reject(status, message)

    # Recording and responding

    def _record(
        self,
        *,
        status: int | None,
        prepared: PreparedRule | None = None,
        fault: Fault = Fault.NONE,
        rejection: str | None = None,
    ) -> int:
        """Add the current request to the log and return its id; it is then no
        longer pending."""
        request = self._request
        self._request = None
        if request is None:
            method = target = http_version = UNKNOWN
            headers: tuple[tuple[str, str], ...] = ()
            arrived = datetime.now(UTC)
        else:
            method = request.method.decode("latin-1")
            target = request.target.decode("latin-1")
            http_version = request.http_version.decode("latin-1")
            headers = tuple(
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in request.headers.raw_items()
            )
            arrived = self._arrived
        if self._head_cut:
            target, headers, rejection = _cut_head(target, headers, rejection)

        parts = self._body_parts
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        body_size = self._body_size
        declared_size = self._declared_size
        self._body_parts = []
        self._body_size = 0
        self._declared_size = None
        self._head_cut = False

        log = self._context.log
        request_id = log.next_id()
        log.add(
            ReceivedRequest(
                id=request_id,
                time=arrived,
                client_host=self.client[0],
                client_port=self.client[1],
                method=method,
                target=target,
                http_version=http_version,
                headers=headers,
                body=bytes(body),
                body_size=body_size,
                status=status,
                rule_index=None if prepared is None else prepared.index,
                rule_name="" if prepared is None else prepared.rule.name,
                fault=fault,
                truncated=len(body) < body_size,
                rejection=rejection,
                declared_size=declared_size,
            )
        )
        return request_id

    def _response_bytes(
        self, response: h11.Response, body: bytes, method: bytes
    ) -> bytes:
        connection = self._h11
        if self._close_after_response:
            response = with_connection_close(response)
        data = connection.send(response)
        if body and method != b"HEAD":
            data += connection.send(h11.Data(data=body))
        return data + connection.send(h11.EndOfMessage())

    def _write_response(
        self, response: h11.Response, body: bytes, method: bytes
    ) -> None:
        assert self._transport is not None
        self._transport.write(self._response_bytes(response, body, method))

    def _finish_exchange(self) -> None:
        """Close if the response ended the connection, else await the next request."""
        connection = self._h11
        assert self._transport is not None
        self.last_activity = self._loop.time()
        if self._close_after_response:
            # The client may have sent more after this request, so its data
            # is read and discarded for a while: closing with unread data
            # would reset the connection and could lose the response.
            self._linger()
        elif connection.our_state is h11.MUST_CLOSE:
            self._transport.close()
        elif connection.our_state is h11.DONE and connection.their_state is h11.DONE:
            connection.start_next_cycle()
            # A pipelined request may have started arriving already.
            if connection.trailing_data[0]:
                self._head_started = self.last_activity

    def _reject(
        self,
        status: int,
        message: str,
        *,
        response_text: str | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
        prepared: PreparedRule | None = None,
    ) -> None:
        """Record the current request as rejected, respond with `status` and close.

        The response body gives `response_text`, or `message` when it is None.
        The request log records `message`. The log file gets one DEBUG line,
        and the rejections are counted for the periodic INFO summary.
        """
        method = self._request.method if self._request is not None else b""
        self._context.tally.add(
            f"requests rejected with status {status}", self._client_text, message
        )
        self._record(status=status, prepared=prepared, rejection=message)
        assert self._transport is not None
        response, body = error_response(
            status, message if response_text is None else response_text, headers
        )
        try:
            self._write_response(response, body, method)
        except h11.LocalProtocolError:
            # A response had already started, so no other can be sent now.
            self._context.tally.add(
                "connections closed without a response", self._client_text, message
            )
        self._linger()

    def _reject_over_capacity(self) -> None:
        """Respond 503 before reading anything, then close."""
        limit = self._context.limits.max_connections
        response, body = error_response(
            503,
            f"the receiver already serves {limit} connections, its maximum; "
            "retry when some have closed",
            ((b"Retry-After", b"1"),),
        )
        self._write_response(response, body, b"")
        self._linger()

    def _linger(self) -> None:
        """Stop responding, read and discard for a while, then close.

        Closing while the client is still sending its body makes the kernel
        reset the connection, and the client could lose the response already sent.
        """
        assert self._transport is not None
        self._lingering = True
        if self._transport.can_write_eof():
            try:
                self._transport.write_eof()
            except OSError as exc:
                # The client reset the connection as soon as the response arrived.
                self._context.tally.add(
                    "connections reset by the client after the response",
                    self._client_text,
                    str(exc),
                )
                self.close_now()
                return
        self._linger_timer = self._loop.call_later(LINGER_SECONDS, self.close_now)

    # Delayed, slow and hanging responses

    def _start_task(self, coroutine) -> None:
        task = self._loop.create_task(coroutine)
        self._task = task
        self._context.tasks.add(task)
        task.add_done_callback(self._on_task_done)
        self._update_reading()

    async def _respond_later(
        self, prepared: PreparedRule, method: bytes, request_id: int
    ) -> None:
        rule = prepared.rule
        if rule.delay_ms:
            await asyncio.sleep(rule.delay_ms / 1000)
        transport = self._transport
        assert transport is not None
        if transport.is_closing() or _peer_closed(transport):
            # The client gave up during the delay, so the status recorded on
            # arrival was never sent.
            self._context.log.mark_unanswered(request_id)
            transport.close()
            return

        if rule.fault is Fault.HANG:
            self._hanging = True
            return
        if rule.fault is Fault.DROP:
            transport.close()
            return

        data = self._response_bytes(prepared.response, prepared.body, method)
        if rule.fault is Fault.SLOW:
            if not await self._write_slowly(data, rule.slow_interval_ms / 1000):
                self._context.log.mark_unanswered(request_id)
                return
        else:
            transport.write(data)
        self._finish_exchange()

    async def _write_slowly(self, data: bytes, interval: float) -> bool:
        """Write `data` in pieces; return False when the client closed first."""
        transport = self._transport
        assert transport is not None
        piece = max(1, math.ceil(len(data) / MAX_SLOW_STEPS))
        for start in range(0, len(data), piece):
            if start:
                await asyncio.sleep(interval)
            if transport.is_closing() or _peer_closed(transport):
                transport.close()
                return False
            transport.write(data[start : start + piece])
        return True

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        self._context.tasks.discard(task)
        self._task = None
        self.last_activity = self._loop.time()
        if task.cancelled():
            return

        exc = task.exception()
        if exc is not None:
            logger.error(
                "sending the response to %s failed",
                self._client_text,
                exc_info=exc,
            )
            self.close_now()
            return

        transport = self._transport
        if transport is None or transport.is_closing():
            return
        self._update_reading()
        if self._eof and not self._hanging:
            transport.close()
        else:
            self._process()

    def _update_reading(self) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        pause = self._task is not None or self._write_paused
        if pause and not self._reading_paused:
            transport.pause_reading()
        elif not pause and self._reading_paused:
            transport.resume_reading()
        self._reading_paused = pause

    # Called by the receiver

    def check_timeouts(self, now: float) -> None:
        """Close the connection when the client has exceeded a timeout of the limits.

        Waiting for a request, the connection closes without a response after
        `keep_alive_timeout`. A request head incomplete `head_timeout` after its
        first byte, a body that stops arriving for `body_timeout`, or one that
        arrives slower than `min_body_rate` allows, gets 408.
        A connection waiting on its own response (a delay, a slow write, a
        hang) or lingering after a rejection is left alone, and one whose
        responses wait to be read gets `_check_sending` instead.
        """
        transport = self._transport
        if (
            transport is None
            or transport.is_closing()
            or self._task is not None
            or self._hanging
            or self._lingering
        ):
            return

        limits = self._context.limits
        unsent = transport.get_write_buffer_size()
        if unsent:
            self._check_sending(now, unsent)
            return
        self._unsent = 0

        if self._request is not None:
            reading = now - self._body_started
            allowed = limits.body_timeout + self._body_size / limits.min_body_rate
            if now - self.last_activity >= limits.body_timeout:
                self._reject(
                    408,
                    "timed out waiting for the request body: no bytes arrived "
                    f"for {limits.body_timeout:g} s",
                )
            elif reading >= allowed:
                self._reject(
                    408,
                    "timed out waiting for the request body: "
                    f"{self._body_size:,} bytes arrived in {reading:.1f} s, "
                    f"slower than the {limits.min_body_rate:,} bytes/s required",
                )
        elif self._head_started is not None:
            if now - self._head_started >= limits.head_timeout:
                self._reject(
                    408,
                    "timed out waiting for the request line and headers: not "
                    f"complete {limits.head_timeout:g} s after their first byte",
                )
        elif now - self.last_activity >= limits.keep_alive_timeout:
            logger.debug(
                "closed the idle connection from %s after %g s",
                self._client_text,
                limits.keep_alive_timeout,
            )
            self.close_now()

    def _check_sending(self, now: float, unsent: int) -> None:
        """Drop a client that has stopped reading the responses written to it.

        While responses wait to be sent, the other timeouts do not run: the
        client is reading, however slowly, so the connection is not idle, and
        requests it sent meanwhile wait unread. A client that takes none of the
        unsent bytes for SEND_STALL_FACTOR times `body_timeout` is dropped.
        """
        if unsent < self._unsent or self._unsent == 0:
            self._sending_since = now
        self._unsent = unsent
        # The idle time then starts when the last response is sent.
        self.last_activity = now

        timeout = self._context.limits.body_timeout * SEND_STALL_FACTOR
        if now - self._sending_since >= timeout:
            logger.info(
                "dropped the connection from %s: it read none of the %d bytes "
                "of responses waiting to be sent for %g s",
                self._client_text,
                unsent,
                timeout,
            )
            self.close_now()

    def close_now(self) -> None:
        """Close the connection at once, dropping any response not yet sent."""
        if self._task is not None:
            self._task.cancel()
        transport = self._transport
        if transport is None:
            return
        if transport.get_write_buffer_size():
            transport.abort()
        elif not transport.is_closing():
            transport.close()


SEND_STALL_FACTOR = 3
"""Body timeouts without progress after which a response's client is dropped.

TCP can move a slow reader's data in large bursts. On a 2-core Linux VM, a
client with a 256 KiB receive buffer reading 10 KB/s took no new bytes for
more than 20 s at a time. One body timeout (20 s) was therefore too short."""

SEND_BUFFER_BYTES = 64 * 1024
"""The kernel's send buffer for a connection, asked for with SO_SNDBUF.

A slow client drains the kernel's buffer before asyncio's, and asyncio writes
again only once a good part of the kernel's buffer is free. With the multi-MiB
buffers Linux grows for loopback, a client reading 10 KB/s would move no byte
of asyncio's buffer for minutes and be dropped as one that had stopped
reading."""


def _limit_send_buffer(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
    except OSError as exc:
        logger.debug("setting SO_SNDBUF failed: %s", exc)


def _cut_head(
    target: str,
    headers: tuple[tuple[str, str], ...],
    rejection: str | None,
) -> tuple[str, tuple[tuple[str, str], ...], str | None]:
    """Return the target and headers of an oversized head cut to the record caps.

    The rejection message gets a sentence saying what was left out.
    """
    kept: list[tuple[str, str]] = []
    used = 0
    for name, value in headers:
        used += len(name) + len(value) + 4
        if used > MAX_RECORDED_HEADER_BYTES:
            break
        kept.append((name, value))

    cut_target = target[:MAX_RECORDED_TARGET]
    notes = []
    if len(cut_target) < len(target):
        notes.append(
            f"the first {MAX_RECORDED_TARGET} of {len(target)} characters of the target"
        )
    if len(kept) < len(headers):
        notes.append(f"{len(kept)} of {len(headers)} headers")
    if notes and rejection is not None:
        rejection += ". The record keeps " + " and ".join(notes) + "."
    return cut_target, tuple(kept), rejection


def _peer_closed(transport: asyncio.BaseTransport) -> bool:
    """True when the client has closed its end of the connection.

    Reading is paused while a response waits, so the event loop does not see
    the client leave. A peek at the socket does: it reads b"" once the client
    has closed and nothing it sent is still unread. Pipelined bytes still
    waiting hide the close, and the response is then written as before.
    """
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        # A duplicate, because asyncio's socket wrapper has no recv.
        with socket.fromfd(sock.fileno(), sock.family, sock.type) as probe:
            return probe.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return True
    except OSError as exc:
        logger.debug("peeking at a client's socket failed: %s", exc)
        return False
