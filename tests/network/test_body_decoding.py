"""Content-Encoding under a cap, fed in awkward chunks, and charset decoding."""

import gzip
import zlib

import pytest

from bchook_studio.core.delivery.body_capture import CappedBody
from bchook_studio.core.delivery.content_encoding import (
    BodyDecoder,
    ContentDecodingError,
)
from bchook_studio.core.text_decoding import decode_body

TEXT = b"The quick brown fox jumps over the lazy dog. " * 200


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def capture(body: bytes, encoding: str, cap: int, size: int) -> CappedBody:
    collected = CappedBody(encoding, cap)
    for chunk in chunks(body, size):
        if not collected.feed(chunk):
            break
    else:
        collected.finish()
    return collected


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("size", [1, 2, 7, 4096])
@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", raw_deflate),
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("deflate, gzip", lambda data: gzip.compress(zlib.compress(data))),
    ],
)
def test_decoded_in_any_chunks(encoding, encode, size):
    collected = capture(encode(TEXT), encoding, 10 * len(TEXT), size)

    assert collected.error is None
    assert collected.body() == (TEXT, len(TEXT))
    assert not collected.truncated


@pytest.mark.parametrize("size", [1, 3, 4096])
def test_multi_member_split_anywhere(size):
    body = gzip.compress(b"one ") + gzip.compress(b"two ") + gzip.compress(b"three")
    collected = capture(body, "gzip", 1000, size)

    assert collected.error is None
    assert collected.body() == (b"one two three", 13)


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(b"\0" * 5_000_000)),
        ("deflate", zlib.compress(b"\0" * 5_000_000)),
        ("deflate", raw_deflate(b"\0" * 5_000_000)),
        ("gzip, gzip", gzip.compress(gzip.compress(b"\0" * 5_000_000))),
    ],
)
def test_bomb_stops_at_cap(encoding, body):
    collected = capture(body, encoding, 1000, 512)

    assert collected.truncated
    assert collected.body() == (b"\0" * 1000, 1001)


def test_decoder_output_bounded_per_feed():
    decoder = BodyDecoder("gzip, gzip")
    body = gzip.compress(gzip.compress(b"\0" * 5_000_000))

    output = decoder.feed(body, 100)

    assert len(output) == 100
    assert decoder.pending()


def test_body_exactly_at_cap_not_truncated():
    collected = capture(gzip.compress(b"x" * 1000), "gzip", 1000, 64)

    assert not collected.truncated
    assert collected.body() == (b"x" * 1000, 1000)


def test_trailing_garbage_after_member_ignored():
    collected = capture(gzip.compress(b"kept") + b"\0\0junk", "gzip", 100, 3)

    assert collected.error is None
    assert collected.body() == (b"kept", 4)


@pytest.mark.parametrize(
    ("encoding", "body", "message"),
    [
        ("gzip", gzip.compress(TEXT)[:-20], "gzip stream is incomplete"),
        ("gzip", b"plain text, not gzip", "not valid gzip data"),
        ("deflate", b"plain text, not deflate", "not valid deflate data"),
        ("br", b"whatever", "'br' is not supported"),
        ("gzip, zstd", b"whatever", "'zstd' is not supported"),
    ],
)
def test_broken_encoding_keeps_raw(encoding, body, message):
    collected = capture(body, encoding, 100_000, 16)

    assert message in collected.error
    assert collected.body() == (body, len(body))


def test_raising_decoder_error_type():
    with pytest.raises(ContentDecodingError):
        BodyDecoder("compress")


@pytest.mark.parametrize(
    "charset",
    [
        "base64",
        "idna",
        "punycode",
        "rot13",
        "zlib",
        "hex",
        "uu",
        "unicode_escape",
        "undefined",
        "utf-8\\0",
        "x" * 300,
        "",
    ],
)
def test_odd_charset_never_raises(charset):
    decoded = decode_body("Jürgen \\x41 ü".encode(), f"text/plain; charset={charset}")

    assert decoded.text == "Jürgen \\x41 ü"
    assert decoded.charset == "utf-8"


@pytest.mark.parametrize("encoding", ["base64", "idna", "bogus"])
def test_odd_xml_declaration_never_raises(encoding):
    body = f'<?xml version="1.0" encoding="{encoding}"?><a>é</a>'.encode()
    decoded = decode_body(body, "application/xml")

    assert decoded.text.endswith("<a>é</a>")
    assert decoded.charset_source == "detected"


def test_utf16_declared_without_bom():
    decoded = decode_body("Grüße".encode("utf-16-le"), "text/plain; charset=utf-16le")

    assert decoded.text == "Grüße"
    assert not decoded.is_binary


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [
        ("utf-16", "utf-16-le"),
        ("utf-16", "utf-16-be"),
        ("UTF-32", "utf-32-le"),
        ("utf-32", "utf-32-be"),
    ],
)
def test_wide_charset_without_bom_finds_byte_order(charset, encoding):
    body = "Grüße, hi!".encode(encoding)

    decoded = decode_body(body, f"text/plain; charset={charset}")

    assert decoded.text == "Grüße, hi!"
    assert decoded.charset == encoding
    assert decoded.notice == ""


def test_utf8_declaring_utf16_read_as_utf8():
    body = b'<?xml version="1.0" encoding="utf-16"?><a>hi</a>'

    from_declaration = decode_body(body, "application/xml")
    from_header = decode_body(b"<a>hi</a>", "text/xml; charset=utf-16")

    assert from_declaration.text == body.decode()
    assert from_declaration.charset == "utf-8"
    assert from_header.text == "<a>hi</a>"
    assert "'utf-16' does not fit the body" in from_header.notice


def test_latin1_without_charset_is_cp1252():
    decoded = decode_body("café – ok".encode("cp1252"), "text/plain")

    assert decoded.text == "café – ok"
    assert decoded.charset == "cp1252"


def test_nul_bytes_in_json_are_binary():
    decoded = decode_body(b'{"a": "\0\0\0"}', "application/json")

    assert decoded.is_binary


def test_binary_after_text_start_is_binary():
    body = (
        b'{"name": "report", "data": "' + b"a" * 30_000 + b'"}' + bytes(range(256)) * 40
    )

    assert decode_body(body, "application/json").is_binary


def test_invalid_utf8_throughout_is_binary():
    body = bytes(range(0x80, 0x100)) * 64

    assert decode_body(body, "application/json").is_binary


def test_some_invalid_utf8_stays_text():
    body = '{"city": "Zürich", "note": "ok"}'.encode("latin-1")

    decoded = decode_body(body, "application/json")

    assert decoded.text == '{"city": "Z\ufffdrich", "note": "ok"}'
    assert decoded.replaced == 1


def test_utf8_without_ascii_stays_text():
    body = ("漢字かな交じり文" * 500).encode()

    assert decode_body(body, "text/plain").text == "漢字かな交じり文" * 500
