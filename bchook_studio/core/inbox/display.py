"""A received request as the Inbox shows it: the body, the raw request, the event.

`prepare_request` is pure and its arguments and result pickle, so the Inbox
runs it inline for a small body and in a worker process for a large one.
`raw_request_text` then puts the request head before the raw body text.
"""

from dataclasses import dataclass

from bchook_studio.core.body_preparation import PreparedBody, prepare_body
from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.delivery.request import SECRET_HEADERS, mask_header_value
from bchook_studio.core.inbox.event_match import EventMatch, match_event
from bchook_studio.core.receiver.records import ReceivedRequest


@dataclass(frozen=True)
class PreparedRequest:
    """A request body ready for the Inbox's views."""

    pretty: PreparedBody
    """The body indented when it is well-formed JSON or XML, for the Body tab."""

    raw: PreparedBody
    """The body as received, decoded but not reformatted, for the Raw tab."""

    event: EventMatch
    """The topic that the body's event belongs to, or the reason it matches none."""


def prepare_request(
    body: bytes, content_type: str | None, caps: SizeCaps, truncated: bool = False
) -> PreparedRequest:
    """Decode `body` twice, indented and as received, and match it to a topic.

    Each version is cut at `caps.display` as `prepare_body` does. Pass
    `truncated` when the receiver kept only the start of the body. A body over
    the display cap, or truncated, is not matched to a topic, because only
    part of it is there.
    """
    pretty = prepare_body(body, content_type, True, caps, truncated)
    raw = prepare_body(body, content_type, False, caps, truncated)
    if pretty.display_capped:
        event = EventMatch(
            None,
            reason="The body is larger than the display cap, so it is not read "
            "as event data.",
        )
    elif truncated:
        event = EventMatch(
            None,
            reason="The receiver kept only the start of the body, so it is not "
            "read as event data.",
        )
    else:
        event = match_event(body, content_type)
    return PreparedRequest(pretty, raw, event)


def displayed_headers(
    request: ReceivedRequest, show_secrets: bool
) -> tuple[tuple[str, str], ...]:
    """Return the request's headers in order, secret values masked unless asked."""
    if show_secrets:
        return request.headers
    return tuple(
        (name, mask_header_value(name, value))
        if name.lower() in SECRET_HEADERS
        else (name, value)
        for name, value in request.headers
    )


def has_secret_headers(request: ReceivedRequest) -> bool:
    """True when the request carries Authorization, Proxy-Authorization or Cookie."""
    return any(name.lower() in SECRET_HEADERS for name, _ in request.headers)


def request_head_text(request: ReceivedRequest, show_secrets: bool) -> str:
    """Return the request line and headers as received, then the blank line."""
    version = "HTTP/" + request.http_version if request.http_version != "-" else "-"
    lines = [f"{request.method} {request.target} {version}"]
    lines += [
        f"{name}: {value}" for name, value in displayed_headers(request, show_secrets)
    ]
    return "\n".join(lines) + "\n\n"


def raw_request_text(
    request: ReceivedRequest, raw_body: PreparedBody, show_secrets: bool
) -> str:
    """Return the whole request as text: the head, then the body as received."""
    return request_head_text(request, show_secrets) + raw_body.text
