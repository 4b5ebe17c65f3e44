"""Redirects: off by default, as for a webhook sender, and followed hop by hop when on.

Each followed redirect is recorded as a RedirectHop. A POST becomes a GET
without a body on 301, 302 and 303, as browsers and httpx do; 307 and 308 keep
the method and the body. Credentials are never sent to another origin (scheme,
host and port): Authorization, Proxy-Authorization, Cookie, every header that
is_secret_header names a credential by convention (X-Auth-Token, X-Api-Key,
X-Hub-Signature) and every header the user marks secret. No cookies are stored
from Set-Cookie, because a webhook sender keeps no cookie jar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bchook_studio.core.delivery.urls import (
    check_absolute_url,
    invalid_url_error,
)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})

if TYPE_CHECKING:
    import httpx


MAX_REDIRECT_LIMIT = 1000
"""The highest redirect limit the command line and cURL import accept. Browsers
stop at about 20; a webhook saved with a higher limit keeps it."""


@dataclass(frozen=True)
class RedirectSetting:
    """Whether a delivery follows redirects, and how many."""

    follow: bool = False
    max_redirects: int = 10
    """Redirects followed before the delivery fails with too_many_redirects."""

    def __post_init__(self) -> None:
        if self.max_redirects < 0:
            raise ValueError(
                f"the redirect limit {self.max_redirects} is negative; use 0 or more"
            )


@dataclass(frozen=True)
class RedirectHop:
    """One redirect response and the request that followed it."""

    method: str
    """Method of the request that was redirected."""

    url: str
    """URL of the request that was redirected."""

    status: int
    location: str
    """The Location header as received."""

    next_method: str = ""
    """Method of the request that followed, or '' when it was not followed."""

    next_url: str = ""
    """Absolute URL of the request that followed, or '' when it was not followed."""

    dropped_headers: tuple[str, ...] = ()
    """Credential headers not sent on, because the next URL is another origin."""

    body_dropped: bool = False
    """True when the next request went without the body (POST turned into GET)."""

    @property
    def followed(self) -> bool:
        """True when a request was sent to the Location."""
        return bool(self.next_url)

    @property
    def method_changed(self) -> bool:
        """True when the next request used another method."""
        return self.followed and self.next_method != self.method


@dataclass(frozen=True)
class NextRequest:
    """The request to send after a redirect."""

    method: str
    url: httpx.URL
    headers: list[tuple[str, bytes]]
    body: bytes | None
    hop: RedirectHop


def is_redirect(status: int, location: str) -> bool:
    """True for a response that a client following redirects follows."""
    return status in REDIRECT_STATUSES and bool(location)


def redirect_method(status: int, method: str) -> str:
    """Return the method of the request that follows a `status` redirect."""
    if status == 303 and method != "HEAD":
        return "GET"
    if status in {301, 302} and method == "POST":
        return "GET"
    return method


def origin(url: httpx.URL) -> tuple[str, str, int]:
    """Return scheme, host and port, with the scheme's default port filled in."""
    default = 443 if url.scheme == "https" else 80
    return url.scheme, url.host, url.port or default


def plan_redirect(
    method: str,
    url: httpx.URL,
    headers: list[tuple[str, bytes]],
    body: bytes | None,
    status: int,
    location: str,
    secret_headers: frozenset[str],
) -> NextRequest:
    """Return the request that follows a redirect, or raise InvalidUrlError.

    `secret_headers` contains the names of custom headers the user marked
    secret, in any case. When the origin changes, they are dropped together with the
    standard credential headers and every header that is_secret_header matches.
    """
    import httpx

    # Imported here because request.py imports RedirectSetting from this module.
    from bchook_studio.core.delivery.request import is_secret_header

    subject = f"The redirect from {url.host} to {location!r}"
    try:
        joined = str(url.join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise invalid_url_error(location, subject, exc, from_server=True) from exc
    target = check_absolute_url(joined, subject, from_server=True)
    next_method = redirect_method(status, method)
    to_get = next_method == "GET" and method != "GET"

    marked = CREDENTIAL_HEADERS | {name.lower() for name in secret_headers}
    forwarded: list[tuple[str, bytes]] = []
    dropped: list[str] = []
    cross_origin = origin(target) != origin(url)
    for name, value in headers:
        lowered = name.lower()
        if to_get and lowered in _BODY_HEADERS:
            continue
        credential = lowered in marked or is_secret_header(lowered)
        if cross_origin and credential:
            dropped.append(name)
            continue
        forwarded.append((name, value))

    hop = RedirectHop(
        method=method,
        url=str(url),
        status=status,
        location=location,
        next_method=next_method,
        next_url=str(target),
        dropped_headers=tuple(dropped),
        body_dropped=to_get and bool(body),
    )
    return NextRequest(next_method, target, forwarded, None if to_get else body, hop)


def chain_text(hops: tuple[RedirectHop, ...] | list[RedirectHop]) -> str:
    """Return the chain as one line: `POST http://a/ → 302 → GET http://b/ → …`."""
    if not hops:
        return ""
    parts = [f"{hops[0].method} {hops[0].url}"]
    for hop in hops:
        parts.append(str(hop.status))
        if hop.followed:
            parts.append(f"{hop.next_method} {hop.next_url}")
        else:
            parts.append(f"Location {hop.location}")
    return " → ".join(parts)


def repeated_url(hops: tuple[RedirectHop, ...] | list[RedirectHop]) -> str | None:
    """Return the first URL the chain requested twice, or None."""
    seen: set[str] = set()
    for hop in hops:
        if hop.url in seen:
            return hop.url
        seen.add(hop.url)
    return None
