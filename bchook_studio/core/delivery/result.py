"""The result of one delivery: the request as sent, the answer or the failure."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.redirects import RedirectHop
from bchook_studio.core.delivery.request import (
    SECRET_HEADERS,
    is_secret_header,
    mask_header_value,
)

Headers = tuple[tuple[str, str], ...]


def header_value(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """Return the first value of header `name` (case-insensitive), or None."""
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


@dataclass(frozen=True)
class Failure:
    """Why a delivery got no complete answer, in a stable kind and plain words."""

    kind: FailureKind
    message: str
    """One sentence for people: what failed, on which value, what to do next."""

    detail: str = ""
    """The underlying error as the library reported it, for the log and reports."""


@dataclass(frozen=True)
class SentRequest:
    """The request exactly as it went on the wire (headers include Host)."""

    method: str
    url: str
    headers: Headers
    body: bytes = field(repr=False)
    secret_headers: frozenset[str] = SECRET_HEADERS

    def masked_headers(self) -> Headers:
        """Return the headers with secret values replaced by a mask."""
        return tuple(
            (name, mask_header_value(name, value))
            if name.lower() in self.secret_headers or is_secret_header(name)
            else (name, value)
            for name, value in self.headers
        )

    def header(self, name: str) -> str | None:
        """Return the first value of header `name`, or None."""
        return header_value(self.headers, name)


@dataclass(frozen=True)
class ReceivedResponse:
    """The answer: status line, headers and the body as far as it was kept."""

    status: int
    reason: str
    http_version: str
    headers: Headers
    body: bytes = field(repr=False)
    size: int
    """Bytes of the body received after decoding, including any cut off."""

    truncated: bool = False
    """True when the body went past the capture cap and was cut there."""

    def header(self, name: str) -> str | None:
        """Return the first value of header `name`, or None."""
        return header_value(self.headers, name)

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, lower-case, or ''."""
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()

    @property
    def status_class(self) -> str:
        """Return the status class, such as '2xx'."""
        return f"{self.status // 100}xx"


@dataclass(frozen=True)
class DeliveryResult:
    """Everything known about one delivery once it has ended."""

    url: str
    started_at: datetime
    elapsed_ms: float
    request: SentRequest | None = None
    """None when the request never reached the wire (bad URL, cancelled early)."""

    response: ReceivedResponse | None = None
    failure: Failure | None = None
    """Set for a failure; a decoding failure keeps the response beside it."""

    headers_ms: float | None = None
    """Time from the start to the response headers."""

    redirects: tuple[RedirectHop, ...] = ()
    """Redirect answers in order, each with the request that followed it.

    `request` is the first request; each hop's next_method and next_url give
    the ones after it. A hop that was not followed ends the chain.
    """

    proxy: str | None = None
    """The proxy of the first request, its password masked, or None for direct."""

    tls_verified: bool | None = None
    """Whether https requests checked the server's certificate.

    True when they did (a certificate that fails the check is a `tls` failure),
    False when the webhook turned checking off, None when no request used https.
    """

    notes: tuple[str, ...] = ()
    """Plain warnings for the user, such as verification being off."""

    @property
    def ok(self) -> bool:
        """True for a complete answer with a 2xx status."""
        return (
            self.failure is None
            and self.response is not None
            and 200 <= self.response.status < 300
        )

    @property
    def cancelled(self) -> bool:
        """True when the user or the app stopped the delivery."""
        return self.failure is not None and self.failure.kind is FailureKind.CANCELLED
