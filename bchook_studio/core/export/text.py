"""A delivery as plain text for a support ticket: request, response, timings.

The request is written as the exporter received it (masked by the caller
unless the user asked for secrets). Bodies are decoded as the response pane
decodes them. A binary body is replaced by one line with its type and size,
and a long one is cut at `body_limit` characters with a note.
"""

from dataclasses import dataclass

from bchook_studio import __version__
from bchook_studio.core.caps import format_size
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.export.har import har_time
from bchook_studio.core.export.masking import mask_url
from bchook_studio.core.export.requests import RequestRecord, from_sent
from bchook_studio.core.text_decoding import binary_summary, decode_body

DEFAULT_BODY_LIMIT = 64 * 1024
"""Characters of each body the report shows."""


@dataclass(frozen=True)
class ReportContext:
    """The origin of a delivery, as the report shows it."""

    webhook_name: str | None = None
    topic_key: str | None = None
    history_id: int | None = None


def text_report(
    result: DeliveryResult,
    request: RequestRecord | None = None,
    context: ReportContext | None = None,
    *,
    body_limit: int = DEFAULT_BODY_LIMIT,
) -> str:
    """Return the delivery as plain text with a final new line."""
    context = ReportContext() if context is None else context
    if request is None:
        request = (
            from_sent(result.request)
            if result.request is not None
            else RequestRecord("POST", mask_url(result.url), ())
        )
    sections = [
        _summary(result, context),
        _request_section(request, result.request is not None, body_limit),
    ]
    if result.response is not None:
        sections.append(_response_section(result, body_limit))
    if result.failure is not None:
        failure = result.failure
        lines = [
            "== Failure ==",
            f"Kind: {failure.kind.value}",
            f"Message: {failure.message}",
        ]
        if failure.detail:
            lines.append(f"Detail: {failure.detail}")
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


def _summary(result: DeliveryResult, context: ReportContext) -> str:
    lines = [f"BrainCert Hook Studio {__version__}: delivery report"]
    if context.webhook_name:
        lines.append(f"Webhook: {context.webhook_name}")
    if context.topic_key:
        lines.append(f"Topic: {context.topic_key}")
    if context.history_id is not None:
        lines.append(f"History id: {context.history_id}")
    lines.append(f"Started: {har_time(result.started_at)}")

    elapsed = f"Elapsed: {result.elapsed_ms:.0f} ms"
    if result.headers_ms is not None:
        elapsed += f" (response headers after {result.headers_ms:.0f} ms)"
    lines.append(elapsed)

    if result.response is not None:
        outcome = f"{result.response.status} {result.response.reason}".strip()
    else:
        outcome = "no answer"
    if result.failure is not None:
        outcome += f"; failed: {result.failure.kind.value}"
    lines.append(f"Result: {outcome}")
    return "\n".join(lines)


def _request_section(request: RequestRecord, sent: bool, body_limit: int) -> str:
    title = "== Request ==" if sent else "== Request (not sent) =="
    lines = [title, f"{request.method} {request.url}"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    body = _body_text(request.body, request.header("content-type"), body_limit)
    if request.body_truncated:
        body += (
            f"\n[the body was stored only up to {len(request.body)} of "
            f"{request.body_size} bytes]"
        )
    return "\n".join(lines) + "\n\n" + body


def _response_section(result: DeliveryResult, body_limit: int) -> str:
    response = result.response
    assert response is not None
    lines = [
        "== Response ==",
        f"{response.http_version} {response.status} {response.reason}",
    ]
    lines += [f"{name}: {value}" for name, value in response.headers]
    body = _body_text(response.body, response.header("content-type"), body_limit)
    if response.truncated or len(response.body) < response.size:
        body += (
            f"\n[the body was cut at {format_size(len(response.body))}; "
            f"{format_size(response.size)} arrived]"
        )
    return "\n".join(lines) + "\n\n" + body


def _body_text(body: bytes, content_type: str | None, limit: int) -> str:
    if not body:
        return "[empty body]"
    decoded = decode_body(body, content_type)
    if decoded.text is None:
        return binary_summary(decoded)
    text = decoded.text
    if len(text) > limit:
        hidden = len(text) - limit
        text = text[:limit] + f"\n[{hidden} more characters not shown]"
    return text
