"""JSON and XML bodies: well-formedness checks, pretty printing and conversion.

Pure Python on the standard library and lxml, so the CLI, the tests and a
worker process can use it without Qt. The XML modules import lxml when a
function first parses, builds or serializes XML, so importing this package for
BodyFormat does not load lxml (about 4 MiB and 10 ms).
"""

from enum import StrEnum

from bchook_studio.core.formats.json_text import (
    JsonNumber,
    check_json,
    parse_json,
    pretty_json,
    pretty_json_text,
)
from bchook_studio.core.formats.problems import (
    ConversionError,
    FormatError,
    FormatProblem,
    ParserLimit,
)
from bchook_studio.core.formats.xml_convert import (
    json_text_to_xml_text,
    json_to_xml,
    xml_text_to_json_text,
    xml_to_json,
)
from bchook_studio.core.formats.xml_text import (
    XML_DECLARATION,
    check_xml,
    parse_xml,
    pretty_xml_text,
    safe_xml_parser,
)

__all__ = [
    "XML_DECLARATION",
    "BodyFormat",
    "ConversionError",
    "FormatError",
    "FormatProblem",
    "JsonNumber",
    "ParserLimit",
    "check_json",
    "check_xml",
    "json_text_to_xml_text",
    "json_to_xml",
    "parse_json",
    "parse_xml",
    "pretty_json",
    "pretty_json_text",
    "pretty_xml_text",
    "safe_xml_parser",
    "xml_text_to_json_text",
    "xml_to_json",
]

_CONTENT_TYPES = {"json": "application/json", "xml": "application/xml"}


class BodyFormat(StrEnum):
    """The body format of a webhook, as BrainCert's settings page offers it."""

    JSON = "json"
    XML = "xml"

    @property
    def content_type(self) -> str:
        """The Content-Type value BrainCert's form names for this format."""
        return _CONTENT_TYPES[self.value]

    @classmethod
    def parse(cls, text: str) -> "BodyFormat":
        """Read a format name such as "json" or "XML", ignoring case and spaces."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(member.value for member in cls)
            raise ValueError(
                f"unknown body format {text!r}; choose one of: {choices}"
            ) from None

    def check(self, text: str) -> FormatProblem | None:
        """Return the first well-formedness problem of text in this format, or None."""
        if self is BodyFormat.JSON:
            return check_json(text)
        return check_xml(text)

    def pretty(self, text: str) -> str:
        """Reformat text in this format, or raise FormatError."""
        if self is BodyFormat.JSON:
            return pretty_json_text(text)
        return pretty_xml_text(text)
