"""Text for views: a body pretty-printed when it parses, or bytes as a hex dump."""

import logging

logger = logging.getLogger(__name__)

HEX_DUMP_MAX_BYTES = 64 * 1024


def pretty_for_display(text: str, language: str) -> str:
    """Return `text` indented when it is well-formed JSON or XML, else unchanged."""
    from bchook_studio.core.formats import (
        FormatError,
        pretty_json_text,
        pretty_xml_text,
    )

    try:
        if language == "json":
            return pretty_json_text(text)
        if language == "xml":
            return pretty_xml_text(text)
    except FormatError as exc:
        logger.debug("body shown as received: %s", exc)
    return text


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
