"""Second connections that explain a failure the first one could not.

`probe_auth_schemes`: for an https:// target, httpcore raises ProxyError when
the proxy rejects the CONNECT, and drops the response headers. So the probe sends
one more CONNECT to the proxy and reads only the response head, to learn which
authentication schemes the proxy requires. It sends nothing to the target.

`probe_tls_alert`: with TLS 1.3 the client finishes its handshake before the
server has checked the client's certificate, so a server that requires one (or
rejects the one it got) sends its alert while the request is already on the
way. The server then closes a socket with unread data, the client sees a reset,
and the alert is lost. The probe opens a second connection, completes the
handshake, sends nothing and waits briefly: a server that rejects the client
now sends its alert to a reader.
"""

import asyncio
import base64
import contextlib
import logging
import ssl

import httpx

from bchook_studio.core.delivery.proxies import basic_proxy_credentials
from bchook_studio.core.delivery.proxy_auth import auth_schemes

logger = logging.getLogger(__name__)


async def probe_auth_schemes(
    proxy_url: str,
    target: httpx.URL,
    context: ssl.SSLContext | None,
    timeout: float,
) -> tuple[str, ...]:
    """Send one CONNECT for `target` to the proxy and return its auth schemes.

    Returns () when the proxy cannot be reached, or its response has no
    Proxy-Authenticate header or does not arrive within `timeout` seconds.
    """
    proxy = httpx.URL(proxy_url)
    port = proxy.port or (443 if proxy.scheme == "https" else 80)
    authority = f"{target.host}:{target.port or 443}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    credentials = basic_proxy_credentials(proxy_url)
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode("utf-8")).decode()
        lines.append(f"Proxy-Authorization: Basic {token}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")

    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                proxy.host,
                port,
                ssl=context if proxy.scheme == "https" else None,
            )
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        # TimeoutError and ssl.SSLError are OSErrors too.
        logger.info("probing the proxy's authentication schemes failed: %r", exc)
        return ()
    finally:
        if writer is not None:
            await _close_quietly(writer)

    values = [
        value.strip()
        for name, _, value in (
            line.partition(":") for line in head.decode("latin-1").split("\r\n")[1:]
        )
        if name.strip().lower() == "proxy-authenticate"
    ]
    return auth_schemes(values)


async def probe_tls_alert(
    url: httpx.URL, context: ssl.SSLContext, timeout: float
) -> ssl.SSLError | None:
    """Return the TLS error the server sends on a quiet connection, or None.

    None means the server sent nothing within `timeout` seconds, closed
    cleanly, or could not be reached; the first failure then keeps its message.
    """
    port = url.port or 443
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                url.host, port, ssl=context, server_hostname=url.host
            )
            await reader.read(1)
    except ssl.SSLError as exc:
        logger.info("TLS probe of %s:%d: %s", url.host, port, exc)
        return exc
    except OSError as exc:
        # A TimeoutError here means the server waited for a request, as it should.
        logger.debug("TLS probe of %s:%d found nothing: %r", url.host, port, exc)
    finally:
        if writer is not None:
            await _close_quietly(writer)
    return None


async def _close_quietly(writer: asyncio.StreamWriter) -> None:
    """Close a probe connection, waiting at most a second, ignoring errors."""
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(1):
            await writer.wait_closed()
