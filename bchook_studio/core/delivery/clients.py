"""Shared httpx clients: one per proxy and TLS configuration, reused across sends.

A new `httpx.AsyncClient` costs tens of milliseconds and loses its connection
pool, so deliveries borrow a client from the pool instead of making their own.
The pool also notices when a file named in the TLS setting (CA bundle, client
certificate or key) changes on disk, by its modification time and size, and
then builds a new client for that setting. The old client is closed with the
pool, because a delivery may still be using it.
"""

import logging
import ssl
from dataclasses import dataclass
from enum import Enum, auto

import httpx

from bchook_studio.core.delivery.proxies import mask_proxy_url
from bchook_studio.core.delivery.ssl_context import build_ssl_context
from bchook_studio.core.delivery.tls import FileState, TlsSetting, file_state

logger = logging.getLogger(__name__)


class PoolState(Enum):
    """Lifecycle of a ClientPool."""

    OPEN = auto()
    CLOSED = auto()


class PoolClosedError(RuntimeError):
    """A client was requested from a pool that has been closed."""


@dataclass
class _Entry:
    client: httpx.AsyncClient
    context: ssl.SSLContext
    files: tuple[FileState, ...]


class ClientPool:
    """Hands out shared AsyncClients and closes them all at the end."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str | None, TlsSetting], _Entry] = {}
        self._retired: list[httpx.AsyncClient] = []
        self.state = PoolState.OPEN

    def client_for(self, proxy: str | None, tls: TlsSetting) -> httpx.AsyncClient:
        """Return the client for this proxy and TLS setting, creating it once.

        Raises TlsSettingError when the TLS setting's files cannot be used, and
        PoolClosedError after `aclose`.
        """
        return self._entry(proxy, tls).client

    def ssl_context_for(self, proxy: str | None, tls: TlsSetting) -> ssl.SSLContext:
        """Return the SSL context of the client for this proxy and TLS setting."""
        return self._entry(proxy, tls).context

    def _entry(self, proxy: str | None, tls: TlsSetting) -> _Entry:
        if self.state is PoolState.CLOSED:
            raise PoolClosedError("the HTTP client pool is closed; no more sends")

        key = (proxy, tls)
        files = file_state(tls)
        entry = self._entries.get(key)
        if entry is not None and entry.files == files:
            return entry

        context = build_ssl_context(tls)
        if entry is not None:
            logger.info("a TLS file changed; building a new HTTP client")
            self._retired.append(entry.client)
        entry = _Entry(_new_client(proxy, context), context, files)
        self._entries[key] = entry
        logger.debug(
            "created HTTP client %d (proxy %s, %r)",
            len(self._entries),
            mask_proxy_url(proxy) if proxy else "none",
            tls,
        )
        return entry

    async def aclose(self) -> None:
        """Close every client; the pool refuses further use afterwards."""
        self.state = PoolState.CLOSED
        clients = [entry.client for entry in self._entries.values()]
        clients += self._retired
        self._entries, self._retired = {}, []
        for client in clients:
            await client.aclose()


HIDDEN_HEADERS = "bchook_studio.headers"
"""The response extension that contains the headers `_hide_location` replaced."""


async def _hide_location(response: httpx.Response) -> None:
    """Hide a redirect's Location header from httpx until the send returns.

    httpx builds the next request of a redirect even when it does not follow
    it, and a Location it cannot parse (`http://[::1`, a control character)
    raised from `send`, so the response was lost. The send path follows
    redirects itself and puts the headers back with `restore_headers`.
    """
    if response.has_redirect_location:
        response.extensions[HIDDEN_HEADERS] = response.headers
        response.headers = httpx.Headers(
            [
                (name, value)
                for name, value in response.headers.raw
                if name.lower() != b"location"
            ]
        )


def restore_headers(response: httpx.Response) -> httpx.Response:
    """Put back the headers that `_hide_location` hid, and return `response`."""
    hidden = response.extensions.pop(HIDDEN_HEADERS, None)
    if hidden is not None:
        response.headers = hidden
    return response


def _new_client(proxy: str | None, context: ssl.SSLContext) -> httpx.AsyncClient:
    # An https:// proxy is verified like the target, with the same context.
    proxy_setting: httpx.Proxy | None = None
    if proxy is not None:
        secure = proxy.lower().startswith("https://")
        proxy_setting = httpx.Proxy(proxy, ssl_context=context if secure else None)
    return httpx.AsyncClient(
        proxy=proxy_setting,
        verify=context,
        trust_env=False,
        follow_redirects=False,
        http2=False,
        event_hooks={"response": [_hide_location]},
    )
