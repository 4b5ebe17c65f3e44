"""JSON bodies: parsing that keeps number spellings, pretty printing and checks.

Python's int and float write most JSON numbers back as they were spelled
(`12`, `1.5`, `1e+16`), but not `1e2` (written `100.0`), `1.50`, `-0` or
numbers beyond float range. `parse_json` returns such numbers as `JsonNumber`,
a float that remembers its spelling, and `pretty_json` writes that spelling.
"""

import json
import math
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from json.encoder import encode_basestring
from typing import Any

from bchook_studio.core.formats.problems import (
    ConversionError,
    FormatError,
    FormatProblem,
    ParserLimit,
    describe_text,
    problem_at,
)

INDENT = "  "

# Levels of arrays and objects that parse_json reads from any caller. CPython
# 3.11's json parser recurses once per level and stops at the recursion limit
# (1000 by default), less the frames already on the stack. A parse that runs
# out is retried in a new thread, whose stack is empty, so a document up to
# this depth parses unless the recursion limit was lowered.
# NOTE: from a shallow stack, documents a little deeper than this also parse,
# so whether one of 901 to about 990 levels parses depends on the caller.
MAX_JSON_DEPTH = 900

# The number grammar of RFC 8259, ASCII digits only.
JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

_BLANK = re.compile(r"[ \t\n\r]*")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON string literal, or one of the constants Python's json module reads
# but JSON does not have.
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', re.DOTALL)
# A JSON string literal, or a bracket or brace outside one.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class JsonNumber(float):
    """A JSON number whose spelling Python's int or float would not write back.

    The float value serves arithmetic, comparisons and `json.dumps`, which writes
    it in Python's spelling (`100.0` for `1e2`). `str()`, f-strings,
    `pretty_json` and the XML converter write the original spelling. A spelling
    beyond float range, such as `1e400`, has the value inf, which `json.dumps`
    writes as `Infinity`.
    """

    spelling: str

    def __new__(cls, spelling: str) -> "JsonNumber":
        if not JSON_NUMBER.fullmatch(spelling):
            raise ValueError(
                f"{describe_text(spelling)} is not a JSON number; "
                "write it like 12, -0.5 or 1e2"
            )
        number = super().__new__(cls, spelling)
        number.spelling = spelling
        return number

    def __str__(self) -> str:
        return self.spelling

    def __repr__(self) -> str:
        return f"JsonNumber({self.spelling!r})"

    def __reduce__(self) -> tuple[type["JsonNumber"], tuple[str]]:
        return (JsonNumber, (self.spelling,))


def number_from_spelling(spelling: str) -> int | float:
    """Return the value of a valid JSON number spelling, keeping the spelling.

    The result is an int or float when Python writes it back with the same
    spelling, and a JsonNumber otherwise.
    """
    if "." not in spelling and "e" not in spelling and "E" not in spelling:
        if spelling != "-0":
            try:
                return int(spelling)
            except ValueError:
                # More digits than sys.get_int_max_str_digits() allows.
                pass
        return JsonNumber(spelling)

    value = float(spelling)
    if float.__repr__(value) == spelling:
        return value
    return JsonNumber(spelling)


def number_spelling(value: int | float) -> str:
    """Spell a number as JSON, as json.dumps does unless it is a JsonNumber."""
    if isinstance(value, JsonNumber):
        return value.spelling
    if isinstance(value, int):
        return int.__repr__(value)
    if not math.isfinite(value):
        raise ValueError(
            f"{value!r} is not a valid JSON number; "
            "JSON has no NaN or Infinity, so use null or a string"
        )
    return float.__repr__(value)


class _NonFiniteConstant(ValueError):
    def __init__(self, constant: str) -> None:
        super().__init__(constant)
        self.constant = constant


def _reject_constant(constant: str) -> None:
    raise _NonFiniteConstant(constant)


