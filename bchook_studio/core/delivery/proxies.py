"""Which proxy, if any, a delivery goes through.

Proxies come from the operating system's settings and the *_PROXY environment
variables (through `urllib.request.getproxies` and `proxy_bypass`), or from an
explicit URL on the webhook. http:// and https:// proxies are supported, with
Basic credentials in the URL (`http://user:password@host:port`), which httpx
sends as Proxy-Authorization.

NOTE: httpx 0.28 and 0.29 support neither PAC/WPAD scripts nor NTLM or
Negotiate (Kerberos) proxy authentication. A proxy that requires them responds
with 407, and the delivery fails with a message naming the scheme. SOCKS
proxies would need the socksio package, which Hook Studio does not ship.

urllib.request and httpx are imported by the functions that use them, because
the window needs this module at start-up and neither package before a send.
"""

import functools
import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

_SUPPORTED_SCHEMES = frozenset({"http", "https"})


class ProxyMode(StrEnum):
    """Where the proxy for a webhook comes from."""

    SYSTEM = "system"
    """The operating system's settings and the *_PROXY environment variables."""

    EXPLICIT = "explicit"
    NONE = "none"


class ProxySettingError(ValueError):
    """A proxy URL that cannot be used; a delivery fails with kind `proxy`."""


@dataclass(frozen=True)
class ProxySetting:
    """A webhook's proxy choice."""

    mode: ProxyMode = ProxyMode.SYSTEM
    url: str = ""
    """The proxy URL when the mode is EXPLICIT; it may carry Basic credentials."""


@functools.lru_cache(maxsize=256)
def is_loopback_host(host: str) -> bool:
    """True for localhost names and addresses in 127.0.0.0/8 or ::1.

    Cached, because every send checks its host and parsing an address took
    about 10 µs.
    """
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
    still applies. Raises ProxySettingError for a proxy URL that cannot be used.
    """
    if setting.mode is ProxyMode.NONE:
        return None
    if setting.mode is ProxyMode.EXPLICIT:
        if not setting.url.strip():
            raise ProxySettingError(
                "The webhook is set to use an explicit proxy, but its proxy URL is "
                "empty. Enter the proxy URL, or choose the system proxy or none."
            )
        return check_proxy_url(setting.url, "The webhook's proxy URL")

    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or is_loopback_host(host):
        return None

    import urllib.request

    proxies = urllib.request.getproxies()
    if urllib.request.proxy_bypass(host):
        return None
    found = proxies.get(parts.scheme) or proxies.get("all")
    if not found:
        return None
    return check_proxy_url(
        found, f"The system proxy setting for {parts.scheme}:// URLs"
    )


def check_proxy_url(text: str, subject: str) -> str:
    """Return a usable proxy URL, or raise ProxySettingError starting with `subject`.

    A URL without a scheme, as some *_PROXY variables hold, gets http://. The
    password in the URL is registered as a secret so that logs mask it.
    """
    import httpx

    from bchook_studio.core.logs import register_secret

    stripped = text.strip()
    if "://" not in stripped:
        stripped = "http://" + stripped
    masked = mask_proxy_url(stripped)
    try:
        url = httpx.URL(stripped)
        # httpx decodes an IDNA host name only when .host is read.
        host = url.host
    except (httpx.InvalidURL, ValueError) as exc:
        raise ProxySettingError(
            f"{subject} {masked!r} is invalid: {exc}. Write it as "
            "http://host:port or http://user:password@host:port."
        ) from None

    register_secret(url.password)
    if url.scheme.startswith("socks"):
        raise ProxySettingError(
            f"{subject} {masked!r} is a SOCKS proxy, which Hook Studio does not "
            "support. Use an http:// or https:// proxy."
        )
    if url.scheme not in _SUPPORTED_SCHEMES:
        raise ProxySettingError(
            f"{subject} {masked!r} uses the scheme {url.scheme!r}. Use an http:// or "
            "https:// proxy URL."
        )
    if not host:
        raise ProxySettingError(
            f"{subject} {masked!r} has no host name. Write it as http://host:port."
        )
    if url.port is not None and not 0 < url.port < 65536:
        raise ProxySettingError(
            f"{subject} {masked!r} has the port {url.port}, which does not exist. "
            "Use a port from 1 to 65535."
        )
    return stripped


def mask_proxy_url(url: str) -> str:
    """Return `url` with the password of its user-info replaced by a mask.

    `http://carol:secret@proxy:3128` becomes `http://carol:********@proxy:3128`.
    """
    from bchook_studio.core.logs import MASK

    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    authority, slash, path = rest.partition("/")
    user_info, at, host_port = authority.rpartition("@")
    if not at:
        return url
    username, colon, _password = user_info.partition(":")
    masked = f"{username}:{MASK}" if colon else username
    return f"{scheme}://{masked}@{host_port}{slash}{path}"


def proxy_display(url: str | None) -> str | None:
    """Return the proxy URL as a delivery record shows it, credentials masked."""
    return None if url is None else mask_proxy_url(url)


def basic_proxy_credentials(url: str) -> tuple[str, str] | None:
    """Return the user name and password in a proxy URL, decoded, or None."""
    import httpx

    parsed = httpx.URL(url)
    if not parsed.username and not parsed.password:
        return None
    return parsed.username, parsed.password or ""
