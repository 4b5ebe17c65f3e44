"""Turn the exceptions of a failed exchange into a Failure, once, in one place."""

import ast
import asyncio
import re
import socket
import ssl
from collections.abc import Iterator

import anyio
import httpx

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.result import Failure
from bchook_studio.core.delivery.tls_messages import describe_tls_error

RESPONSE_HEAD_LIMIT = 100 * 1024
"""Maximum bytes that h11 buffers while a response head is still incomplete.

httpcore 1.0.9 passes AsyncHTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE (100 KiB)
to h11.Connection in place of h11's default of 16 KiB, and httpx 0.29 does not
change it. When h11 0.16 has buffered more than this without a complete event,
it raises "Receive buffer too long".
"""

_FIRST_LINE_MAX_CHARS = 80
"""Maximum characters of a server's first line quoted in a message."""


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """Yield `exc` and every exception chained under it, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((cause for cause in _causes(exc) if isinstance(cause, kind)), None)


def _detail(exc: BaseException) -> str:
    """Return the innermost non-empty message of the chain, with its type."""
    for cause in reversed(list(_causes(exc))):
        if isinstance(cause, asyncio.CancelledError):
            continue  # anyio cancels a scope to enforce a timeout; that is noise
        text = str(cause).strip()
        if text:
            return f"{type(cause).__name__}: {text}"
    return type(exc).__name__


def host_port(url: httpx.URL) -> str:
    """Return `host:port` of `url`, with the scheme's default port filled in."""
    port = url.port or (443 if url.scheme == "https" else 80)
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{host}:{port}"