def parse_json(
    text: str,
    *,
    unique_keys: bool = False,
    pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """Parse JSON text, keeping number spellings, or raise FormatError.

    NaN, Infinity and -Infinity are rejected, and duplicate keys are allowed
    (the last one wins, as in json.loads). `parse_json_unique_keys` rejects
    them. `pairs_hook` builds each object from its members instead of dict, as
    json.loads's object_pairs_hook does.
    """
    if _BLANK.fullmatch(text):
        raise FormatError(FormatProblem(1, 1, "the document is empty"))
    if text.startswith("\ufeff"):
        raise FormatError(
            FormatProblem(
                1,
                1,
                "the text starts with a UTF-8 byte order mark (BOM), which JSON "
                "does not allow; save it as UTF-8 without a BOM",
            )
        )

    hook = _unique_object if unique_keys else pairs_hook
    try:
        return _loads_any_depth(text, hook)
    except json.JSONDecodeError as error:
        problem = FormatProblem(error.lineno, error.colno, _plain_message(error))
        raise FormatError(problem) from None
    except _NonFiniteConstant as error:
        raise FormatError(_constant_problem(text, error.constant)) from None
    except RecursionError:
        # Only a recursion limit lowered below about MAX_JSON_DEPTH gets here.
        message = "the document is nested too deeply for the JSON parser"
        problem = FormatProblem(1, None, message, ParserLimit.DEPTH)
        raise FormatError(problem) from None


_PairsHook = Callable[[list[tuple[str, Any]]], Any]


def _loads(text: str, pairs_hook: _PairsHook | None = None) -> Any:
    return json.loads(
        text,
        parse_int=number_from_spelling,
        parse_float=number_from_spelling,
        parse_constant=_reject_constant,
        object_pairs_hook=pairs_hook,
    )


def _loads_any_depth(text: str, pairs_hook: _PairsHook | None = None) -> Any:
    """Parse, retrying in a new thread when the caller's stack left too little room.

    Raise FormatError for a document nested more than MAX_JSON_DEPTH levels
    deep that the parser could not read.
    """
    try:
        return _loads(text, pairs_hook)
    except RecursionError:
        pass

    problem = _depth_problem(text)
    if problem is not None:
        raise FormatError(problem)
    return _loads_in_new_thread(text, pairs_hook)


def _loads_in_new_thread(text: str, pairs_hook: _PairsHook | None) -> Any:
    """Parse in a new thread, whose recursion depth starts at zero.

    The thread's exceptions are raised here.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="json-parse") as pool:
        return pool.submit(_loads, text, pairs_hook).result()


class _RepeatedKey(Exception):
    """An object with the same key twice, found by a parse that rejects it."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RepeatedKey(key)
        result[key] = value
    return result


def parse_json_unique_keys(text: str) -> Any:
    """Parse JSON text as `parse_json` does, but reject an object with a repeated key.

    A conversion to XML keeps one element per key, so a repeated key would
    lose its earlier value. Raise ConversionError naming the key and the place
    of its second occurrence.
    """
    try:
        return parse_json(text, unique_keys=True)
    except _RepeatedKey as repeated:
        raise ConversionError(_repeated_key_problem(text, repeated.key)) from None


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def _repeated_key_problem(text: str, key: str) -> FormatProblem:
    message = (
        f"the key {describe_text(key)} appears twice in one object, and XML keeps "
        "one element per key; rename or remove one of them to convert"
    )
    index = _first_repeated_key(text)
    if index is None:
        return FormatProblem(1, None, message)
    return problem_at(text, index, message)


def _first_repeated_key(text: str) -> int | None:
    """Return where the first key repeated within its object starts in `text`.

    `text` is well-formed JSON. The scan keeps the keys of each open object.
    """
    objects: list[set[str] | None] = []
    tokens = _JSON_TOKEN.finditer(text)
    previous = ""
    for token in tokens:
        spelling = token.group()
        if spelling == "{":
            objects.append(set())
        elif spelling == "[":
            objects.append(None)
        elif spelling in "}]":
            objects.pop()
        elif spelling.startswith('"') and previous in ("{", ",") and objects:
            keys = objects[-1]
            if keys is not None:
                name = json.loads(spelling)
                if name in keys:
                    return token.start()
                keys.add(name)
        previous = spelling
    return None


def _depth_problem(text: str) -> FormatProblem | None:
    """Return a problem at the bracket nested more than MAX_JSON_DEPTH deep, or None.

    Brackets inside string literals do not count. The scan does not check the
    syntax, so on text that is not JSON the position is only a guess.
    """
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
        elif token == "]" or token == "}":
            depth -= 1
        if depth > MAX_JSON_DEPTH:
            message = (
                f"the document nests arrays and objects more than "
                f"{MAX_JSON_DEPTH} levels deep, deeper than Hook Studio's "
                "JSON parser reads"
            )
            problem = problem_at(text, match.start(), message)
            return replace(problem, limit=ParserLimit.DEPTH)
    return None


_CONTROL_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def _plain_message(error: json.JSONDecodeError) -> str:
    """Return the parser's message, in full sentences for the cases it cuts short."""
    if error.msg.startswith("Invalid control character"):
        character = error.doc[error.pos] if error.pos < len(error.doc) else ""
        escape = _CONTROL_ESCAPES.get(character, f"\\u{ord(character or ' '):04x}")
        name = f"U+{ord(character or ' '):04X}"
        return (
            f"the string contains the control character {name}, which JSON allows "
            f"only escaped; write it as {escape}"
        )
    if error.msg == "Unterminated string starting at":
        return "the string that starts here has no closing quote"
    return error.msg


def _constant_problem(text: str, constant: str) -> FormatProblem:
    message = (
        f"{constant} is not valid JSON; use null or a string such as "
        f'"{constant}" instead'
    )
    # The parser read everything before the constant, so the first constant
    # outside a string literal is the one it rejected.
    for match in _STRING_OR_CONSTANT.finditer(text):
        if match.group(1) is not None:
            return problem_at(text, match.start(1), message)
    return FormatProblem(1, None, message)


def check_json(text: str) -> FormatProblem | None:
    """Return the first well-formedness problem of JSON text, or None."""
    try:
        parse_json(text)
    except FormatError as error:
        return error.problem
    return None


def pretty_json_text(text: str, deep_indent_limit: int | None = None) -> str:
    """Reformat JSON text as pretty_json does, or raise FormatError.

    `deep_indent_limit` is passed to pretty_json.
    """
    return pretty_json(parse_json(text), deep_indent_limit)


class RepeatedKeysObject(list):
    """A JSON object that repeats a key, kept as its (key, value) members in order.

    `pretty_json` writes it as an object with every member.
    """


def pretty_json_keeping_repeats(
    text: str, deep_indent_limit: int | None = None
) -> tuple[str, str | None]:
    """Reformat JSON text as `pretty_json_text` does, keeping repeated keys.

    An object that repeats a key keeps every member, where json.loads keeps
    the last one only. Return the text and the first repeated key found, or
    None when no object repeats a key.
    """
    repeated: list[str] = []

    def keep_members(pairs: list[tuple[str, Any]]) -> Any:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        if not repeated:
            repeated.append(_first_repeated_member(pairs))
        return RepeatedKeysObject(pairs)

    value = parse_json(text, pairs_hook=keep_members)
    pretty = pretty_json(value, deep_indent_limit)
    return pretty, repeated[0] if repeated else None


def _first_repeated_member(pairs: list[tuple[str, Any]]) -> str:
    """Return the first key of `pairs` that an earlier member already has."""
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise ValueError("no key repeats")


class IndentTooLarge(ValueError):
    """Indenting a value would write more than the limit the caller set."""


DEEP_LEVEL = 8
"""Levels from which pretty_json counts indentation against a limit.

Above this level a line's indent is at most 16 spaces, which bounds how much
indenting can multiply the size of a compact document. Deeper nesting can
multiply it by hundreds: 400 nested arrays grow 400 times."""


def pretty_json(value: object, deep_indent_limit: int | None = None) -> str:
    """Write a JSON value with two-space indent, non-ASCII kept and a final new line.

    Key order is kept and JsonNumber spellings are written as they were parsed.
    NaN and infinite floats raise ValueError. Values other than dict, list,
    tuple, str, int, float, bool and None raise TypeError. With
    `deep_indent_limit`, IndentTooLarge is raised once the lines of containers
    DEEP_LEVEL or more levels deep would take more indentation characters than
    the limit, before they are written.
    """
    limit = _UNLIMITED if deep_indent_limit is None else deep_indent_limit
    parts: list[str] = []
    try:
        _write_json_recursively(value, parts, 0, [], [limit])
    except RecursionError:
        # The caller's own frames left too little room for the recursion.
        parts = []
        _write_json(value, parts, 0, [limit])
    parts.append("\n")
    text = "".join(parts)

    # The recursive writer leaves unpaired surrogates raw. They can only appear
    # inside string literals, so escaping them afterwards gives what json_string
    # writes. UTF-8 encoding fails exactly when the text contains a surrogate.
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _LONE_SURROGATE.sub(_escape_code_point, text)
    return text


def _write_null(value: None) -> str:
    return "null"


def _write_bool(value: bool) -> str:
    return "true" if value else "false"


# Writers for scalars of exactly these types. Subclasses and other types go to
# _write_json, which handles them or raises as pretty_json documents.
_SCALAR_WRITERS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    float: number_spelling,
    JsonNumber: number_spelling,
    bool: _write_bool,
    type(None): _write_null,
}

