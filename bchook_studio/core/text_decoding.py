"""Decode a body for display: which charset, or whether it is binary at all.

The charset comes from a byte order mark at the start of the body, then from
the Content-Type header, then from an XML declaration. JSON without either is
UTF-8. Other bodies are UTF-8 if their bytes are valid UTF-8, and Windows-1252
otherwise.
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

_BINARY_SNIFF_BYTES = 8192

_MIXED_MIN_BYTES = 64
"""Size in bytes from which a body of mostly invalid byte sequences is binary.

A shorter body stays text, with its replacement characters."""


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
    notice: str = ""
    """A warning about the charset, such as a declared name that is unknown."""

    replaced: int = 0
    """The number of invalid byte sequences that became U+FFFD in `text`."""

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


def looks_binary(body: bytes) -> bool:
    """True when the start, middle or end of `body` has NUL or many control bytes.

    Looking past the start catches text followed by binary data, such as a
    JSON preamble before an image.
    """
    if not body:
        return False
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False
    return any(_sample_looks_binary(sample) for sample in _samples(body))


def _samples(body: bytes) -> list[bytes]:
    size = _BINARY_SNIFF_BYTES
    if len(body) <= 3 * size:
        return [body]
    middle = (len(body) - size) // 2
    return [body[:size], body[middle : middle + size], body[-size:]]


def _sample_looks_binary(sample: bytes) -> bool:
    if b"\0" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\f")
    return controls / len(sample) > 0.1


# Codecs that are text encodings in Python but not charsets a body can be in.
# idna and punycode reject the "replace" error handler; the escape codecs
# interpret backslashes.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
)
_WIDE_CODECS = ("utf-16", "utf-32")


def _lookup(charset: str) -> str | None:
    """Return Python's name for a charset, or None when it is no usable charset."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return None
    # Bytes-to-bytes codecs such as base64 and zlib are not text encodings.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _decode(body: bytes, codec: str, partial: bool = False) -> str | None:
    """Return `body` decoded with replacement characters, or None if the codec fails.

    With `partial`, an incomplete sequence at the end is left out rather than
    replaced, because the rest of the character was cut off, not sent wrong.
    """
    try:
        decoder = codecs.getincrementaldecoder(codec)("replace")
        return decoder.decode(body, final=not partial)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None


def _count_replaced(body: bytes, codec: str, partial: bool) -> int:
    """Count the invalid byte sequences in `body`, which the codec decodes.

    The U+FFFD characters that "replace" adds are those that "ignore" leaves
    out, so the difference excludes any U+FFFD the body encodes itself. With
    `partial`, the incremental decoder keeps back an incomplete sequence at the
    end, so it is not counted.
    """
    counts = []
    for errors in ("replace", "ignore"):
        decoder = codecs.getincrementaldecoder(codec)(errors)
        try:
            text = decoder.decode(body, final=not partial)
        except (LookupError, UnicodeError, ValueError, TypeError):
            return 0
        counts.append(text.count("\ufffd"))
    return counts[0] - counts[1]


def _binary_media_type(media_type: str) -> bool:
    return media_type.startswith(("image/", "audio/", "video/", "font/")) or (
        media_type in {"application/octet-stream", "application/pdf", "application/zip"}
    )


def _family(codec: str) -> str:
    """Return "utf-8", "utf-16" or "utf-32" for a Unicode codec name, else the name.

    Byte order and signature variants, such as utf-16-le and utf-8-sig, belong
    to their family.
    """
    for family in ("utf-8", "utf-16", "utf-32"):
        if codec.startswith(family):
            return family
    return codec


def _with_byte_order(body: bytes, codec: str) -> str:
    """Return utf-16-le or -be (utf-32 alike) for a body in `codec` with no BOM.

    Python's incremental utf-16 and utf-32 decoders raise without a byte
    order mark. The byte order chosen is the one that puts more zero bytes in
    the high byte of each code unit, as mostly-ASCII text does. A tie is
    little-endian, which is how the WHATWG Encoding Standard reads "utf-16".
    """
    if codec not in _WIDE_CODECS:
        return codec
    width = 2 if codec == "utf-16" else 4
    sample = body[: _BINARY_SNIFF_BYTES - _BINARY_SNIFF_BYTES % width]
    high_first = sum(1 for byte in sample[::width] if byte == 0)
    high_last = sum(1 for byte in sample[width - 1 :: width] if byte == 0)
    return f"{codec}-be" if high_first > high_last else f"{codec}-le"