def classify(
    exc: BaseException,
    url: httpx.URL,
    timeout: float,
    *,
    proxy: str | None = None,
    client_cert: bool = False,
) -> Failure:
    """Return the Failure for an exception raised while sending to `url`.

    `timeout` is the per-operation timeout in seconds, named in timeout messages.
    `proxy` is the proxy in use, its password masked, and `client_cert` is
    True when the webhook sent a client certificate.
    """
    detail = _detail(exc)
    where = host_port(url)

    tls_error = _find(exc, ssl.SSLError)
    if isinstance(exc, httpx.ProxyError):
        return _tunnel_rejected(proxy, where, detail)
    connect_error = isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError)
    if proxy is not None and tls_error is None and connect_error:
        # Through a proxy, only the connection to the proxy itself can fail this way.
        return _proxy_unreachable(exc, proxy, timeout, detail)

    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure(
            FailureKind.CONNECT_TIMEOUT,
            f"Connecting to {where} timed out after {timeout:g} s. Check that the "
            "host is reachable and the port is open, or raise the timeout.",
            detail,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return Failure(
            FailureKind.READ_TIMEOUT,
            f"{where} accepted the request but sent nothing for {timeout:g} s. "
            "The endpoint may be slow or stuck: raise the timeout or check its logs.",
            detail,
        )
    if isinstance(exc, httpx.WriteTimeout):
        return Failure(
            FailureKind.WRITE_TIMEOUT,
            f"Sending the body to {where} stalled for {timeout:g} s. The server "
            "stopped reading: check its upload limits.",
            detail,
        )
    if isinstance(exc, httpx.DecodingError):
        return Failure(
            FailureKind.DECODING,
            f"The body from {where} could not be decoded: {detail}.",
            detail,
        )

    if tls_error is not None:
        # NOTE: through an https:// proxy, a TLS failure with the proxy itself is
        # reported here as one with the target too.
        message = describe_tls_error(
            tls_error, url.host, where, client_cert=client_cert
        )
        return Failure(FailureKind.TLS, message, detail)

    if isinstance(exc, httpx.ConnectError):
        return _connect_failure(exc, url, where, detail)

    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return _broken_exchange(exc, where, detail)

    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Failure(
            FailureKind.INVALID_URL,
            f"The URL {str(url)!r} cannot be used: {detail}. "
            "Use an http:// or https:// URL.",
            detail,
        )
    if isinstance(exc, httpx.LocalProtocolError):
        return Failure(
            FailureKind.INVALID_REQUEST,
            f"The request could not be written: {detail}. Check the custom headers.",
            detail,
        )
    return Failure(
        FailureKind.PROTOCOL,
        f"The exchange with {where} failed: {detail}.",
        detail,
    )


def _tunnel_rejected(proxy: str | None, where: str, detail: str) -> Failure:
    """Return the Failure for a proxy that rejected a tunnel (CONNECT) request."""
    status = detail.removeprefix("ProxyError: ")
    return Failure(
        FailureKind.PROXY,
        f"The proxy {proxy or 'in use'} rejected the tunnel to {where}: it responded "
        f"{status}. Check that the proxy allows connections to that host and port.",
        detail,
    )


def _proxy_unreachable(
    exc: BaseException, proxy: str, timeout: float, detail: str
) -> Failure:
    if isinstance(exc, httpx.ConnectTimeout):
        reason = f"the connection timed out after {timeout:g} s"
    elif _find(exc, socket.gaierror) is not None:
        reason = "its host name could not be resolved"
    elif _find(exc, ConnectionRefusedError) is not None or "refused" in detail.lower():
        reason = "nothing is listening on its port"
    else:
        reason = detail
    return Failure(
        FailureKind.PROXY,
        f"Could not connect to the proxy {proxy}: {reason}. Check the proxy "
        "settings, or choose no proxy for this webhook.",
        detail,
    )


def _connect_failure(
    exc: BaseException, url: httpx.URL, where: str, detail: str
) -> Failure:
    if _find(exc, socket.gaierror) is not None:
        return Failure(
            FailureKind.DNS,
            f"The host name {url.host!r} could not be resolved. Check the spelling "
            "of the URL and your network or VPN connection.",
            detail,
        )
    if _find(exc, ConnectionRefusedError) is not None or "refused" in detail.lower():
        return Failure(
            FailureKind.REFUSED,
            f"{where} refused the connection: nothing is listening on that port. "
            "Check the port in the URL and that the server is running.",
            detail,
        )
    if _find(exc, TimeoutError) is not None:
        return Failure(
            FailureKind.CONNECT_TIMEOUT,
            f"Connecting to {where} timed out. Check that the host is reachable.",
            detail,
        )
    return Failure(
        FailureKind.REFUSED,
        f"Could not connect to {where}: {detail}. Check the URL and your network.",
        detail,
    )


def _broken_exchange(exc: BaseException, where: str, detail: str) -> Failure:
    lowered = detail.lower()
    if "receive buffer too long" in lowered:
        return _head_too_large(where, detail)

    # The server sent bytes, so this is checked before the words of a dropped
    # connection, which the quoted bytes may contain.
    rejected_start = _REJECTED_START.search(detail)
    if rejected_start is not None:
        failure = _not_http1(where, detail, rejected_start.group("line"))
        if failure is not None:
            return failure

    if _SWITCHED_PROTOCOL in detail:
        return Failure(
            FailureKind.PROTOCOL,
            f"{where} responded 101 Switching Protocols, which hands the connection "
            "over to another protocol (such as WebSocket) that the request did not "
            "ask for. A webhook endpoint must respond with a final status such as "
            "200: check that the URL points at the webhook handler.",
            detail,
        )

    dropped = (
        _find(exc, ConnectionResetError) is not None
        or _find(exc, BrokenPipeError) is not None
        # anyio raises these, without a cause, once an earlier write has failed.
        or _find(exc, anyio.BrokenResourceError) is not None
        or _find(exc, anyio.ClosedResourceError) is not None
        or "disconnected" in lowered
        or "closed" in lowered
        or "reset" in lowered
        or "incomplete" in lowered
    )
    if dropped:
        return Failure(
            FailureKind.RESET,
            f"{where} closed the connection before the answer was complete. "
            "The endpoint may have crashed or rejected the request: check its logs.",
            detail,
        )
    return Failure(
        FailureKind.PROTOCOL,
        f"{where} sent an answer that is not valid HTTP/1.1: "
        f"{_readable_bytes(detail)}.",
        detail,
    )


def _head_too_large(where: str, detail: str) -> Failure:
    # NOTE: h11 raises the same error for a chunk-size line or a trailer section
    # longer than the limit, and this message then still names the response head.
    limit_kib = RESPONSE_HEAD_LIMIT // 1024
    return Failure(
        FailureKind.PROTOCOL,
        f"The response head from {where} was larger than the {limit_kib} KiB limit "
        "of the HTTP client: the server sent too many or too long header lines. "
        "Check the response headers that the server sends.",
        detail,
    )


# h11 0.16 rejects the start of a response in two ways. "illegal status line:
# bytearray(b'...')" quotes a first line that is not a status line. "illegal
# request line", despite its name, means that the first byte is below 0x21 (a
# control byte or a space) before a blank line has arrived, and quotes nothing.
_REJECTED_START = re.compile(
    r"illegal (?:status|request) line(?:: (?P<line>.*))?$", re.DOTALL
)

_SWITCHED_PROTOCOL = "_SWITCH_UPGRADE"
"""Part of the message h11 0.16 raises for a 101 response to a request that
asked for no upgrade."""

_SEND_HTTP1 = (
    "Hook Studio sends HTTP/1.1: point the URL at an HTTP/1.1 endpoint, or turn "
    "on HTTP/1.1 on the server."
)


def _not_http1(where: str, detail: str, quoted: str | None) -> Failure | None:
    """Return the Failure for a response that does not start with a status line.

    `quoted` is the first line as h11 quoted it, or None when h11 quoted nothing.
    Returns None when the quoted line cannot be read back as bytes.
    """
    if quoted is None:
        return Failure(
            FailureKind.PROTOCOL,
            f"{where} did not respond with HTTP/1.1: its response starts with a "
            "control byte or a space, not with a status line such as "
            "'HTTP/1.1 200 OK'. "
            "A server that speaks only HTTP/2 on this port (h2c with prior "
            "knowledge) responds this way, and so do other binary protocols. "
            f"{_SEND_HTTP1}",
            detail,
        )

    first_line = _quoted_bytes(quoted)
    if first_line is None:
        return None

    http2_start = _http2_start(first_line)
    if http2_start is not None:
        return Failure(
            FailureKind.PROTOCOL,
            f"{where} did not respond with HTTP/1.1: its response starts like "
            f"{http2_start}, so the server expects HTTP/2 on this port. {_SEND_HTTP1}",
            detail,
        )

    text = first_line.decode("latin-1")
    quoted_line = repr(text[:_FIRST_LINE_MAX_CHARS])
    if len(text) > _FIRST_LINE_MAX_CHARS:
        quoted_line += "..."
    return Failure(
        FailureKind.PROTOCOL,
        f"{where} did not respond with HTTP/1.1: its first line {quoted_line} is "
        "not valid HTTP/1.1, where a status line such as 'HTTP/1.1 200 OK' should "
        "be. Check that the port in the URL belongs to a web server.",
        detail,
    )


def _quoted_bytes(quoted: str) -> bytes | None:
    """Return the bytes of a literal that h11 quoted as bytearray(b'...'), or None."""
    literal = quoted.removeprefix("bytearray(").removesuffix(")")
    try:
        value = ast.literal_eval(literal)
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, bytes) else None


