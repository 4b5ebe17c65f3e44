"""Messages for a name or field that a template uses but the event data lacks."""

from collections.abc import Mapping
from typing import Any

from bchook_studio.core.templates.fields import (
    RESERVED_NAMES,
    expression_of,
    is_bare_name,
)

_MAX_LISTED = 12


def describe_missing_name(name: str, event: Mapping[str, Any]) -> str:
    """Describe a top-level name that is neither an event field nor reserved."""
    names = [key for key in event if isinstance(key, str) and is_bare_name(key)]
    names += RESERVED_NAMES
    message = f"{name!r} is not defined: the event has no field {name!r}"
    message += _suggestion(name, names)
    return f"{message}. Top-level names: {_listing(names)}."


def describe_missing_field(
    container: object, key: object, event: Mapping[str, Any]
) -> str:
    """Describe a missing field or item of a value, naming where the value is."""
    where = expression_of(container, event)
    subject = where if where is not None else "this value"

    if isinstance(container, Mapping):
        fields = [str(field) for field in container]
        message = f"{subject} has no field {key!r}"
        if isinstance(key, str):
            message += _suggestion(key, fields)
        if not fields:
            return f"{message}. It has no fields."
        return f"{message}. Its fields: {_listing(fields)}."

    if isinstance(container, (list, tuple)):
        count = len(container)
        if isinstance(key, int):
            if count == 0:
                return f"{subject} is an empty array, so it has no item {key}."
            return (
                f"{subject} has {count} items, so index {key} is out of range; "
                f"valid indexes are 0 to {count - 1}."
            )
        path = where if where is not None else "array"
        return (
            f"{subject} is an array, which has no field {key!r}. Use an index, as "
            f"in {path}[0].{key}, or loop over it with "
            f"{{% for item in {path} %}}."
        )

    kind = type_name(container)
    return f"{subject} is {kind}, which has no field {key!r}."


def type_name(value: object) -> str:
    """Name a value's type in JSON terms, with an article."""
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return f"a {type(value).__name__} value"


def _suggestion(name: str, candidates: list[str]) -> str:
    # difflib loads with the first suggestion, not with the window.
    import difflib

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return ""


def _listing(names: list[str]) -> str:
    if len(names) <= _MAX_LISTED:
        return ", ".join(names)
    shown = ", ".join(names[:_MAX_LISTED])
    return f"{shown} and {len(names) - _MAX_LISTED} more"
