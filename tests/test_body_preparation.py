"""Bodies prepared for display: decoding, pretty printing, caps, line index."""

import asyncio
import json
import pickle
import zlib
from array import array

import pytest

from bchook_studio.core.body_preparation import INLINE_LIMIT, prepare_body
from bchook_studio.core.caps import DEFAULT_CAPS, SizeCaps
from bchook_studio.core.formats import pretty_json_text, pretty_xml_text
from bchook_studio.core.formats.json_text import MAX_JSON_DEPTH
from bchook_studio.core.line_index import LineIndex
from bchook_studio.core.text_decoding import decode_body
from bchook_studio.core.workers import WorkerPool

SMALL_CAPS = SizeCaps(display=1000, highlight=500)
NOT_PRETTY_PART = "Not pretty-printed, because only the start of the document is shown."


def _png(width: int = 4, height: int = 4) -> bytes:
    """Build a real PNG of grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        crc = zlib.crc32(body).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + body + crc

    header = (
        width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    )
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _json_records(count: int) -> bytes:
    records = [
        {"id": number, "name": f"Zoë {number}", "score": number / 8, "ok": True}
        for number in range(count)
    ]
    text = json.dumps({"items": records}, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def _xml_records(count: int) -> bytes:
    items = "".join(
        f'<item id="{number}"><name>Zoë {number}</name><!-- note\n{number} -->'
        f"<score>{number / 8}</score></item>"
        for number in range(count)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><webhook>{items}</webhook>'.encode()


def test_line_index_offsets():
    index = LineIndex.of("ab\ncd\r\n\nlast")
    assert index.line_count == 4
    assert list(index.starts) == [0, 3, 7, 8, 13]
    assert index.start(1) == 3
    assert index.end(1) == 6
    assert index.length(3) == 4
    assert index.max_length == 4
    assert index.text_length == 12
    assert index.is_complete()


def test_line_index_line_at():
    index = LineIndex.of("ab\ncd\n")
    assert index.line_at(0) == 0
    assert index.line_at(2) == 0
    assert index.line_at(3) == 1
    assert index.line_at(6) == 2
    assert index.line_at(99) == 2
    assert index.line_at(-5) == 0


def test_line_index_empty_text():
    index = LineIndex.of("")
    assert index.line_count == 1
    assert index.length(0) == 0


def test_line_index_pickles():
    index = LineIndex.of("one\ntwo")
    copy = pickle.loads(pickle.dumps(index))
    assert list(copy.starts) == list(index.starts)
    assert copy.max_length == 3


def test_line_index_rejects_no_starts():
    with pytest.raises(ValueError):
        LineIndex("", array("q"), 0, 1)


def _lines_text(count: int) -> str:
    return "".join(f"line {number}\n" for number in range(count))


@pytest.mark.parametrize("text", ["a\nbb\n", "a\nbb", "\n\n", "x", ""])
def test_partial_index_matches_full(text):
    partial = LineIndex.partial(text, first_chunk=1)
    full = LineIndex.of(text)
    assert partial.line_count == full.line_count
    partial.complete()
    assert list(partial.starts) == list(full.starts)
    assert partial.max_length == full.max_length


def test_partial_index_starts_small():
    text = _lines_text(100_000)
    index = LineIndex.partial(text, first_chunk=1000)
    assert index.line_count == 100_001
    assert not index.is_complete()
    assert 0 < index.indexed_lines < 200


def test_partial_index_extends_in_chunks():
    text = _lines_text(100_000)
    index = LineIndex.partial(text, first_chunk=1000)
    steps = 0
    while not index.extend(50_000):
        steps += 1
    assert steps > 10
    assert list(index.starts) == list(LineIndex.of(text).starts)


def test_partial_index_answers_far_lines():
    text = _lines_text(100_000)
    index = LineIndex.partial(text, first_chunk=1000)
    offset = text.index("line 90000\n")
    assert index.line_at(offset) == 90_000
    assert index.start(99_999) == text.index("line 99999\n")
    assert index.length(99_999) == len("line 99999")


def test_partial_index_long_line_progresses():
    text = "x" * 10_000 + "\nshort\n" + "y" * 5_000
    index = LineIndex.partial(text, first_chunk=100)
    assert index.indexed_lines == 1
    assert index.max_length == 10_000
    index.extend(1)
    index.extend(1)
    assert index.is_complete()
    assert index.length(2) == 5_000


def test_json_pretty_matches_formats():
    body = _json_records(50)
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)
    assert prepared.text == pretty_json_text(body.decode())
    assert prepared.pretty
    assert prepared.language == "json"
    assert prepared.charset == "utf-8"
    assert prepared.notices == ()
    assert prepared.lines.line_count == prepared.text.count("\n") + 1


def test_xml_pretty_matches_formats():
    body = _xml_records(20)
    prepared = prepare_body(body, "application/xml", True, DEFAULT_CAPS)
    assert prepared.text == pretty_xml_text(body.decode())
    assert prepared.pretty
    assert prepared.language == "xml"


def test_raw_when_pretty_off():
    body = _json_records(5)
    prepared = prepare_body(body, "application/json", False, DEFAULT_CAPS)
    assert prepared.text == body.decode()
    assert not prepared.pretty
    assert prepared.lines.line_count == 1
    assert prepared.lines.max_length == len(body.decode())


def test_malformed_json_shown_raw_with_notice():
    body = b'{"a": 1,\n "b": }'
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)
    assert prepared.text == body.decode()
    assert not prepared.pretty
    assert len(prepared.notices) == 1
    assert "not well-formed JSON" in prepared.notices[0]
    assert "line 2" in prepared.notices[0]


def test_empty_json_body_has_no_notice():
    prepared = prepare_body(b"", "application/json", True, DEFAULT_CAPS)
    assert prepared.text == ""
    assert prepared.notices == ()


def test_xml_entities_notice():
    body = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    prepared = prepare_body(body, "application/xml", True, DEFAULT_CAPS)
    assert prepared.text == body.decode()
    assert len(prepared.notices) == 1
    assert "entities" in prepared.notices[0]


def test_display_cap_cuts_and_skips_pretty():
    body = _json_records(100)
    prepared = prepare_body(body, "application/json", True, SMALL_CAPS)
    assert prepared.text == body[:1000].decode("utf-8", "replace")
    assert prepared.display_capped
    assert prepared.shown_size == 1000
    assert prepared.body_size == len(body)
    assert not prepared.pretty
    assert prepared.notices == (NOT_PRETTY_PART,)


def test_truncated_json_not_pretty():
    body = _json_records(10)[:-20]
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS, True)
    assert prepared.text == body.decode()
    assert not prepared.pretty
    assert not prepared.display_capped
    assert prepared.notices == (NOT_PRETTY_PART,)
    assert prepared.language == "json"


def test_highlight_cap_turns_colours_off():
    body = _json_records(12)
    assert 500 < len(body) <= 1000
    prepared = prepare_body(body, "application/json", True, SMALL_CAPS)
    assert prepared.language == "text"
    assert prepared.highlight_capped
    assert prepared.pretty


def test_png_is_hex_dump():
    png = _png()
    prepared = prepare_body(png, "image/png", True, DEFAULT_CAPS)
    assert prepared.is_binary
    assert prepared.language == "text"
    assert prepared.media_type == "image/png"
    assert prepared.text.startswith("00000000  89 50 4e 47 0d 0a 1a 0a")
    assert "PNG" in prepared.text.splitlines()[0]


def test_long_binary_dump_counts_whole_body():
    body = _png() + bytes(range(256)) * 400

    prepared = prepare_body(body, "image/png", True, SizeCaps(display=70_000))

    assert prepared.is_binary
    assert prepared.display_capped
    assert prepared.shown_size == 64 * 1024
    assert prepared.text.endswith(f"… {len(body) - 64 * 1024} more bytes\n")
    assert prepared.notices == ()


def test_short_binary_dump_has_no_notice():
    prepared = prepare_body(_png(), "image/png", True, DEFAULT_CAPS)

    assert not prepared.display_capped
    assert prepared.notices == ()


def test_png_without_content_type_is_binary():
    prepared = prepare_body(_png(), None, True, DEFAULT_CAPS)
    assert prepared.is_binary
    assert prepared.language == "text"


def test_json_without_content_type_is_pretty():
    prepared = prepare_body(b'{"a": [1, 2]}', None, True, DEFAULT_CAPS)

    assert prepared.language == "json"
    assert prepared.pretty
    assert prepared.text == '{\n  "a": [\n    1,\n    2\n  ]\n}\n'
    assert prepared.notices == (
        "No Content-Type, so the body is shown as the JSON it is.",
    )


def test_xml_without_content_type_is_pretty():
    prepared = prepare_body(b"<order><id>7</id></order>", None, True, DEFAULT_CAPS)

    assert prepared.language == "xml"
    assert prepared.pretty
    assert "\n  <id>7</id>\n" in prepared.text
    assert prepared.notices == (
        "No Content-Type, so the body is shown as the XML it is.",
    )


def test_text_without_content_type_stays_text():
    bodies = (
        b"[INFO] started",
        b"plain words",
        b'{"cut": "of',
        b"<p>unclosed paragraph",
        b"<html><body><br></body></html>",
        b"<!DOCTYPE html>\n<html><body><p>well-formed</p></body></html>",
        b"  <HTML lang='en'><body/></HTML>",
    )
    for body in bodies:
        prepared = prepare_body(body, "", True, DEFAULT_CAPS)

        assert prepared.language == "text"
        assert not prepared.pretty
        assert prepared.notices == ()


def test_typed_text_is_not_sniffed():
    prepared = prepare_body(b'{"a": 1}', "text/plain", True, DEFAULT_CAPS)

    assert prepared.language == "text"
    assert not prepared.pretty


def test_charset_from_header():
    body = '{"name": "Zoë"}'.encode("latin-1")
    prepared = prepare_body(body, "text/json; charset=iso-8859-1", True, DEFAULT_CAPS)
    assert prepared.charset == "iso8859-1"
    assert prepared.charset_source == "header"
    assert '"Zoë"' in prepared.text


def test_prepared_body_pickles():
    prepared = prepare_body(_json_records(10), "application/json", True, DEFAULT_CAPS)
    copy = pickle.loads(pickle.dumps(prepared))
    assert copy.text == prepared.text
    assert copy.language == prepared.language
    assert list(copy.lines.starts) == list(prepared.lines.starts)


@pytest.mark.slow
def test_worker_output_equals_inline():
    cases = [
        (_json_records(3000), "application/json", True),
        (_json_records(3000), "application/json", False),
        (_xml_records(2000), "application/xml", True),
        (b'{"broken": ', "application/json", True),
        (_png(64, 64), "image/png", True),
    ]
    pool = WorkerPool(max_workers=1)

    async def prepare_all():
        try:
            return [
                await pool.run(prepare_body, body, content_type, pretty, DEFAULT_CAPS)
                for body, content_type, pretty in cases
            ]
        finally:
            await pool.aclose()

    from_worker = asyncio.run(prepare_all())

    for (body, content_type, pretty), prepared in zip(cases, from_worker, strict=True):
        inline = prepare_body(body, content_type, pretty, DEFAULT_CAPS)
        assert prepared.text == inline.text
        assert list(prepared.lines.starts) == list(inline.lines.starts)
        assert prepared.lines.max_length == inline.lines.max_length
        assert prepared.language == inline.language
        assert prepared.notices == inline.notices
        assert prepared.pretty == inline.pretty
    assert len(cases[0][0]) > INLINE_LIMIT


XML_DEPTH_NOTICE = (
    "Shown as received, because the XML is nested too deeply to pretty-print: "
    "line 1, column 771: the document nests elements more than 256 levels deep, "
    "deeper than Hook Studio's XML parser reads."
)


def test_deep_xml_notice():
    body = b"<a>" * 300 + b"</a>" * 300
    prepared = prepare_body(body, "application/xml", True, DEFAULT_CAPS)
    assert prepared.text == body.decode()
    assert not prepared.pretty
    assert prepared.notices == (XML_DEPTH_NOTICE,)


def test_deep_json_notice():
    depth = 100_000
    start = b'{"a": '
    body = start + b"[" * depth + b"]" * depth + b"}"
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)
    assert prepared.text == body.decode()
    assert not prepared.pretty
    # The top-level object is the first level, so the bracket that opens one
    # level too many is the MAX_JSON_DEPTH-th one.
    column = len(start) + MAX_JSON_DEPTH
    assert prepared.notices == (
        "Shown as received, because the JSON is nested too deeply to pretty-print: "
        f"line 1, column {column}: the document nests arrays and objects more "
        f"than {MAX_JSON_DEPTH} levels deep, deeper than Hook Studio's JSON "
        "parser reads.",
    )


def test_long_xml_text_node_notice():
    body = b"<a>" + b"x" * 10_000_001 + b"</a>"
    prepared = prepare_body(body, "application/xml", True, DEFAULT_CAPS)
    assert not prepared.pretty
    assert len(prepared.notices) == 1
    assert prepared.notices[0].startswith(
        "Shown as received, because the XML is too large to pretty-print: "
    )
    assert "not well-formed" not in prepared.notices[0]
    assert "XML_PARSE_HUGE" not in prepared.notices[0]


LATIN1_JSON_NOTICE = (
    "The body was decoded as UTF-8, the charset of JSON without a charset "
    "parameter, but 3 byte sequences are not valid UTF-8 and show as � (U+FFFD). "
    "The server may have sent another charset without declaring it. "
    "Save body… writes the bytes as received."
)


def test_latin1_json_notice():
    body = '{"name": "Zoë Ünï"}'.encode("latin-1")
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)
    assert prepared.charset == "utf-8"
    assert prepared.charset_source == "json"
    assert prepared.text.count("\ufffd") == 3
    assert prepared.pretty
    assert prepared.notices == (LATIN1_JSON_NOTICE,)


def test_latin1_json_notice_when_raw():
    body = '{"name": "Zoë Ünï"}'.encode("latin-1")
    prepared = prepare_body(body, "application/json", False, DEFAULT_CAPS)
    assert prepared.notices == (LATIN1_JSON_NOTICE,)


def test_header_charset_invalid_bytes():
    body = b"caf\xe9 ok"
    prepared = prepare_body(body, "text/plain; charset=utf-8", True, DEFAULT_CAPS)
    assert prepared.text == "caf\ufffd ok"
    assert prepared.charset_source == "header"
    assert prepared.notices == (
        "1 byte sequence is not valid utf-8 and shows as � (U+FFFD). "
        "Save body… writes the bytes as received.",
    )


def test_undefined_cp1252_bytes_notice():
    body = b"caf\xe9 \x81\x8d ok"
    prepared = prepare_body(body, "text/plain", True, DEFAULT_CAPS)
    assert prepared.charset == "cp1252"
    assert prepared.charset_source == "detected"
    assert prepared.text == "café \ufffd\ufffd ok"
    assert prepared.notices == (
        "2 byte sequences are not valid cp1252 and show as � (U+FFFD). "
        "Save body… writes the bytes as received.",
    )


def test_utf16_odd_length_notice():
    body = "ab".encode("utf-16") + b"\x00"
    prepared = prepare_body(body, "text/plain", True, DEFAULT_CAPS)
    assert prepared.charset_source == "bom"
    assert prepared.text == "ab\ufffd"
    assert len(prepared.notices) == 1
    assert prepared.notices[0].startswith("1 byte sequence is not valid utf-16")


def test_encoded_fffd_not_counted():
    body = '{"a": "\ufffd"}'.encode()
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)
    assert "\ufffd" in prepared.text
    assert prepared.notices == ()


def test_display_cap_cut_character_left_out():
    body = ("é" * 600).encode()
    caps = SizeCaps(display=1001)
    prepared = prepare_body(body, "text/plain; charset=utf-8", True, caps)
    # The cut character is left out, not shown as U+FFFD.
    assert prepared.text == "é" * 500
    assert prepared.display_capped
    assert prepared.notices == ()


def test_truncated_cut_character_left_out():
    body = '{"a": "é'.encode()[:-1]
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS, True)
    assert prepared.text == '{"a": "'
    assert prepared.notices == (NOT_PRETTY_PART,)


def test_decode_body_counts_replacements():
    decoded = decode_body(b"a\xff\xfeb\xc3", "text/plain; charset=utf-8")
    assert decoded.text == "a\ufffd\ufffdb\ufffd"
    assert decoded.replaced == 3


def test_decode_partial_skips_cut():
    decoded = decode_body(b"a\xffb\xe2\x82", "text/plain; charset=utf-8", partial=True)
    assert decoded.replaced == 1


def test_decode_partial_utf8_cut_stays_utf8():
    decoded = decode_body("caf\u00e9 \u20ac".encode()[:-1], "text/plain", partial=True)

    assert decoded.charset == "utf-8"
    assert decoded.text == "caf\u00e9 "


def test_display_cap_mid_character_keeps_utf8():
    text = "\u20ac" * 1000
    caps = SizeCaps(display=1001)

    prepared = prepare_body(text.encode(), "text/plain", False, caps, False)

    assert prepared.charset == "utf-8"
    assert prepared.text == "\u20ac" * 333


def test_decode_valid_no_replacements():
    decoded = decode_body("Zoë".encode(), "application/json")
    assert decoded.replaced == 0


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', "latin-1"),
        ('<?xml version="1.0" encoding="UTF-16"?>', "utf-16"),
        ("<?xml version='1.0' encoding='windows-1252' standalone='yes'?>", "cp1252"),
    ],
    ids=["latin-1", "utf-16", "standalone"],
)
def test_xml_pretty_keeps_declaration(declaration, encoding):
    body = f"{declaration}<a><b>é</b></a>".encode(encoding)
    prepared = prepare_body(body, "application/xml", True, DEFAULT_CAPS)
    assert prepared.pretty
    assert prepared.text == f"{declaration}\n<a>\n  <b>é</b>\n</a>\n"
    assert prepared.notices == ()


def test_xml_pretty_no_declaration():
    prepared = prepare_body(b"<a><b>1</b></a>", "application/xml", True, DEFAULT_CAPS)
    assert prepared.text == "<a>\n  <b>1</b>\n</a>\n"


def _nested_arrays(depth: int, copies: int) -> bytes:
    return ("[" + ("[" * depth + "]" * depth + ",") * copies + "0]").encode()


def test_deeply_nested_json_shown_as_received():
    body = _nested_arrays(400, 150)

    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)

    assert not prepared.pretty
    assert prepared.text == body.decode()
    assert "nested so deeply" in prepared.notices[0]


def test_deeply_nested_xml_shown_as_received():
    body = ("<r>" + ("<a>" * 250 + "</a>" * 250) * 60 + "</r>").encode()

    prepared = prepare_body(body, "application/xml", True, DEFAULT_CAPS)

    assert not prepared.pretty
    assert prepared.text == body.decode()
    assert "nested so deeply" in prepared.notices[0]


def test_moderately_nested_json_pretty_printed():
    body = _nested_arrays(12, 2000)

    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)

    assert prepared.pretty
    assert prepared.notices == ()


def test_utf16_cut_character_left_out():
    body = "ab".encode("utf-16-le")[:3]
    prepared = prepare_body(
        body, "text/plain; charset=utf-16le", True, DEFAULT_CAPS, True
    )
    assert prepared.text == "a"
    assert prepared.notices == ()


def test_byte_order_mark_beats_declared_charset():
    body = '{"a": "ü"}'.encode("utf-16")
    prepared = prepare_body(body, "application/json; charset=utf-8", True, DEFAULT_CAPS)
    assert prepared.text == '{\n  "a": "ü"\n}\n'
    assert prepared.charset_source == "bom"
    assert prepared.notices == (
        "The body starts with a UTF-16 byte order mark, so it was decoded as "
        "UTF-16 rather than the declared charset 'utf-8'.",
    )


def test_byte_order_mark_same_family_no_notice():
    body = '{"a": 1}'.encode("utf-8-sig")
    prepared = prepare_body(body, "application/json; charset=UTF-8", True, DEFAULT_CAPS)
    assert prepared.text == '{\n  "a": 1\n}\n'
    assert prepared.notices == ()


def test_repeated_json_key_kept_with_notice():
    body = b'{"a":1,"b":2,"a":3}'
    prepared = prepare_body(body, "application/json", True, DEFAULT_CAPS)
    assert prepared.text == '{\n  "a": 1,\n  "b": 2,\n  "a": 3\n}\n'
    assert prepared.pretty
    assert prepared.notices[0].startswith("An object repeats the key 'a'.")
