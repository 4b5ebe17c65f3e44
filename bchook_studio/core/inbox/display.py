"""A received request as the Inbox shows it: the body, the raw request, the event.

`prepare_request` is pure and its arguments and result pickle, so the Inbox
runs it inline for a body that `fits_inline` and in a worker process otherwise.
`raw_request_text` then puts the request head before the raw body text.
"""

import io
import logging
from dataclasses import dataclass, replace

from bchook_studio.core.body_preparation import INLINE_LIMIT, PreparedBody, prepare_body
from bchook_studio.core.caps import SizeCaps, format_size
from bchook_studio.core.delivery.content_encoding import (
    BodyDecoder,
    ContentDecodingError,
)
from bchook_studio.core.delivery.request import SECRET_HEADERS, mask_header_value
from bchook_studio.core.inbox.event_match import EventMatch, match_event
from bchook_studio.core.receiver.records import ReceivedRequest

logger = logging.getLogger(__name__)

_SAVE_AS_RECEIVED = "Save body… writes the bytes as received."


@dataclass(frozen=True)
class PreparedRequest:
    """A request body ready for the Inbox's views."""

    pretty: PreparedBody
    """The body indented when it is well-formed JSON or XML, for the Body tab."""

    raw: PreparedBody
    """The body as received, decoded but not reformatted, for the Raw tab."""

    event: EventMatch
    """The topic that the body's event belongs to, or the reason it matches none."""

    codings: tuple[str, ...] = ()
    """The content codings removed before `pretty` and `raw`, such as ('gzip',).

    Empty when the views show the bytes as received: no Content-Encoding, only
    `identity`, or one that is not supported or did not decode. When it is not
    empty, the first notice of `pretty` and `raw` gives the sizes received and
    decoded, and whether the decoded body is over the display cap.
    """


@dataclass(frozen=True)
class _ContentDecoding:
    """A body with its content codings removed, or the reason they were not."""

    body: bytes
    """The decoded bytes, at most the decoding limit, or the body as received."""

    codings: tuple[str, ...] = ()
    """The codings removed, or () when `body` is the body as received."""

    problem: str = ""
    """The reason the body is shown as received although it declares a coding."""

    unsupported: bool = False
    """True when `problem` is a coding that Hook Studio does not decode."""


def request_content_encoding(request: ReceivedRequest) -> str | None:
    """Return the request's Content-Encoding, repeated headers joined, or None.

    RFC 9110 section 5.3 lets a list header be sent as several lines, and
    their values joined by commas in order mean the same.
    """
    values = [
        value for name, value in request.headers if name.lower() == "content-encoding"
    ]
    return ", ".join(values) if values else None


def fits_inline(
    body: bytes, content_encoding: str | None, limit: int = INLINE_LIMIT
) -> bool:
    """True when `body` is at most `limit` bytes both as received and decoded.

    Such a body is quick to prepare on the GUI thread. A body that does not
    decode is shown as received, so only its received size counts. At most
    `limit` + 1 bytes are decoded to find out.
    """
    if len(body) > limit:
        return False
    decoding = _decode_content(body, content_encoding, limit + 1, partial=True)
    return len(decoding.body) <= limit


def prepare_request(
    body: bytes,
    content_type: str | None,
    caps: SizeCaps,
    truncated: bool = False,
    content_encoding: str | None = None,
) -> PreparedRequest:
    """Decode `body` twice, indented and as received, and match it to a topic.

    A body whose `content_encoding` declares gzip or deflate, or a chain of
    them, is decoded first, up to `caps.display` + 1 bytes, so a compression
    bomb stops at the display cap. A coding that is not supported, or a body
    that does not decode, leaves the body as received, with a notice giving
    the reason. Each version is cut at `caps.display` as `prepare_body` does.
    Pass `truncated` when the receiver kept only the start of the body. A body
    over the display cap, or truncated, is not matched to a topic, because
    only part of it is there.
    """
    decoding = _decode_content(body, content_encoding, caps.display + 1, truncated)
    view_body = decoding.body
    pretty = prepare_body(view_body, content_type, True, caps, truncated)
    raw = prepare_body(view_body, content_type, False, caps, truncated)

    notice = _decoding_notice(decoding, content_encoding, len(body), caps, truncated)
    if notice:
        pretty = _with_first_notice(pretty, notice)
        raw = _with_first_notice(raw, notice)

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
        event = match_event(view_body, content_type)
    return PreparedRequest(pretty, raw, event, decoding.codings)


def _decode_content(
    body: bytes, content_encoding: str | None, limit: int, partial: bool
) -> _ContentDecoding:
    """Remove the content codings of `body`, producing at most `limit` bytes.

    Pass `partial` for a body that is only the start of the stream, so an
    incomplete stream is not a problem. Any other decoding problem returns
    the body as received, with the problem.
    """
    if not body:
        return _ContentDecoding(body)
    try:
        decoder = BodyDecoder(content_encoding)
    except ContentDecodingError as exc:
        return _ContentDecoding(body, problem=str(exc), unsupported=True)
    if not decoder.codings:
        return _ContentDecoding(body)

    # Each step does a bounded amount of work and returns at most the room
    # left, so the loop ends once the input is used up or the limit is met.
    decoder.queue(body)
    output = io.BytesIO()
    size = 0
    try:
        while size < limit:
            piece = decoder.step(limit - size)
            output.write(piece)
            size += len(piece)
            if not decoder.pending():
                break
        if size < limit and not partial:
            decoder.finish()
    except ContentDecodingError as exc:
        logger.debug("request body not decoded from %s: %s", content_encoding, exc)
        return _ContentDecoding(body, problem=str(exc))
    return _ContentDecoding(output.getvalue(), decoder.codings)


def _with_first_notice(prepared: PreparedBody, notice: str) -> PreparedBody:
    """Return `prepared` with `notice` before its own notices.

    The sentence on Save body… is left out of `notice` when a later notice,
    such as the one on the hex dump, ends with it too.
    """
    if any(_SAVE_AS_RECEIVED in other for other in prepared.notices):
        notice = notice.replace(" " + _SAVE_AS_RECEIVED, "")
    return replace(prepared, notices=(notice, *prepared.notices))


def _decoding_notice(
    decoding: _ContentDecoding,
    content_encoding: str | None,
    received_size: int,
    caps: SizeCaps,
    truncated: bool,
) -> str | None:
    """Return the notice on how the body was decoded, or None without a coding."""
    if decoding.problem:
        if decoding.unsupported:
            next_step = "Save body… writes the bytes as received, to decode elsewhere."
        else:
            next_step = (
                "Check that the client compresses the body with the coding it "
                f"declares. {_SAVE_AS_RECEIVED}"
            )
        return (
            f"Not decoded from Content-Encoding {content_encoding}, because "
            f"{decoding.problem}. The body is shown as received. {next_step}"
        )
    if not decoding.codings:
        return None

    codings = ", ".join(decoding.codings)
    received = format_size(received_size) + (" kept" if truncated else " received")
    display_capped = len(decoding.body) > caps.display
    if display_capped:
        decoded = f"more than {format_size(caps.display)} decoded"
    else:
        decoded = f"{format_size(len(decoding.body))} decoded"
    notice = f"Decoded from Content-Encoding {codings}: {received}, {decoded}."
    if display_capped:
        notice += f" Showing the first {format_size(caps.display)}."
    if truncated:
        return notice + " Save body… writes the bytes kept, as received."
    return f"{notice} {_SAVE_AS_RECEIVED}"


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
