"""JSON text for template values, bounded in size.

Numbers keep their JSON spelling (see formats.json_text.JsonNumber), non-ASCII
characters and `<`, `>`, `&`, `'` are written as they are, as
`json.dumps(value, ensure_ascii=False)` writes them. With `indent=2` the text is
what `pretty_json` writes, without its final new line.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bchook_studio.core.formats.json_text import json_string, number_spelling
from bchook_studio.core.templates.guards import LimitExceeded


@dataclass(slots=True)
class _OpenContainer:
    children: Iterator[Any]
    closing: str
    identity: int
    is_object: bool
    first: bool = field(default=True)


_END = object()
_TICK_INTERVAL = 4096


def write_json(
    value: object,
    *,
    indent: int | None,
    max_length: int,
    convert: Callable[[object], object],
    tick: Callable[[], None] = lambda: None,
) -> str:
    """Write a value as JSON text of at most `max_length` characters.

    `indent=None` writes one line with `, ` and `: ` separators, as json.dumps
    does. `convert` is called for a value that is not a JSON type and returns a
    JSON value to write in its place, or raises. Raise LimitExceeded when the text
    would be longer than `max_length`, and ValueError for NaN, infinite numbers
    and a container that contains itself. `tick` is called every few thousand
    values, so that a deadline can stop a long write.
    """
    writer = _Writer(indent, max_length, convert, tick)
    writer.write(value)
    return "".join(writer.parts)


class _Writer:
    def __init__(
        self,
        indent: int | None,
        max_length: int,
        convert: Callable[[object], object],
        tick: Callable[[], None],
    ) -> None:
        self.parts: list[str] = []
        self._tick = tick
        self._values = 0
        self._length = 0
        self._max_length = max_length
        self._convert = convert
        if indent is None:
            self._item_separator = ", "
            self._line = ""
            self._indent = ""
        else:
            self._item_separator = ","
            self._line = "\n"
            self._indent = " " * indent

    def _append(self, text: str) -> None:
        self._length += len(text)
        if self._length > self._max_length:
            raise LimitExceeded(
                f"the value is longer than {self._max_length:,} characters as JSON"
            )
        self.parts.append(text)

    def write(self, value: object) -> None:
        # An explicit stack instead of recursion, so that any document the
        # event parser read can be written, however deep.
        stack: list[_OpenContainer] = []
        open_ids: set[int] = set()
        pending = value

        while True:
            self._values += 1
            if self._values % _TICK_INTERVAL == 0:
                self._tick()
            pending = self._json_value(pending)
            if isinstance(pending, dict) and pending:
                self._enter(pending, open_ids)
                self._append("{")
                children = iter(pending.items())
                stack.append(_OpenContainer(children, "}", id(pending), True))
            elif isinstance(pending, (list, tuple)) and pending:
                self._enter(pending, open_ids)
                self._append("[")
                stack.append(_OpenContainer(iter(pending), "]", id(pending), False))
            else:
                self._append(self._scalar(pending))

            while stack:
                container = stack[-1]
                child = next(container.children, _END)
                if child is _END:
                    stack.pop()
                    open_ids.discard(container.identity)
                    self._append(
                        self._line + self._indent * len(stack) + container.closing
                    )
                    continue

                separator = "" if container.first else self._item_separator
                container.first = False
                self._append(separator + self._line + self._indent * len(stack))
                if container.is_object:
                    key, pending = child
                    self._append(json_string(self._key(key)) + ": ")
                else:
                    pending = child
                break
            else:
                return

    def _json_value(self, value: object) -> object:
        if value is None or isinstance(value, (str, bool, int, float, dict, list)):
            return value
        if isinstance(value, tuple):
            return value
        return self._convert(value)

    @staticmethod
    def _enter(container: object, open_ids: set[int]) -> None:
        identity = id(container)
        if identity in open_ids:
            raise ValueError(
                "the value contains itself, so it cannot be written as JSON"
            )
        open_ids.add(identity)

    @staticmethod
    def _key(key: object) -> str:
        # Keys that are not strings are written as json.dumps writes them.
        if isinstance(key, str):
            return key
        if key is None or isinstance(key, (bool, int, float)):
            return scalar_json(key)
        raise TypeError(
            f"object keys must be strings to write JSON, not {type(key).__name__}"
        )

    @staticmethod
    def _scalar(value: object) -> str:
        if isinstance(value, dict):
            return "{}"
        if isinstance(value, (list, tuple)):
            return "[]"
        return scalar_json(value)


def scalar_json(value: object) -> str:
    """Write a string, number, boolean or None as JSON."""
    if isinstance(value, str):
        return json_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return number_spelling(value)
    raise TypeError(f"a {type(value).__name__} value is not a JSON scalar")
