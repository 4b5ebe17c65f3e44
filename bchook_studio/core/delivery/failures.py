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
