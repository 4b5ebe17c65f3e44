"""Match a received body to a topic, so that it can become a webhook's event data.

A body qualifies when it is a JSON object, or XML in the studio's layout that
converts to one, whose `resource` and `action` values match exactly one topic.
"""

import logging
from dataclasses import dataclass
from typing import Any

from bchook_studio.core.formats import (
    ConversionError,
    FormatError,
    parse_json,
    pretty_json,
    xml_to_json,
)
from bchook_studio.core.text_decoding import decode_body
from bchook_studio.core.topics import default_catalogue, topic_for_event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventMatch:
    """The topic a body's event belongs to, or the reason there is none."""

    topic_key: str | None
    """The key of the matching topic, or None."""

    event_text: str = ""
    """The event as pretty JSON with a final new line; '' without a match."""

    reason: str = ""
    """The reason the body cannot be used as event data; '' with a match."""


def match_event(body: bytes, content_type: str | None) -> EventMatch:
    """Parse `body` as JSON, or as XML when it starts with '<', and match its topic.

    Every failure, deep nesting included, becomes an EventMatch with a reason
    instead of an exception. The
    format comes from the body itself, so a JSON body sent as text/plain
    still qualifies.
    """
    if not body.strip():
        return EventMatch(None, reason="The body is empty.")
    decoded = decode_body(body, content_type)
    if decoded.text is None:
        return EventMatch(None, reason="The body is binary, not JSON or XML.")

    text = decoded.text.lstrip("\ufeff")
    try:
        value = _parse(text)
    except (FormatError, ConversionError) as exc:
        return EventMatch(None, reason=_parse_failure(text, exc))

    if not isinstance(value, dict):
        kind = _json_kind(value)
        return EventMatch(
            None, reason=f"The body is a JSON {kind}; event data must be an object."
        )

    topic = topic_for_event(value)
    if topic is None:
        return EventMatch(None, reason=_no_topic_reason(value))
    return EventMatch(topic.key, event_text=pretty_json(value))


def _parse(text: str) -> Any:
    if text.lstrip().startswith("<"):
        return xml_to_json(text)
    return parse_json(text)


def _parse_failure(text: str, error: FormatError | ConversionError) -> str:
    if text.lstrip().startswith("<"):
        return (
            f"The body is XML that does not follow the studio's layout: {error}. "
            "Only XML written by Hook Studio converts to event data."
        )
    return f"The body is neither JSON nor XML: {error}."


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    return "number"


def _no_topic_reason(event: dict[str, Any]) -> str:
    resource = event.get("resource")
    action = event.get("action")
    if not isinstance(resource, str) or not isinstance(action, str):
        return (
            'The body has no "resource" and "action" text fields, which name the '
            "topic of an event."
        )
    if (resource, action) in default_catalogue().shared_event_pairs:
        return (
            f"More than one topic has the resource {resource!r} and the action "
            f"{action!r}, so the body does not tell which one it belongs to."
        )
    return (
        f"No topic has the resource {resource!r} and the action {action!r}. "
        "Run `bchook-studio topics` to list the pairs each topic uses."
    )
