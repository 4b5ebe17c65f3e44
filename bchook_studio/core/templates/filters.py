"""The filters the studio adds, and the checks wrapped around Jinja's own.

Every placeholder goes through one of the escape filters, which write its
value for the place it sits in (see escaping). `tojson`, `toxml` and `raw`
are the studio's own filters. Jinja's filters are wrapped so that a container
passed to them is measured, and those that take a size (`center`, `indent`,
`batch`, `slice`, ...) have it checked, before they run.
"""

import functools
import inspect
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

from jinja2 import StrictUndefined, pass_context, pass_environment
from jinja2.filters import make_attrgetter
from jinja2.runtime import Undefined
from lxml import etree
from markupsafe import Markup

from bchook_studio.core.formats.json_text import json_string
from bchook_studio.core.formats.xml_convert import json_to_xml_element
from bchook_studio.core.formats.xml_layout import is_usable_name
from bchook_studio.core.formats.xml_text import INDENT
from bchook_studio.core.templates import guards
from bchook_studio.core.templates.escaping import (
    JsonText,
    Place,
    XmlText,
    json_string_content,
    json_value,
    plain_text,
    xml_escaped,
)
from bchook_studio.core.templates.guards import MAX_RANGE, LimitExceeded
from bchook_studio.core.templates.json_writer import write_json
from bchook_studio.core.templates.missing import type_name
from bchook_studio.core.templates.state import current_state

ESCAPE_FILTERS = {
    Place.JSON_STRING: "_studio_json_string",
    Place.JSON_VALUE: "_studio_json_value",
    Place.XML_TEXT: "_studio_xml_text",
    Place.XML_ATTRIBUTE: "_studio_xml_attribute",
    Place.XML_CDATA: "_studio_xml_cdata",
    Place.XML_COMMENT: "_studio_xml_comment",
}
"""The name of the escape filter for each place a placeholder can sit in."""


def materialise(value: Any) -> Any:
    """Turn lazy sequences (generators, ranges, sets, dict views) into lists.

    Dict items become [key, value] lists. A strict undefined value fails here
    with its message. A plain one comes only from an inline `if` without
    `else` that was false, and is written as nothing.
    """
    if isinstance(value, Undefined):
        if isinstance(value, StrictUndefined):
            value._fail_with_undefined_error()
        return Markup()
    if isinstance(value, (str, bytes, dict, list, tuple)):
        return value
    if isinstance(value, _ITEMS_VIEW):
        return [list(pair) for pair in value]
    if isinstance(value, (range, set, frozenset, Iterator, *_VIEWS)):
        return list(value)
    return value


_ITEMS_VIEW = type({}.items())
_VIEWS = (type({}.keys()), type({}.values()))


def _json_convert(value: object) -> object:
    converted = materialise(value)
    if converted is value:
        raise TypeError(
            f"{type_name(value)} cannot be written as JSON; write a string, "
            "number, boolean, null, list or object"
        )
    return converted


def _write_json(value: object, indent: int | None) -> str:
    state = current_state()
    return write_json(
        value,
        indent=indent,
        max_length=state.limits.max_output_bytes,
        convert=_json_convert,
        tick=state.deadline.check,
    )


def _write_container(value: object) -> str:
    return _write_json(value, None)


# The escape filters check the commonest types first, because every
# placeholder of every render goes through one of them.


@pass_context
def escape_json_string(context: Any, value: Any, index: int) -> Markup:
    """Write a placeholder's value as the content of a JSON string literal."""
    if type(value) is str:
        return Markup(json_string(value)[1:-1])
    return Markup(json_string_content(materialise(value), _write_container))


@pass_context
def escape_json_value(context: Any, value: Any, index: int) -> Markup:
    """Write a placeholder's value as a JSON value."""
    kind = type(value)
    if kind is str:
        return Markup(json_string(value))
    if kind is int:
        return Markup(int.__repr__(value))
    return Markup(json_value(materialise(value), _write_container))


