"""Decode a body for display: which charset, or whether it is binary at all.

The charset comes from the Content-Type header; without one, from the body
(a BOM, an XML declaration; JSON is UTF-8); then UTF-8 if the bytes are valid
UTF-8; then Windows-1252.
"""

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)
_CHARSET_PARAMETER = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)

_TEXT_TYPES = ("text/", "message/")
_TEXT_SUFFIXES = ("+json", "+xml", "+yaml", "+text")
_TEXT_APPLICATION_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-www-form-urlencoded",
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
        "application/problem+json",
        "application/x-ndjson",
        "application/csv",
    }
)
_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class DecodedBody:
    """A body as text, or marked binary with its type and size."""

    text: str | None
    """The decoded text, or None for a binary body."""

    charset: str
    """The charset used, or '' for a binary body."""

    charset_source: str
    """Where the charset came from: header, bom, declaration, json, detected."""

    media_type: str
    size: int

    @property
    def is_binary(self) -> bool:
        """True when the body is shown as bytes rather than text."""
        return self.text is None


def media_type_of(content_type: str | None) -> str:
    """Return the media type of a Content-Type value, lower-case, or ''."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_parameter(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type value, or None."""
    match = _CHARSET_PARAMETER.search(content_type or "")
    return match.group(1) if match else None


def _declared_textual(media_type: str) -> bool | None:
    if not media_type:
        return None
    if media_type.startswith(_TEXT_TYPES) or media_type.endswith(_TEXT_SUFFIXES):
        return True
    return media_type in _TEXT_APPLICATION_TYPES or None


def looks_binary(body: bytes) -> bool:
    """True when the start of `body` holds NUL or many control bytes."""
    sample = body[:_BINARY_SNIFF_BYTES]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\0" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\f")
    return controls / len(sample) > 0.1


def _lookup(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str | None) -> DecodedBody:
    """Decode `body` for display following the charset rules of this module."""
    media_type = media_type_of(content_type)
    size = len(body)
    textual = _declared_textual(media_type)
    is_binary_type = media_type.startswith(
        ("image/", "audio/", "video/", "font/")
    ) or media_type in {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
    }

    if is_binary_type or (textual is None and looks_binary(body)):
        return DecodedBody(None, "", "", media_type, size)

    declared = charset_parameter(content_type)
    if declared and (codec := _lookup(declared)):
        return DecodedBody(
            body.decode(codec, "replace"), codec, "header", media_type, size
        )

    for bom, codec in _BOMS:
        if body.startswith(bom):
            return DecodedBody(
                body.decode(codec, "replace"), codec, "bom", media_type, size
            )

    match = _XML_ENCODING.match(body[:1024])
    if match and (codec := _lookup(match.group(1).decode("ascii"))):
        return DecodedBody(
            body.decode(codec, "replace"), codec, "declaration", media_type, size
        )

    if media_type == "application/json" or media_type.endswith("+json"):
        return DecodedBody(
            body.decode("utf-8", "replace"), "utf-8", "json", media_type, size
        )

    try:
        return DecodedBody(body.decode("utf-8"), "utf-8", "detected", media_type, size)
    except UnicodeDecodeError:
        pass
    if looks_binary(body):
        return DecodedBody(None, "", "", media_type, size)
    return DecodedBody(
        body.decode("cp1252", "replace"), "cp1252", "detected", media_type, size
    )


def binary_summary(decoded: DecodedBody) -> str:
    """Return the one line that stands for a binary body: its type and size."""
    from bchook_studio.core.caps import format_size

    kind = decoded.media_type or "unknown type"
    return f"[binary body: {kind}, {format_size(decoded.size)}]"
