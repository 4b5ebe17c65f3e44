"""The expressions that reach each field of the event data, for completion and messages.

Top-level fields are names of their own (`payload`). Three kinds of top-level
field are reached through `event` instead (`event.topic`,
`event["first name"]`): names the studio reserves (`event`, `topic`,
`studio`), words that mean something else to Jinja (`true`, `none`, `in`,
`loop`, ...) and keys that are not identifiers. Nested fields
use a dot when the key is an ASCII identifier, and brackets otherwise. List
items use their index, as in `payload.items[0].name`.
"""

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

RESERVED_NAMES = ("event", "topic", "studio")
"""Names the studio binds for every template, ahead of any event field."""

HELPER_EXPRESSIONS = (
    "topic.key",
    "topic.title",
    "studio.now_iso()",
    "studio.now_unix()",
    "studio.uuid()",
    "studio.raw(text)",
)
"""Expressions for the topic and the helpers, for completion lists."""

# Words Jinja reads as literals or operators, and names it binds itself.
_JINJA_WORDS = frozenset(
    {
        "true",
        "false",
        "none",
        "True",
        "False",
        "None",
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "self",
        "loop",
        "caller",
        "varargs",
        "kwargs",
    }
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_bare_name(key: str) -> bool:
    """Tell whether a top-level field is reached by its own name in a template."""
    return (
        _IDENTIFIER.fullmatch(key) is not None
        and key not in _JINJA_WORDS
        and key not in RESERVED_NAMES
    )


def top_level_expression(key: str) -> str:
    """Return the expression that reaches a top-level field."""
    if is_bare_name(key):
        return key
    return child_expression("event", key)


def child_expression(parent: str, key: object) -> str:
    """Return the expression that reaches a dict key or list index of `parent`."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    if isinstance(key, str) and _IDENTIFIER.fullmatch(key):
        return f"{parent}.{key}"
    # A JSON string with non-ASCII kept is also a valid Jinja string literal.
    return f"{parent}[{json.dumps(str(key), ensure_ascii=False)}]"


def iter_fields(event: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield (expression, value) for every field and list item, in event order.

    Containers come before their contents, depth first.
    """
    stack: list[tuple[str, Iterator[tuple[object, Any]]]] = [("", iter(event.items()))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue

        key, value = child
        if parent:
            expression = child_expression(parent, key)
        else:
            expression = top_level_expression(str(key))
        yield expression, value

        if isinstance(value, dict):
            stack.append((expression, iter(value.items())))
        elif isinstance(value, list):
            stack.append((expression, enumerate(value)))


def field_paths(
    event: Mapping[str, Any], *, max_paths: int = 5000
) -> list[tuple[str, object]]:
    """List the expression and value of every field and list item, in event order.

    Containers are listed too (`payload`, then `payload.user`, then
    `payload.user.email`), each with its value as an example. The list stops
    after `max_paths` entries, so that a huge event cannot flood a completion
    list.
    """
    paths: list[tuple[str, object]] = []
    for entry in iter_fields(event):
        if len(paths) >= max_paths:
            break
        paths.append(entry)
    return paths


def expression_of(target: object, event: Mapping[str, Any]) -> str | None:
    """Return the expression that reaches `target` in the event, by identity.

    Return "event" for the event itself and None when `target` is not part of
    it, such as a value the template built.
    """
    if target is event:
        return "event"
    for expression, value in iter_fields(event):
        if value is target:
            return expression
    return None
