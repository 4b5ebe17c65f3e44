"""Escaping of placeholder values, chosen by where each placeholder sits in the body.

A JSON body has two places: inside a string literal, where a value is written
as string content, and outside one, where it is written as a JSON value. An
XML body has text, attribute values (and the inside of a tag) and CDATA
sections. The trackers here follow the template's literal text to tell which
place the next placeholder is in.

Values marked as already written for a format are inserted as they are:
`markupsafe.Markup` everywhere (the output of `|safe`, `studio.raw()`, macros
and `{% set %}` blocks), `JsonText` outside JSON strings and `XmlText` in XML
text.
"""

import math
import re
from collections.abc import Callable
from enum import Enum
from typing import ClassVar

from markupsafe import Markup

from bchook_studio.core.formats.json_text import json_string, number_spelling
from bchook_studio.core.formats.xml_layout import XML_ILLEGAL_CHARACTER
from bchook_studio.core.templates.json_writer import scalar_json

REPLACEMENT_CHARACTER = "\ufffd"


class JsonText(str):
    """Text that is already a JSON value, such as the output of `|tojson`."""


class XmlText(str):
    """Text that is already XML markup, such as the output of `|toxml`."""


class Place(Enum):
    """Where a placeholder sits in the body, which decides its escaping."""

    JSON_STRING = "json_string"
    JSON_VALUE = "json_value"
    XML_TEXT = "xml_text"
    XML_ATTRIBUTE = "xml_attribute"
    XML_CDATA = "xml_cdata"
    XML_COMMENT = "xml_comment"


ContainerWriter = Callable[[object], str]
"""Writes a dict, list or tuple as one-line JSON text, bounded in size."""


def plain_text(value: object, write_container: ContainerWriter, null: str) -> str:
    """Return a value as the text a string-like place shows.

    Booleans are `true` and `false`, numbers keep their JSON spelling, None is
    `null`, and containers are one-line JSON.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return null
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and not math.isfinite(value):
        return _non_finite_spelling(value)
    if isinstance(value, (int, float)):
        return number_spelling(value)
    if isinstance(value, (dict, list, tuple)):
        return write_container(value)
    _reject_callable(value)
    return str(value)


def _non_finite_spelling(value: float) -> str:
    # JSON has no spelling for these, so inside a string JavaScript's is used.
    if math.isnan(value):
        return "NaN"
    if value > 0:
        return "Infinity"
    return "-Infinity"


def _reject_callable(value: object) -> None:
    if callable(value):
        raise TypeError(
            "this value is a function, so it cannot be written into the body; "
            "call it with (), as in studio.now_iso()"
        )


def json_string_content(value: object, write_container: ContainerWriter) -> str:
    """Write a value as the content of a JSON string literal, without quotes."""
    if isinstance(value, Markup):
        return str(value)
    return json_string(plain_text(value, write_container, "null"))[1:-1]


def json_value(value: object, write_container: ContainerWriter) -> str:
    """Write a value as a JSON value: a number, true, false, null, object, array.

    A string is written as a JSON string with its quotes, unless it is JsonText
    or Markup, which are written as they are.
    """
    if isinstance(value, (JsonText, Markup)):
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        return write_container(value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return scalar_json(value)
    _reject_callable(value)
    return json_string(str(value))


_XML_TEXT_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        # A parser turns a raw carriage return into a line feed.
        "\r": "&#13;",
    }
)
# A parser turns raw tabs and new lines in an attribute value into spaces.
_XML_ATTRIBUTE_ESCAPES = str.maketrans(
    {**_XML_TEXT_ESCAPES, "\t": "&#9;", "\n": "&#10;"}
)


def replace_xml_illegal(text: str) -> tuple[str, list[str]]:
    """Replace characters XML 1.0 cannot carry by U+FFFD; return them too."""
    found = XML_ILLEGAL_CHARACTER.findall(text)
    if not found:
        return text, []
    return XML_ILLEGAL_CHARACTER.sub(REPLACEMENT_CHARACTER, text), found


def xml_escaped(
    value: object, place: Place, write_container: ContainerWriter
) -> tuple[str, list[str]]:
    """Write a value for an XML place; return the text and the replaced characters.

    None is written as nothing, as the studio's XML layout writes null.
    """
    if isinstance(value, Markup) or (
        isinstance(value, XmlText) and place is Place.XML_TEXT
    ):
        return str(value), []

    text, replaced = replace_xml_illegal(plain_text(value, write_container, ""))
    if place is Place.XML_CDATA:
        return _cdata_content(text), replaced
    if place is Place.XML_COMMENT:
        return _comment_content(text), replaced
    if place is Place.XML_ATTRIBUTE:
        return text.translate(_XML_ATTRIBUTE_ESCAPES), replaced
    return text.translate(_XML_TEXT_ESCAPES), replaced


def _cdata_content(text: str) -> str:
    # "]]>" would end the section, and a raw carriage return would become a
    # line feed, so both are written outside the section.
    text = text.replace("]]>", "]]]]><![CDATA[>")
    return text.replace("\r", "]]>&#13;<![CDATA[")


def _comment_content(text: str) -> str:
    # A comment may not contain "--", and a value that starts or ends with "-"
    # would make one with the hyphen of "<!--" or "-->" beside it. Entities are
    # not read in comments, so nothing else changes.
    text = _DOUBLE_HYPHEN.sub("- ", text)
    if not text:
        # Between two hyphens of the template ("a-{{ x }}-->"), nothing would
        # join them.
        return " "
    if text.startswith("-"):
        text = " " + text
    if text.endswith("-"):
        text += " "
    return text


_DOUBLE_HYPHEN = re.compile(r"-(?=-)")


class JsonTracker:
    """Follows template text to tell whether it is inside a JSON string literal."""

    _OUTSIDE, _STRING, _ESCAPE = range(3)
    _STRING_END = re.compile(r'["\\]')

    def __init__(self) -> None:
        self._state = self._OUTSIDE

    @property
    def place(self) -> Place:
        """The place of a placeholder at the current position."""
        if self._state == self._OUTSIDE:
            return Place.JSON_VALUE
        return Place.JSON_STRING

    def feed(self, text: str) -> None:
        """Advance over literal template text."""
        position = 0
        length = len(text)
        while position < length:
            if self._state == self._OUTSIDE:
                quote = text.find('"', position)
                if quote < 0:
                    return
                self._state = self._STRING
                position = quote + 1
            elif self._state == self._ESCAPE:
                self._state = self._STRING
                position += 1
            else:
                match = self._STRING_END.search(text, position)
                if match is None:
                    return
                if match.group() == '"':
                    self._state = self._OUTSIDE
                else:
                    self._state = self._ESCAPE
                position = match.end()

    def skip_placeholder(self) -> None:
        """Advance over a placeholder's output, which never ends a string."""
        if self._state == self._ESCAPE:
            self._state = self._STRING


