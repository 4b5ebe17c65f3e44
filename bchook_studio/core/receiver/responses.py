"""Responses as h11 events, built once per rule rather than once per request."""

from dataclasses import dataclass
from http import HTTPStatus

import h11

from bchook_studio.core.receiver.rules import ResponseRule

REALM = "Hook Studio"

_REASONS = {status.value: status.phrase.encode("ascii") for status in HTTPStatus}
# RFC 9110 renamed 413; Python 3.11 still has the older phrase.
_REASONS[413] = b"Content Too Large"

# RFC 9110 section 8.6: no Content-Length on 204, and none needed on 304.
BODYLESS_STATUSES = frozenset({204, 304})


def reason_phrase(status: int) -> bytes:
    """Return the standard reason phrase for `status`, or b"" for an unknown one."""
    return _REASONS.get(status, b"")


@dataclass(frozen=True, slots=True)
class PreparedRule:
    """A rule with its response head already built and validated by h11."""

    rule: ResponseRule
    index: int
    response: h11.Response
    body: bytes
    """The body to send; empty for a status that cannot carry one."""


def prepare_rule(rule: ResponseRule, index: int) -> PreparedRule:
    """Build the h11 response head of `rule`, with a Content-Length for its body."""
    headers = [
        (name.encode("ascii"), value.encode("utf-8")) for name, value in rule.headers
    ]
    body = rule.body
    if rule.status in BODYLESS_STATUSES:
        body = b""
    else:
        headers.append((b"Content-Length", str(len(body)).encode("ascii")))
    response = h11.Response(
        status_code=rule.status, headers=headers, reason=reason_phrase(rule.status)
    )
    return PreparedRule(rule, index, response, body)


def prepare_rules(rules: tuple[ResponseRule, ...]) -> tuple[PreparedRule, ...]:
    """Prepare every rule, keeping their order."""
    return tuple(prepare_rule(rule, index) for index, rule in enumerate(rules))


AUTHENTICATE_HEADER = (
    b"WWW-Authenticate",
    f'Basic realm="{REALM}", charset="UTF-8"'.encode(),
)

UNAUTHORIZED = h11.Response(
    status_code=401,
    headers=[AUTHENTICATE_HEADER, (b"Content-Length", b"0")],
    reason=reason_phrase(401),
)
"""The response to a request without the credentials its rule requires."""

CONTINUE = h11.InformationalResponse(
    status_code=100, headers=[], reason=reason_phrase(100)
)


ALLOW_HEADER = (b"Allow", b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE")
"""The Allow header of a 405 response: the standard methods except CONNECT.

The rules respond to every method except CONNECT, unusual ones included."""


def with_connection_close(response: h11.Response) -> h11.Response:
    """Return `response` with a `Connection: close` header, so that h11 closes."""
    headers = [
        (name, value)
        for name, value in response.headers.raw_items()
        if name.lower() != b"connection"
    ]
    headers.append((b"Connection", b"close"))
    return h11.Response(
        status_code=response.status_code, headers=headers, reason=response.reason
    )


def error_response(
    status: int, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> tuple[h11.Response, bytes]:
    """Return a plain-text response that explains a rejection and closes.

    `headers` are added to the response, such as Allow for a 405.
    """
    body = f"{status} {reason_phrase(status).decode()}: {message}\n".encode()
    response = h11.Response(
        status_code=status,
        headers=[
            *headers,
            (b"Content-Type", b"text/plain; charset=utf-8"),
            (b"Content-Length", str(len(body)).encode("ascii")),
            (b"Connection", b"close"),
        ],
        reason=reason_phrase(status),
    )
    return response, body
