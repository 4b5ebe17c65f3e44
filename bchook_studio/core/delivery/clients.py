"""Shared httpx clients: one per proxy and TLS configuration, reused across sends.

A new `httpx.AsyncClient` costs tens of milliseconds and loses its connection
pool, so deliveries borrow a client from the pool instead of making their own.
"""

import logging
from enum import Enum, auto

import httpx

from bchook_studio.core.delivery.tls import TlsSetting, build_ssl_context

logger = logging.getLogger(__name__)


class PoolState(Enum):
    """Lifecycle of a ClientPool."""

    OPEN = auto()
    CLOSED = auto()


class PoolClosedError(RuntimeError):
    """A client was requested from a pool that has been closed."""


class ClientPool:
    """Hands out shared AsyncClients and closes them all at the end."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str | None, TlsSetting], httpx.AsyncClient] = {}
        self.state = PoolState.OPEN

    def client_for(self, proxy: str | None, tls: TlsSetting) -> httpx.AsyncClient:
        """Return the client for this proxy and TLS setting, creating it once."""
        if self.state is PoolState.CLOSED:
            raise PoolClosedError("the HTTP client pool is closed; no more sends")

        key = (proxy, tls)
        client = self._clients.get(key)
        if client is None:
            client = httpx.AsyncClient(
                proxy=proxy,
                verify=build_ssl_context(tls),
                trust_env=False,
                follow_redirects=False,
                http2=False,
            )
            self._clients[key] = client
            logger.debug("created HTTP client %d", len(self._clients))
        return client

    async def aclose(self) -> None:
        """Close every client; the pool refuses further use afterwards."""
        self.state = PoolState.CLOSED
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