_HTTP2_PREFACE = b"PRI * HTTP/2.0"
_SETTINGS_FRAME = 0x4
_SETTING_SIZE = 6


def _http2_start(data: bytes) -> str | None:
    """Return a description of the HTTP/2 element that `data` starts like, or None.

    A client's HTTP/2 connection preface starts with "PRI * HTTP/2.0", and the
    first frame a server sends is SETTINGS. A frame starts with a 9-byte header:
    payload length (3 bytes), type, flags, and stream id (4 bytes), which is 0
    for SETTINGS. Each setting takes 6 bytes of the payload.
    """
    if data.startswith(_HTTP2_PREFACE):
        return f"the HTTP/2 connection preface {_HTTP2_PREFACE.decode()!r}"

    if len(data) < 9 or data[3] != _SETTINGS_FRAME:
        return None
    length = int.from_bytes(data[0:3], "big")
    stream_id = int.from_bytes(data[5:9], "big") & 0x7FFF_FFFF
    if stream_id != 0 or length % _SETTING_SIZE != 0:
        return None
    return f"an HTTP/2 SETTINGS frame (first bytes {data[:9].hex(' ')})"


# h11 quotes the offending bytes as bytearray(b'...') or b'...'.
_QUOTED_BYTES = re.compile(r"(?:bytearray\()?b(['\"])(.*?)\1\)?", re.DOTALL)


def _readable_bytes(text: str) -> str:
    """Return `text` with Python byte literals shown as the quoted text they hold."""

    def readable(match: re.Match[str]) -> str:
        try:
            quote = match.group(1)
            value = ast.literal_eval(f"b{quote}{match.group(2)}{quote}")
        except (SyntaxError, ValueError):
            return match.group(0)
        return repr(value.decode("latin-1"))

    return _QUOTED_BYTES.sub(readable, text)