def _is_ascii_compatible_text(body: bytes) -> bool:
    """True for a body with no zero byte that is valid UTF-8, so not UTF-16."""
    sample = body[:_BINARY_SNIFF_BYTES]
    if b"\0" in sample:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _bom_codec(body: bytes) -> str | None:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec
    return None


def decode_body(
    body: bytes, content_type: str | None, *, partial: bool = False
) -> DecodedBody:
    """Decode `body` for display following the charset rules of this module.

    It never raises: an unknown or unusable charset name is noted in `notice`
    and the next rule applies, and bytes that do not fit a charset become
    replacement characters, counted in `replaced`. NUL or many control bytes
    make a body binary whatever its media type, unless a UTF-16 or UTF-32
    charset or byte order mark explains them, and so do invalid byte
    sequences in more than half of the bytes of a body of 64 bytes or more.
    Pass `partial` for a body that is only the start of a longer one, so that
    a character cut at its end is not counted as invalid.
    """
    media_type = media_type_of(content_type)
    size = len(body)
    binary = DecodedBody(None, "", "", media_type, size)
    if _binary_media_type(media_type):
        return binary

    declared = charset_parameter(content_type)
    codec = _lookup(declared) if declared else None
    notice = ""
    if declared and codec is None:
        notice = f"The declared charset {declared!r} is unknown, so it was ignored."

    bom_codec = _bom_codec(body)
    wide = (codec or bom_codec or "").startswith(_WIDE_CODECS)
    if not wide and looks_binary(body):
        return DecodedBody(None, "", "", media_type, size, notice)

    def decoded(text: str, charset: str, source: str) -> DecodedBody:
        # Valid bytes decode without U+FFFD unless the body encodes one.
        replaced = 0
        if "\ufffd" in text:
            replaced = _count_replaced(body, charset, partial)
        if size >= _MIXED_MIN_BYTES and replaced * 2 > size:
            # Mostly bytes that are invalid in the charset, so not text in it.
            return DecodedBody(None, "", "", media_type, size, notice)
        return DecodedBody(text, charset, source, media_type, size, notice, replaced)

    # A byte order mark wins over the declared charset, as in the WHATWG
    # Encoding Standard that browsers follow.
    if bom_codec is not None:
        if codec is not None and _family(codec) != _family(bom_codec):
            notice = (
                f"The body starts with a {_family(bom_codec).upper()} byte order "
                f"mark, so it was decoded as {_family(bom_codec).upper()} rather "
                f"than the declared charset {declared!r}."
            )
        text = _decode(body, bom_codec, partial) or ""
        return decoded(text, bom_codec, "bom")

    if codec is not None and wide and _is_ascii_compatible_text(body):
        notice = (
            f"The declared charset {declared!r} does not fit the body, which has "
            "no zero bytes and is valid UTF-8, so it was ignored."
        )
    elif codec is not None:
        codec = _with_byte_order(body, codec)
        text = _decode(body, codec, partial)
        if text is not None:
            return decoded(text, codec, "header")
        notice = f"The declared charset {declared!r} failed, so it was ignored."

    match = _XML_ENCODING.match(body[:1024])
    xml_codec = _lookup(match.group(1).decode("ascii")) if match else None
    # The declaration matched as ASCII bytes, so the body is not UTF-16 or
    # UTF-32 whatever it declares (.NET writes UTF-8 that declares utf-16).
    if xml_codec is not None and not xml_codec.startswith(_WIDE_CODECS):
        text = _decode(body, xml_codec, partial)
        if text is not None:
            return decoded(text, xml_codec, "declaration")

    if media_type == "application/json" or media_type.endswith("+json"):
        return decoded(_decode(body, "utf-8", partial) or "", "utf-8", "json")

    try:
        # A body cut at a cap can end inside a UTF-8 sequence: with `partial`
        # the incremental decoder leaves that tail out instead of failing.
        text = codecs.getincrementaldecoder("utf-8")().decode(body, final=not partial)
    except UnicodeDecodeError:
        return decoded(body.decode("cp1252", "replace"), "cp1252", "detected")
    return DecodedBody(text, "utf-8", "detected", media_type, size, notice)


def binary_summary(decoded: DecodedBody) -> str:
    """Return the one line that stands for a binary body: its type and size."""
    from bchook_studio.core.caps import format_size

    kind = decoded.media_type or "unknown type"
    return f"[binary body: {kind}, {format_size(decoded.size)}]"
