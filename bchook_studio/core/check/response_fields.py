"""Expected values of response fields: a JSON Pointer or an XPath, and a value.

`/data/ok=true` reads a JSON body with a JSON Pointer (RFC 6901); `//status=ok`
or `/response/status/text()=ok` reads an XML body with XPath 1.0. Which one
applies follows the response: its Content-Type (`application/json`, `+json`,
`application/xml`, `text/xml`, `+xml`), or, for another or no type, the first
character of the body (`{` or `[` for JSON, `<` for XML).

JSON values compare as JSON: the expected text is parsed as JSON when it
parses (`true`, `3`, `"ok"`, `null`), and is a string otherwise, so `ok` and
`"ok"` both expect the string ok. `true` never equals 1, and 1 equals 1.0.
XPath values compare as their XPath string value, with surrounding white space
ignored on both sides. XML bodies are parsed with the safe parser, which
resolves no entities and loads no DTD.
"""

import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lxml import etree

from bchook_studio.core.check.status_spec import ExpectationError
from bchook_studio.core.formats import BodyFormat, FormatError, ParserLimit, parse_xml
from bchook_studio.core.templates.results import format_problem_summary
from bchook_studio.core.text_decoding import decode_body, media_type_of

logger = logging.getLogger(__name__)

SHOWN_VALUE_CHARS = 80
"""Characters of a value quoted in a failure reason before it is cut."""

_SYNTAX_HELP = "write it as PATH=VALUE, such as /data/ok=true or //status=ok"
_OPENERS = {"(": ")", "[": "]"}


class BodyKind(StrEnum):
    """The kind of a response body, which decides how field paths are read."""

    JSON = "json"
    XML = "xml"
    OTHER = "other"


@dataclass(frozen=True)
class FieldExpectation:
    """One expected field value: a JSON Pointer or XPath, and the value."""

    path: str
    expected: str
    """The expected value as written; see the module documentation for the
    comparison rules."""

    @property
    def text(self) -> str:
        """Return the expectation as `PATH=VALUE`."""
        return f"{self.path}={self.expected}"

    @property
    def is_json_pointer(self) -> bool:
        """True when the path is a valid JSON Pointer."""
        return pointer_tokens(self.path) is not None

    @property
    def is_xpath(self) -> bool:
        """True when the path compiles as an XPath 1.0 expression."""
        return _xpath_problem(self.path) is None


def parse_field_expectation(text: str) -> FieldExpectation:
    """Parse `PATH=VALUE`, or raise ExpectationError naming what is wrong.

    The path ends at the first `=` outside brackets, parentheses and quotes,
    so XPath predicates such as `//item[@id='2']/name=Pen` work. Surrounding
    white space of the path and of the value is removed. To expect a string
    with surrounding spaces, write it as a JSON string (`/name=" x "`).
    """
    stripped = text.strip()
    index = _top_level_equals(stripped)
    if index is None:
        raise ExpectationError(
            f"the field expectation {text!r} has no '=' outside brackets and "
            f"quotes; {_SYNTAX_HELP}"
        )

    path = stripped[:index].strip()
    expected = stripped[index + 1 :].strip()
    if not path:
        raise ExpectationError(
            f"the field expectation {text!r} has no path before '='; {_SYNTAX_HELP}"
        )

    if pointer_tokens(path) is None:
        problem = _xpath_problem(path)
        if problem is not None:
            raise ExpectationError(
                f"the field path {path!r} is neither a JSON Pointer such as "
                f"/data/ok nor a valid XPath such as //status ({problem})"
            )
    return FieldExpectation(path, expected)


def _top_level_equals(text: str) -> int | None:
    """Return the index of the first `=` outside brackets and quotes, or None."""
    closers: list[str] = []
    quote: str | None = None
    for index, char in enumerate(text):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in _OPENERS:
            closers.append(_OPENERS[char])
        elif closers and char == closers[-1]:
            closers.pop()
        elif char == "=" and not closers:
            return index
    return None


def pointer_tokens(path: str) -> list[str] | None:
    """Return the reference tokens of a JSON Pointer, or None when it is invalid.

    `~1` stands for `/` and `~0` for `~`; any other `~` makes the pointer
    invalid. The empty pointer, the whole document, is not accepted here,
    because a check needs a field.
    """
    if not path.startswith("/"):
        return None
    tokens = []
    for raw in path[1:].split("/"):
        remainder = raw.replace("~0", "").replace("~1", "")
        if "~" in remainder:
            return None
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def _xpath_problem(path: str) -> str | None:
    try:
        etree.XPath(path)
    except etree.XPathSyntaxError as exc:
        return str(exc) or "invalid expression"
    return None


@dataclass(frozen=True)
class ParsedBody:
    """A response body read once for all field checks."""

    kind: BodyKind
    value: Any = None
    """The JSON value, or the root element of an XML body."""

    problem: str | None = None
    """The reason the body could not be read as its kind, for failure reasons."""


def body_kind(body: bytes, content_type: str | None) -> BodyKind:
    """Return whether a body is read as JSON, as XML, or neither."""
    media_type = media_type_of(content_type)
    if media_type in ("application/json", "text/json") or media_type.endswith("+json"):
        return BodyKind.JSON
    if media_type in ("application/xml", "text/xml") or media_type.endswith("+xml"):
        return BodyKind.XML

    start = body.lstrip(b"\xef\xbb\xbf").lstrip()[:1]
    if start in (b"{", b"["):
        return BodyKind.JSON
    if start == b"<":
        return BodyKind.XML
    return BodyKind.OTHER