# Levels below this are written by recursion, which stays far below Python's
# default recursion limit of 1000. For 10 MB of webhook JSON it took 210 ms
# against 650 ms for the explicit stack of _write_json (Python 3.11 on a 2-core
# x86-64 VM).
_RECURSION_LEVELS = 100
# A new line and the indent of each level.
_NEWLINE_INDENTS = tuple(
    "\n" + INDENT * level for level in range(_RECURSION_LEVELS + 1)
)


_UNLIMITED = 1 << 62


def _charge_indent(budget: list[int], members: int, level: int) -> None:
    """Take the indent of a container's lines from `budget[0]`, or raise."""
    budget[0] -= (members * (level + 1) + level) * len(INDENT)
    if budget[0] < 0:
        raise IndentTooLarge(
            f"indenting containers nested {level + 1} levels deep would write "
            "more than the limit set"
        )


def _write_json_recursively(
    value: object,
    parts: list[str],
    level: int,
    key_prefixes: list[dict[str, str]],
    budget: list[int],
) -> None:
    """Append the JSON text of a value that starts `level` levels deep.

    Only dict, list, tuple and the types in _SCALAR_WRITERS, checked exactly, are
    written here. Anything else, and containers `_RECURSION_LEVELS` deep, go to
    _write_json, which also detects cycles. `key_prefixes[level]` caches the
    separator, indent and quoted key written before each member of an object.
    Containers DEEP_LEVEL or more levels deep take their indent from
    `budget[0]`.
    """
    append = parts.append
    kind = type(value)
    if kind is dict:
        if not value:
            append("{}")
            return
        if level >= _RECURSION_LEVELS:
            _write_json(value, parts, level, budget)
            return
        if level >= DEEP_LEVEL:
            _charge_indent(budget, len(value), level)

        while len(key_prefixes) <= level:
            key_prefixes.append({})
        prefixes = key_prefixes[level]
        append("{")
        first = True
        for key, member in value.items():
            if type(key) is str:
                prefix = prefixes.get(key)
                if prefix is None:
                    prefix = f",{_NEWLINE_INDENTS[level + 1]}{encode_basestring(key)}: "
                    prefixes[key] = prefix
            else:
                prefix = f",{_NEWLINE_INDENTS[level + 1]}{_json_key(key)}: "
            if first:
                prefix = prefix[1:]
                first = False
            append(prefix)
            writer = _SCALAR_WRITERS.get(type(member))
            if writer is not None:
                append(writer(member))
            else:
                _write_json_recursively(member, parts, level + 1, key_prefixes, budget)
        append(_NEWLINE_INDENTS[level] + "}")

    elif kind is list or kind is tuple:
        if not value:
            append("[]")
            return
        if level >= _RECURSION_LEVELS:
            _write_json(value, parts, level, budget)
            return
        if level >= DEEP_LEVEL:
            _charge_indent(budget, len(value), level)

        separator = "[" + _NEWLINE_INDENTS[level + 1]
        for member in value:
            append(separator)
            separator = "," + _NEWLINE_INDENTS[level + 1]
            writer = _SCALAR_WRITERS.get(type(member))
            if writer is not None:
                append(writer(member))
            else:
                _write_json_recursively(member, parts, level + 1, key_prefixes, budget)
        append(_NEWLINE_INDENTS[level] + "]")

    else:
        writer = _SCALAR_WRITERS.get(kind)
        if writer is not None:
            append(writer(value))
        else:
            _write_json(value, parts, level, budget)


