"""The request every exporter writes: method, URL, headers, body, credentials.

Build one from a request as sent (`from_sent`), a request about to be sent
(`from_outgoing`), a history entry (`from_history`), or any method, URL,
headers and body such as the Inbox receives (`RequestRecord` itself). The
builders mask secrets unless `show_secrets` is true.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bchook_studio.core.delivery.proxies import ProxyMode
from bchook_studio.core.delivery.request import OutgoingRequest, Timeouts
from bchook_studio.core.delivery.result import SentRequest, header_value
from bchook_studio.core.export.masking import (
    MASK,
    basic_credentials,
    mask_headers,
    mask_url,
)

if TYPE_CHECKING:
    from bchook_studio.core.store.history import StoredRequest

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RequestRecord:
    """An HTTP request as an exporter writes it."""

    method: str
    url: str
    headers: Headers
    """Every header sent, in order, Authorization included (masked or not)."""

    body: bytes = field(default=b"", repr=False)
    basic_auth: tuple[str, str] | None = field(default=None, repr=False)
    """(username, password) when Authorization is HTTP Basic; the password is
    MASK when masked. Exporters that have a credentials option use it in place
    of the Authorization header."""

    body_size: int | None = None
    """The size of the body as sent when `body` is only its first part."""

    insecure: bool = False
    """True when the server's TLS certificate is not verified."""

    proxy: str | None = None
    """An explicit proxy URL (masked like the URL), or None."""

    ca_bundle: str = ""
    """A CA file trusted in addition to the system's, or ''."""

    client_cert: str = ""
    client_key: str = ""
    client_cert_password: str = field(default="", repr=False)
    """The client certificate's password, MASK when masked, or ''."""

    follow_redirects: bool | None = None
    """True to follow redirects, False not to, None when unknown (a request as sent)."""

    max_redirects: int = 10
    timeouts: Timeouts | None = None
    """The webhook's timeouts; None when unknown (a request as sent)."""

    @property
    def body_truncated(self) -> bool:
        """True when `body` is shorter than the body that was sent."""
        return self.body_size is not None and self.body_size > len(self.body)

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        return header_value(self.headers, name)


def from_sent(
    sent: SentRequest,
    *,
    show_secrets: bool = False,
    secret_query_parameters: Iterable[str] = (),
) -> RequestRecord:
    """Return the request exactly as it went on the wire, masked unless asked."""
    credentials = basic_credentials(sent.header("authorization") or "")
    if show_secrets:
        return RequestRecord(
            sent.method, sent.url, sent.headers, sent.body, credentials
        )

    if credentials is not None:
        credentials = (credentials[0], MASK)
    return RequestRecord(
        method=sent.method,
        url=mask_url(sent.url, secret_query_parameters),
        headers=mask_headers(sent.headers, sent.secret_headers),
        body=sent.body,
        basic_auth=credentials,
    )


def from_outgoing(
    request: OutgoingRequest,
    *,
    show_secrets: bool = False,
    secret_query_parameters: Iterable[str] = (),
) -> RequestRecord:
    """Return a request that was not sent yet, with the headers it would carry.

    Host and Content-Length are left out because they come from the URL and
    the body. Raises RequestProblem for a header that cannot be sent.
    """
    headers = tuple(
        (name, value.decode("utf-8")) for name, value in request.wire_headers()
    )
    credentials = None
    if request.auth is not None:
        credentials = (request.auth.username, request.auth.password)
    url = request.url
    proxy = request.proxy.url or None
    tls = request.tls
    cert_password = tls.client_cert_password
    if not show_secrets:
        url = mask_url(url, secret_query_parameters)
        headers = mask_headers(headers, request.masked_names())
        proxy = None if proxy is None else mask_url(proxy)
        cert_password = MASK if cert_password else ""
        if credentials is not None:
            credentials = (credentials[0], MASK)
    return RequestRecord(
        method=request.method,
        url=url,
        headers=headers,
        body=request.body,
        basic_auth=credentials,
        insecure=not tls.verify,
        proxy=proxy if request.proxy.mode is ProxyMode.EXPLICIT else None,
        ca_bundle=tls.ca_bundle if tls.verify else "",
        client_cert=tls.client_cert,
        client_key=tls.client_key,
        client_cert_password=cert_password,
        follow_redirects=request.redirects.follow,
        max_redirects=request.redirects.max_redirects,
        timeouts=request.timeouts,
    )


def from_history(stored: "StoredRequest") -> RequestRecord:
    """Return a history entry's request; it was masked when it was recorded."""
    credentials = None
    if stored.basic_username is not None:
        value = header_value(stored.headers, "authorization") or ""
        credentials = basic_credentials(value) or (stored.basic_username, MASK)
    return RequestRecord(
        method=stored.method,
        url=stored.url,
        headers=stored.headers,
        body=stored.body,
        basic_auth=credentials,
        body_size=stored.body_size,
    )
