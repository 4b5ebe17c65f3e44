"""Pieces every check report uses: masked values, body excerpts, safe text."""

import re
from datetime import UTC, datetime
from typing import Any

from bchook_studio.core.check.results import CheckResult, TopicResult
from bchook_studio.core.export.masking import mask_headers
from bchook_studio.core.text_decoding import binary_summary, decode_body

TOOL_NAME = "bchook-studio"

# Characters XML 1.0 cannot carry, plus DEL and the C1 controls, which render
# as nothing or as garbage in a browser. Tab, line feed and carriage return stay.
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)
REPLACEMENT = "\ufffd"

RESPONSE_SECRET_HEADERS = frozenset({"set-cookie"})
"""Response headers whose values reports mask, besides the request's secrets."""


def safe_text(text: str) -> str:
    """Return `text` with control characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _UNSAFE_CHARACTERS.sub(REPLACEMENT, text)


def utc_text(moment: datetime) -> str:
    """Return `moment` as ISO 8601 in UTC with milliseconds and a Z suffix."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def body_excerpt(body: bytes, content_type: str | None, limit: int) -> str:
    """Return the start of a body as safe text, at most `limit` characters.

    A binary body becomes one line with its type and size; a cut body ends
    with a line saying how much was left out.
    """
    if not body:
        return ""
    decoded = decode_body(body, content_type)
    if decoded.text is None:
        return binary_summary(decoded)
    text = decoded.text
    if len(text) > limit:
        left_out = len(text) - limit
        text = f"{text[:limit]}\n[… {left_out:,} more characters not shown]"
    return safe_text(text)


def request_headers(result: TopicResult) -> tuple[tuple[str, str], ...]:
    """Return the request headers as sent, secret values masked."""
    delivery = result.delivery
    if delivery is None or delivery.request is None:
        return ()
    return tuple(
        (safe_text(name), safe_text(value))
        for name, value in delivery.request.masked_headers()
    )


def response_headers(result: TopicResult) -> tuple[tuple[str, str], ...]:
    """Return the response headers, Set-Cookie and credentials masked."""
    delivery = result.delivery
    if delivery is None or delivery.response is None:
        return ()
    masked = mask_headers(delivery.response.headers, RESPONSE_SECRET_HEADERS)
    return tuple((safe_text(name), safe_text(value)) for name, value in masked)


def topic_record(check: CheckResult, result: TopicResult) -> dict[str, Any]:
    """Return one topic as the JSON report writes it."""
    elapsed = result.elapsed_ms
    return {
        "topic": result.topic.key,
        "title": result.topic.title,
        "url": check.plan.masked_url(result.url),
        "verdict": result.verdict.value,
        "reason": result.reason,
        "kind": result.kind,
        "failed_expectation": (
            None
            if result.failed_expectation is None
            else result.failed_expectation.value
        ),
        "status": result.status,
        "elapsed_ms": None if elapsed is None else round(elapsed, 1),
        "history_id": result.history_id,
    }


def format_ms(milliseconds: float | None) -> str:
    """Return a duration for people, such as `1,234 ms`, or '' when unknown."""
    if milliseconds is None:
        return ""
    return f"{milliseconds:,.0f} ms"