def _xml_filter(place: Place) -> Callable[..., Markup]:
    @pass_context
    def escape_xml(context: Any, value: Any, index: int) -> Markup:
        text, replaced = xml_escaped(materialise(value), place, _write_container)
        if replaced:
            state = current_state()
            state.replaced[index] += len(replaced)
            state.replaced_examples.setdefault(index, replaced[0])
        return Markup(text)

    return escape_xml


def tojson(value: Any, indent: int | None = None) -> JsonText:
    """Write a value as JSON, keeping number spellings and `<>&'` as they are."""
    if indent is not None and not (isinstance(indent, int) and 0 <= indent <= 16):
        raise ValueError(f"tojson indent must be a number from 0 to 16, not {indent!r}")
    return JsonText(_write_json(materialise(value), indent))


def toxml(value: Any, root: str = "webhook") -> XmlText:
    """Write a value as one XML element in the studio's layout, indented."""
    if not isinstance(root, str) or not is_usable_name(root):
        raise ValueError(
            f"toxml root {root!r} is not a usable XML element name; use letters, "
            "digits, '-', '_' or '.', starting with a letter"
        )
    value = materialise(value)
    current_state().meter.measure(value)
    element = json_to_xml_element(value)
    element.tag = root
    etree.indent(element, space=INDENT)
    return XmlText(etree.tostring(element, encoding="unicode"))


def raw(value: Any) -> Markup:
    """Return a value as text that is inserted without escaping."""
    return Markup(plain_text(materialise(value), _write_container, "null"))


@pass_environment
def checked_sum(
    environment: Any, iterable: Any, attribute: Any = None, start: Any = 0
) -> Any:
    """Jinja's `sum` filter, joining lists and tuples in one step.

    Python's sum() joins lists pairwise, which takes quadratic time inside one
    C call that the time limit cannot stop.
    """
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    items = list(iterable)
    if not isinstance(start, (list, tuple)):
        return sum(items, start)

    meter = current_state().meter
    total = meter.measure(start)
    for item in items:
        if not isinstance(item, type(start)):
            kind = type(start).__name__
            raise TypeError(
                f'can only concatenate {kind} (not "{type(item).__name__}") to {kind}'
            )
        total = meter.check(total + meter.measure(item))
    return type(start)(chain(start, *items))


def studio_filters() -> dict[str, Callable[..., Any]]:
    """Return the studio's own filters by name, escape filters included."""
    filters: dict[str, Callable[..., Any]] = {
        ESCAPE_FILTERS[Place.JSON_STRING]: escape_json_string,
        ESCAPE_FILTERS[Place.JSON_VALUE]: escape_json_value,
    }
    for place in (
        Place.XML_TEXT,
        Place.XML_ATTRIBUTE,
        Place.XML_CDATA,
        Place.XML_COMMENT,
    ):
        filters[ESCAPE_FILTERS[place]] = _xml_filter(place)
    filters["sum"] = checked_sum
    filters["tojson"] = tojson
    filters["toxml"] = toxml
    filters["raw"] = raw
    return filters


SLOW_FILTER_INPUT_LIMITS = {
    "wordwrap": 256 * 1024,
    "urlize": 256 * 1024,
    "title": 256 * 1024,
    "pprint": 1024 * 1024,
    "striptags": 2 * 1024 * 1024,
}
"""Characters (or weight, for a list or dict) that one call of a filter written
in Python may take. The time limit cannot stop a filter while it runs, and at
16 MiB, the output limit, `wordwrap` ran for 14 s. Measured on a 2-core x86-64
VM with Python 3.11, per MiB: wordwrap 0.4 s, urlize 0.3 s, title 0.18 s,
pprint 0.1 s, striptags 0.08 s, so no call at these limits takes over 0.2 s."""


def guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Jinja filter so that its input and size arguments are checked first."""
    passes_first = getattr(function, "jinja_pass_arg", None) is not None
    offset = 1 if passes_first else 0
    input_limit = SLOW_FILTER_INPUT_LIMITS.get(name)
    if input_limit is not None:
        function = _input_limited(name, function, offset, input_limit)
    check = _FILTER_CHECKS.get(name)
    if check is None:
        return _measuring_filter(function, offset)

    # inspect.signature follows __wrapped__, and Jinja's async-capable filters
    # wrap a function that does not take the eval context the wrapper takes.
    signature = inspect.signature(function)
    first = next(iter(signature.parameters), "")
    skipped = offset if first not in _PASSED_PARAMETERS else 0

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        meter = current_state().meter
        if len(args) > offset and isinstance(args[offset], (dict, list, tuple)):
            meter.measure(args[offset])
        bound = signature.bind(*args[skipped:], **kwargs)
        bound.apply_defaults()
        check(bound.arguments, meter)
        return function(*args[:skipped], *bound.args, **bound.kwargs)

    return guarded


_PASSED_PARAMETERS = frozenset({"eval_ctx", "context", "environment"})


def _input_limited(
    name: str, function: Callable[..., Any], offset: int, limit: int
) -> Callable[..., Any]:
    @functools.wraps(function)
    def limited(*args: Any, **kwargs: Any) -> Any:
        if len(args) > offset:
            value = args[offset]
            size = len(value) if isinstance(value, str) else None
            if isinstance(value, (dict, list, tuple)):
                size = current_state().meter.measure(value)
            if size is not None and size > limit:
                raise LimitExceeded(
                    f"|{name} takes at most {limit:,} characters in a template, "
                    f"not {size:,}; apply it to a shorter value"
                )
        return function(*args, **kwargs)

    return limited


def _measuring_filter(function: Callable[..., Any], offset: int) -> Callable[..., Any]:
    @functools.wraps(function)
    def measured(*args: Any, **kwargs: Any) -> Any:
        if len(args) > offset and isinstance(args[offset], (dict, list, tuple)):
            current_state().meter.measure(args[offset])
        return function(*args, **kwargs)

    return measured


def _check_center(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    guards.check_width(arguments["width"], meter)


def _check_indent(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    text, width = arguments["s"], arguments["width"]
    unit = len(width) if isinstance(width, str) else width
    if isinstance(text, str) and isinstance(unit, int):
        guards.check_width(unit, meter)
        meter.check(len(text) + (text.count("\n") + 1) * unit)


def _check_format(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    value = arguments["value"]
    if isinstance(value, str):
        values = arguments["kwargs"] or arguments["args"]
        guards.check_percent_format(value, values, meter)


def _check_batch(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    guards.check_width(arguments["linecount"], meter)
    fill = arguments["fill_with"]
    if fill is not None and isinstance(arguments["linecount"], int):
        meter.check(arguments["linecount"] * meter.measure(fill))


def _check_join(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    parts = list(arguments["value"])
    arguments["value"] = parts
    separator = arguments["d"]
    guards.check_join(len(separator) if isinstance(separator, str) else 0, parts, meter)


def _check_replace(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    guards.check_replace(arguments["s"], arguments["old"], arguments["new"], meter)


def _check_slice(arguments: dict[str, Any], meter: guards.SizeMeter) -> None:
    slices = arguments["slices"]
    if isinstance(slices, int) and slices > MAX_RANGE:
        raise LimitExceeded(
            f"slice() may make at most {MAX_RANGE:,} slices in a template, not "
            f"{slices:,}"
        )


_FILTER_CHECKS: dict[str, Callable[[dict[str, Any], guards.SizeMeter], None]] = {
    "center": _check_center,
    "indent": _check_indent,
    "format": _check_format,
    "batch": _check_batch,
    "join": _check_join,
    "replace": _check_replace,
    "slice": _check_slice,
}
