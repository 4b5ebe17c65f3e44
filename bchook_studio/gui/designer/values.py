"""Short descriptions of event values for the completion list and the field tree."""

import json
import logging
from collections.abc import Mapping

logger = logging.getLogger(__name__)

MAX_VALUE_LENGTH = 60
"""Characters of a value shown before it is cut with an ellipsis."""


def describe_value(value: object, max_length: int = MAX_VALUE_LENGTH) -> str:
    """Return a one-line description of a value as JSON spells it.

    Strings are quoted, numbers keep their spelling, objects and arrays give
    their size ("{3 fields}", "[2 items]"). The text is cut at `max_length`.
    """
    if isinstance(value, Mapping):
        count = len(value)
        text = "{1 field}" if count == 1 else f"{{{count} fields}}"
    elif isinstance(value, (list, tuple)):
        count = len(value)
        text = "[1 item]" if count == 1 else f"[{count} items]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        # JsonNumber's str() is its original spelling.
        text = str(value)
    return shorten(text, max_length)


def json_type(value: object) -> str:
    """Name a value's JSON type: string, number, boolean, null, object or array."""
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def shorten(text: str, max_length: int = MAX_VALUE_LENGTH) -> str:
    """Cut a text to one line of at most `max_length` characters, ending in "…"."""
    line = text.replace("\n", " ")
    if len(line) <= max_length:
        return line
    return line[: max_length - 1] + "…"
