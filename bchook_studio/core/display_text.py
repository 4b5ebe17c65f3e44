"""Text for views: a body pretty-printed when it parses, or bytes as a hex dump."""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

HEX_DUMP_MAX_BYTES = 64 * 1024

PRETTY_GROWTH = 4
"""Indentation a deeply nested body may gain per character, beyond PRETTY_FLOOR.

A JSON body that needs more is shown as received. For XML the limit applies to
the whole growth of the pretty text."""

PRETTY_FLOOR = 1024 * 1024
"""Characters of growth every body may take, however short."""
_DTD_NOTICE = (
    "Shown as received: the XML declares entities or has an internal DTD subset, "
    "which Hook Studio never expands or applies."
)


@dataclass(frozen=True)
class DisplayText:
    """Text for a view, and a warning to show above it when there is one."""

    text: str
    notice: str | None = None


def pretty_for_display(text: str, language: str) -> DisplayText:
    """Return `text` indented when it is well-formed JSON or XML, else unchanged.

    XML that declares entities, or has any other internal DTD subset, is
    returned as received with a notice: the safe parser rejects it before
    anything is expanded, so a "billion laughs" document costs no more than
    reading it. So is a document nested so deeply that indenting it would
    multiply its size (see PRETTY_GROWTH): 400 nested arrays grow 400 times.
    """
    from bchook_studio.core.formats import FormatError, pretty_xml_text
    from bchook_studio.core.formats.json_text import (
        IndentTooLarge,
        pretty_json_keeping_repeats,
    )
    from bchook_studio.core.formats.xml_text import (
        ENTITIES_MESSAGE,
        INTERNAL_SUBSET_MESSAGE,
    )

    growth = PRETTY_GROWTH * len(text) + PRETTY_FLOOR
    try:
        if language == "json":
            pretty, repeated = pretty_json_keeping_repeats(text, growth)
            return DisplayText(pretty, _repeated_key_notice(repeated))
        if language == "xml":
            pretty = pretty_xml_text(text)
            if len(pretty) > len(text) + growth:
                return DisplayText(text, _nesting_notice("XML"))
            return DisplayText(pretty)
    except IndentTooLarge:
        return DisplayText(text, _nesting_notice("JSON"))
    except FormatError as exc:
        logger.debug("body shown as received: %s", exc)
        if exc.problem.message in {ENTITIES_MESSAGE, INTERNAL_SUBSET_MESSAGE}:
            return DisplayText(text, _DTD_NOTICE)
    return DisplayText(text)


def _repeated_key_notice(key: str | None) -> str | None:
    if key is None:
        return None
    return (
        f"An object repeats the key {key!r}. Both members are shown, but many "
        "JSON parsers keep only the last one."
    )


def _nesting_notice(name: str) -> str:
    return (
        f"Shown as received: the {name} is nested so deeply that indenting it "
        "would make it many times longer than the body."
    )


def hex_dump(data: bytes, limit: int = HEX_DUMP_MAX_BYTES) -> str:
    """Return offset, hex and printable ASCII columns for the first `limit` bytes."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        row = data[offset : offset + 16]
        hex_part = " ".join(f"{byte:02x}" for byte in row)
        text_part = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in row)
        lines.append(f"{offset:08x}  {hex_part:<47}  {text_part}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit} more bytes")
    return "\n".join(lines) + ("\n" if lines else "")
