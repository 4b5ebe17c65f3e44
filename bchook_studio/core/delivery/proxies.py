"""Which proxy, if any, a delivery goes through."""

import ipaddress
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class ProxyMode(StrEnum):
    """Where the proxy for a webhook comes from."""

    SYSTEM = "system"
    """The operating system's settings and the *_PROXY environment variables."""

    EXPLICIT = "explicit"
    NONE = "none"


@dataclass(frozen=True)
class ProxySetting:
    """A webhook's proxy choice."""

    mode: ProxyMode = ProxyMode.SYSTEM
    url: str = ""
    """The proxy URL when the mode is EXPLICIT."""


def is_loopback_host(host: str) -> bool:
    """True for localhost names and addresses in 127.0.0.0/8 or ::1."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_proxy(url: str, setting: ProxySetting = ProxySetting()) -> str | None:
    """Return the proxy URL to use for `url`, or None to connect directly.

    System and environment proxies never apply to loopback targets, so the
    built-in receiver works on machines with HTTP_PROXY set; an explicit proxy
    still applies.
    """
    if setting.mode is ProxyMode.NONE:
        return None
    if setting.mode is ProxyMode.EXPLICIT:
        return setting.url or None

    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or is_loopback_host(host):
        return None

    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(host):
        return None
    return proxies.get(parts.scheme) or proxies.get("all") or None