class XmlTracker:
    """Follows template text to tell whether it is in text, a tag or CDATA.

    Comments and processing instructions are followed so that quotes in them
    are not taken for attribute values. A placeholder in a comment is kept
    from writing "--", and one in a processing instruction is escaped as text.
    """

    _TEXT, _TAG, _DOUBLE, _SINGLE, _COMMENT, _CDATA, _INSTRUCTION = range(7)
    _TAG_END = re.compile(r"[\"'>]")
    _ENDS: ClassVar[dict[int, str]] = {
        _DOUBLE: '"',
        _SINGLE: "'",
        _COMMENT: "-->",
        _CDATA: "]]>",
        _INSTRUCTION: "?>",
    }

    def __init__(self) -> None:
        self._state = self._TEXT

    @property
    def place(self) -> Place:
        """The place of a placeholder at the current position."""
        if self._state in (self._TAG, self._DOUBLE, self._SINGLE):
            return Place.XML_ATTRIBUTE
        if self._state == self._CDATA:
            return Place.XML_CDATA
        if self._state == self._COMMENT:
            return Place.XML_COMMENT
        return Place.XML_TEXT

    def feed(self, text: str) -> None:
        """Advance over literal template text."""
        position = 0
        length = len(text)
        while position < length:
            state = self._state
            if state == self._TEXT:
                position = self._open(text, position)
            elif state == self._TAG:
                match = self._TAG_END.search(text, position)
                if match is None:
                    return
                self._state = {'"': self._DOUBLE, "'": self._SINGLE}.get(
                    match.group(), self._TEXT
                )
                position = match.end()
            else:
                end = self._ENDS[state]
                found = text.find(end, position)
                if found < 0:
                    return
                self._state = (
                    self._TAG if state in (self._DOUBLE, self._SINGLE) else self._TEXT
                )
                position = found + len(end)

    def _open(self, text: str, position: int) -> int:
        start = text.find("<", position)
        if start < 0:
            return len(text)
        if text.startswith("<!--", start):
            self._state = self._COMMENT
            return start + 4
        if text.startswith("<![CDATA[", start):
            self._state = self._CDATA
            return start + 9
        if text.startswith("<?", start):
            self._state = self._INSTRUCTION
            return start + 2
        self._state = self._TAG
        return start + 1

    def skip_placeholder(self) -> None:
        """Advance over a placeholder's output, which does not change the place."""
