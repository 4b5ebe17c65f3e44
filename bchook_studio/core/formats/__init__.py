"""JSON and XML bodies: well-formedness checks, pretty printing and conversion.

Pure Python on the standard library and lxml, so the CLI, the tests and a
worker process can use it without Qt. The XML modules import lxml when a
function first parses, builds or serializes XML, so importing this package for
BodyFormat does not load lxml (about 4 MiB and 10 ms). The package's names are
imported from their submodules on first access, so a JSON check does not load
the XML modules either.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from bchook_studio.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
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
        check_xml,
        parse_xml,
        pretty_xml_text,
        safe_xml_parser,
    )

_JSON = "bchook_studio.core.formats.json_text"
_PROBLEMS = "bchook_studio.core.formats.problems"
_CONVERT = "bchook_studio.core.formats.xml_convert"
_XML = "bchook_studio.core.formats.xml_text"
_SUBMODULES = {
    "ConversionError": _PROBLEMS,
    "FormatError": _PROBLEMS,
    "FormatProblem": _PROBLEMS,
    "JsonNumber": _JSON,
    "ParserLimit": _PROBLEMS,
    "check_json": _JSON,
    "check_xml": _XML,
    "json_text_to_xml_text": _CONVERT,
    "json_to_xml": _CONVERT,
    "parse_json": _JSON,
    "parse_xml": _XML,
    "pretty_json": _JSON,
    "pretty_json_text": _JSON,
    "pretty_xml_text": _XML,
    "safe_xml_parser": _XML,
    "xml_text_to_json_text": _CONVERT,
    "xml_to_json": _CONVERT,
}
"""The submodule that defines each name of `__all__` defined elsewhere."""

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
"""The declaration that starts every XML body the studio writes."""

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
    def parse(cls, text: str) -> BodyFormat:
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
            from bchook_studio.core.formats.json_text import check_json

            return check_json(text)
        from bchook_studio.core.formats.xml_text import check_xml

        return check_xml(text)

    def pretty(self, text: str) -> str:
        """Reformat text in this format, or raise FormatError."""
        if self is BodyFormat.JSON:
            from bchook_studio.core.formats.json_text import pretty_json_text

            return pretty_json_text(text)
        from bchook_studio.core.formats.xml_text import pretty_xml_text

        return pretty_xml_text(text)


__getattr__, __dir__ = lazy_exports(__name__, _SUBMODULES)