def parse_body(body: bytes, content_type: str | None) -> ParsedBody:
    """Read a response body as JSON or XML for field checks.

    A body that cannot be read gives a ParsedBody with a `problem`, not an
    exception.
    """
    kind = body_kind(body, content_type)
    # Checked first, so an empty body reads the same whatever its Content-Type
    # claims (a 302 labelled JSON, a 204).
    if not body.strip():
        return ParsedBody(kind, problem="the response body is empty")
    if kind is BodyKind.JSON:
        return _parse_json_body(body, content_type)
    if kind is BodyKind.XML:
        try:
            tree = parse_xml(body)
        except FormatError as exc:
            summary = format_problem_summary(
                "the response body", BodyFormat.XML, exc.problem.limit
            )
            return ParsedBody(kind, problem=f"{summary} at {exc}")
        return ParsedBody(kind, tree.getroot())

    return ParsedBody(kind, problem="the response body is neither JSON nor XML")


def _parse_json_body(body: bytes, content_type: str | None) -> ParsedBody:
    decoded = decode_body(body, content_type)
    if decoded.text is None:
        return ParsedBody(BodyKind.JSON, problem="the response body is binary")
    try:
        value = json.loads(decoded.text)
    except RecursionError:
        # json.loads recurses once per array or object, so a deep document runs
        # out of stack. Such a document may still be valid JSON.
        summary = format_problem_summary(
            "the response body", BodyFormat.JSON, ParserLimit.DEPTH
        )
        return ParsedBody(BodyKind.JSON, problem=summary)
    except ValueError as exc:
        return ParsedBody(
            BodyKind.JSON, problem=f"the response body is not valid JSON: {exc}"
        )
    return ParsedBody(BodyKind.JSON, value)


def check_field(expectation: FieldExpectation, parsed: ParsedBody) -> str | None:
    """Return why the field does not have the expected value, or None if it does."""
    path = expectation.path
    if parsed.problem is not None:
        return f"field {path} not checked: {parsed.problem}"
    if parsed.kind is BodyKind.JSON:
        return _check_json_field(expectation, parsed.value)
    return _check_xml_field(expectation, parsed.value)


def _check_json_field(expectation: FieldExpectation, document: Any) -> str | None:
    path = expectation.path
    tokens = pointer_tokens(path)
    if tokens is None:
        return (
            f"field {path} not checked: the response body is JSON, so the path must "
            "be a JSON Pointer such as /data/ok"
        )

    found, actual = resolve_pointer(document, tokens)
    if not found and path.startswith("//"):
        return (
            f"field {path} not found: as a JSON Pointer, '//' names a key that is "
            "the empty string. For an XPath the response must be XML; for JSON "
            "write the pointer with one '/', such as /data/ok"
        )
    if not found:
        return f"field {path} not found"

    expected = expected_json_value(expectation.expected)
    if json_equal(actual, expected):
        return None
    return f"{path} is {_shown(_json_text(actual))}, expected {_json_text(expected)}"


def resolve_pointer(document: Any, tokens: list[str]) -> tuple[bool, Any]:
    """Follow JSON Pointer tokens; return (False, None) when a step is missing."""
    value = document
    for token in tokens:
        if isinstance(value, dict):
            if token not in value:
                return False, None
            value = value[token]
        elif isinstance(value, list):
            index = _array_index(token)
            if index is None or index >= len(value):
                return False, None
            value = value[index]
        else:
            return False, None
    return True, value


def _array_index(token: str) -> int | None:
    # RFC 6901: digits without a leading zero; "-" (past the end) never exists.
    if not token.isascii() or not token.isdigit():
        return None
    if len(token) > 1 and token.startswith("0"):
        return None
    return int(token)


def expected_json_value(text: str) -> Any:
    """Return the expected text parsed as JSON, or the text itself as a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def json_equal(left: Any, right: Any) -> bool:
    """Compare two JSON values, keeping booleans apart from numbers."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            json_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            json_equal(left[key], right[key]) for key in left
        )
    return type(left) is type(right) and left == right


def _check_xml_field(expectation: FieldExpectation, root: etree._Element) -> str | None:
    path = expectation.path
    problem = _xpath_problem(path)
    if problem is not None:
        return (
            f"field {path} not checked: the response body is XML, so the path must "
            f"be an XPath such as //status ({problem})"
        )

    try:
        result = etree.XPath(path, smart_strings=False)(root)
    except etree.XPathError as exc:
        return f"field {path} not checked: the XPath failed on this body ({exc})"

    actual = xpath_string_value(result)
    if actual is None:
        return f"field {path} not found"
    if actual.strip() == expectation.expected.strip():
        return None
    return (
        f"{path} is {_shown(_json_text(actual.strip()))}, "
        f"expected {_json_text(expectation.expected.strip())}"
    )


def xpath_string_value(result: Any) -> str | None:
    """Return the XPath string value of a result, or None for an empty node set.

    A node set gives the string value of its first node, as XPath's string()
    does: the text of an element with its descendants, or an attribute or
    text node's value.
    """
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float):
        if result.is_integer():
            return str(int(result))
        return repr(result)
    if isinstance(result, str):
        return str(result)
    if isinstance(result, list):
        if not result:
            return None
        first = result[0]
        if isinstance(first, etree._Element) and isinstance(first.tag, str):
            return "".join(first.itertext())
        if isinstance(first, etree._Element):
            return first.text or ""
        return str(first)
    return str(result)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _shown(text: str) -> str:
    if len(text) <= SHOWN_VALUE_CHARS:
        return text
    return text[: SHOWN_VALUE_CHARS - 1] + "…"
