"""Settings of the receiver: its address, its rules and the limits it enforces."""

from dataclasses import dataclass, field

from bchook_studio.core.caps import MIB
from bchook_studio.core.receiver.request_log import DEFAULT_MAX_BYTES, DEFAULT_MAX_COUNT
from bchook_studio.core.receiver.rules import DEFAULT_RULE, ResponseRule

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PORT_FALLBACK_ATTEMPTS = 20
"""Ports tried, the requested one included, when `port_fallback` is on."""

TIMEOUT_NAMES = ("keep_alive_timeout", "head_timeout", "body_timeout")


@dataclass(frozen=True)
class ReceiverLimits:
    """Sizes and times the receiver enforces on each request and on its log."""

    max_body: int = 10 * MIB
    """Bytes of request body accepted; a larger body gets 413."""

    max_header_size: int = 64 * 1024
    """Bytes of request line and headers accepted; more gets 431."""

    max_kept_requests: int = DEFAULT_MAX_COUNT
    max_kept_bytes: int = DEFAULT_MAX_BYTES
    """Approximate bytes of requests kept in memory, bodies and headers."""

    keep_alive_timeout: float = 10.0
    """Seconds a connection may wait for the first byte of its next request
    (or of its first) before the receiver closes it without a response. It is
    longer than the 5 s after which httpx 0.29 stops reusing a pooled
    connection (`keepalive_expiry`), so the app's own sender does not reuse a
    connection the receiver is closing. Node.js closes after 5 s by default
    (`server.keepAliveTimeout`)."""

    head_timeout: float = 10.0
    """Seconds from the first byte of a request to the end of its request line
    and headers. A head still incomplete then gets 408, however steadily its
    bytes arrive, so a client that sends a byte now and then cannot hold the
    connection."""

    body_timeout: float = 20.0
    """Seconds a request body may stop arriving before the request gets 408.
    Each byte received starts the wait again."""

    min_body_rate: int = 500
    """Bytes per second a request body must keep up on average. A body gets
    `body_timeout` seconds from the end of its head, plus one second for each
    `min_body_rate` bytes received, and then 408, so a client that sends a
    byte just before each `body_timeout` cannot hold the connection. With
    the defaults this is Apache httpd's default for request bodies,
    `RequestReadTimeout body=20,MinRate=500` (mod_reqtimeout)."""

    max_connections: int = 200
    """Client connections served at once. A connection over the limit gets
    503 and is closed before its request is read. The default stays well below
    the usual limits on open files per process (1024 on Linux, 256 on macOS)."""

    def __post_init__(self) -> None:
        for name in (
            "max_body",
            "max_header_size",
            "max_kept_requests",
            "max_connections",
            "min_body_rate",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"invalid {name} {getattr(self, name)}; use 1 or more")
        if self.max_kept_bytes < self.max_body + self.max_header_size:
            raise ValueError(
                f"max_kept_bytes {self.max_kept_bytes} cannot hold one request of "
                f"max_body {self.max_body} plus max_header_size "
                f"{self.max_header_size}; raise it or lower those"
            )
        for name in TIMEOUT_NAMES:
            if not getattr(self, name) > 0:
                raise ValueError(
                    f"invalid {name} {getattr(self, name)}; use a number of "
                    "seconds above 0"
                )

    @property
    def shortest_timeout(self) -> float:
        """Return the smallest of the connection timeouts, in seconds."""
        return min(getattr(self, name) for name in TIMEOUT_NAMES)


@dataclass(frozen=True)
class ReceiverSettings:
    """The receiver's address, response rules and limits."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    """0 picks a free port."""

    port_fallback: bool = False
    """When the port is taken, try the next ones (PORT_FALLBACK_ATTEMPTS in all)."""

    allow_non_loopback: bool = False
    """Listening on an address other machines can reach needs this."""

    limits: ReceiverLimits = field(default_factory=ReceiverLimits)
    rules: tuple[ResponseRule, ...] = (DEFAULT_RULE,)
    """The rules a new Receiver starts with; `Receiver.set_rules` replaces them."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"invalid port {self.port}; use 0 to 65535")
        if not self.host.strip():
            raise ValueError("the receiver host is empty; use 127.0.0.1")