@dataclass(slots=True)
class _OpenContainer:
    children: Iterator[Any]
    closing: str
    identity: int
    is_object: bool
    first: bool = field(default=True)


_END = object()


def _write_json(
    value: object, parts: list[str], level: int = 0, budget: list[int] | None = None
) -> None:
    # An explicit stack instead of recursion, so that any document the parser
    # read can be written back, however deep. `level` is the indent level of
    # the value's first line. Containers DEEP_LEVEL or more levels deep take
    # their indent from `budget[0]`.
    append = parts.append
    stack: list[_OpenContainer] = []
    open_ids: set[int] = set()
    pending = value
    if budget is None:
        budget = [_UNLIMITED]

    while True:
        if isinstance(pending, (dict, list, tuple)) and pending:
            depth = level + len(stack)
            if depth >= DEEP_LEVEL:
                _charge_indent(budget, len(pending), depth)
        if isinstance(pending, (dict, RepeatedKeysObject)):
            if pending:
                _enter(pending, open_ids)
                append("{")
                members = pending if isinstance(pending, list) else pending.items()
                stack.append(_OpenContainer(iter(members), "}", id(pending), True))
            else:
                append("{}")
        elif isinstance(pending, (list, tuple)):
            if pending:
                _enter(pending, open_ids)
                append("[")
                stack.append(_OpenContainer(iter(pending), "]", id(pending), False))
            else:
                append("[]")
        else:
            append(_json_scalar(pending))

        while stack:
            container = stack[-1]
            child = next(container.children, _END)
            if child is _END:
                stack.pop()
                open_ids.discard(container.identity)
                append("\n" + INDENT * (level + len(stack)) + container.closing)
                continue

            separator = "\n" if container.first else ",\n"
            container.first = False
            if container.is_object:
                key, pending = child
                indent = INDENT * (level + len(stack))
                append(separator + indent + _json_key(key) + ": ")
            else:
                pending = child
                append(separator + INDENT * (level + len(stack)))
            break
        else:
            return


def _enter(container: object, open_ids: set[int]) -> None:
    identity = id(container)
    if identity in open_ids:
        raise ValueError("the value contains itself, so it cannot be written as JSON")
    open_ids.add(identity)


def _json_key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(
            f"object keys must be strings to write JSON, not "
            f"{type(key).__name__} {key!r}"
        )
    return json_string(key)


def _json_scalar(value: object) -> str:
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
    raise TypeError(
        f"a {type(value).__name__} value cannot be written as JSON; "
        "convert it to a string, number, boolean, null, list or dict first"
    )


def json_string(text: str) -> str:
    """Quote a string as JSON with non-ASCII kept and unpaired surrogates escaped.

    Escaping the surrogates keeps the result encodable as UTF-8.
    """
    quoted: str = encode_basestring(text)
    if _LONE_SURROGATE.search(quoted):
        quoted = _LONE_SURROGATE.sub(_escape_code_point, quoted)
    return quoted


def _escape_code_point(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
