"""Cases: compressed, mislabelled, binary and hostile response bodies."""

import gzip
import time
import zlib
from collections.abc import Callable

from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.display_text import pretty_for_display
from bchook_studio.core.text_decoding import binary_summary, decode_body
from tests.network.table import Case, Env, Outcome
from tests.servers import RawServer, respond

CAP = 64 * 1024
ZEROS = b"\0" * (20 * 1024 * 1024)
PAYLOAD = b'{"ok": true, "name": "J\xc3\xbcrgen"}'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<data>&secret;</data>
"""


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _answer_case(
    name: str,
    make_body: Callable[[], bytes],
    headers: dict[str, str],
    kind: FailureKind | None,
    fragment: str | None,
    check,
    capture: int = CAP,
) -> Case:
    """A case where the server responds 200 with `make_body()` and `headers`.

    Bodies are made when the case runs, so that collecting the tests stays fast.
    """

    async def scenario(env: Env) -> Outcome:
        with RawServer(respond("200 OK", make_body(), headers)) as server:
            result = await env.send(server.url, caps=SizeCaps(capture=capture))
        return Outcome(result)

    return Case(name, scenario, kind, fragment, check)


def _check_bomb_stopped(outcome: Outcome) -> None:
    response = outcome.result.response
    assert response.truncated
    assert len(response.body) == CAP
    assert response.size == CAP + 1
    assert response.body == b"\0" * CAP


def _check_payload(outcome: Outcome) -> None:
    response = outcome.result.response
    assert response.body == PAYLOAD
    assert response.size == len(PAYLOAD)
    assert not response.truncated


def _check_members(outcome: Outcome) -> None:
    assert outcome.result.response.body == b"first member, second member"


def _check_raw_kept(outcome: Outcome) -> None:
    response = outcome.result.response
    assert response.status == 200
    assert response.body.startswith(b"\x1f\x8b")


def _check_body_is(expected: bytes):
    def check(outcome: Outcome) -> None:
        assert outcome.result.response.body == expected

    return check


def _displayed(outcome: Outcome):
    response = outcome.result.response
    return decode_body(response.body, response.header("content-type"))


def _check_unknown_charset(outcome: Outcome) -> None:
    decoded = _displayed(outcome)
    assert decoded.text == "café"
    assert decoded.charset == "utf-8"
    assert "'foo-bar' is unknown" in decoded.notice


def _check_codec_not_charset(outcome: Outcome) -> None:
    decoded = _displayed(outcome)
    assert decoded.text == "plain words"
    assert "'base64' is unknown" in decoded.notice


def _check_replacement(outcome: Outcome) -> None:
    decoded = _displayed(outcome)
    assert decoded.text == "caf\ufffd"
    assert decoded.charset == "utf-8"
    assert decoded.charset_source == "header"


def _check_utf16(outcome: Outcome) -> None:
    decoded = _displayed(outcome)
    assert decoded.text == "Grüße, 世界"
    assert decoded.charset_source == "bom"


def _check_binary(outcome: Outcome) -> None:
    decoded = _displayed(outcome)
    assert decoded.is_binary
    assert binary_summary(decoded) == "[binary body: text/plain, 40 B]"


def _check_entities_raw(expected: bytes, forbidden: str):
    def check(outcome: Outcome) -> None:
        text = _displayed(outcome).text
        started = time.perf_counter()
        display = pretty_for_display(text, "xml")
        elapsed = time.perf_counter() - started
        assert display.text == expected.decode()
        assert "never expands" in display.notice
        assert forbidden not in display.text
        assert elapsed < 1.0

    return check


BINARY = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(24))

BODY_CASES = [
    _answer_case(
        "gzip_bomb",
        lambda: gzip.compress(ZEROS),
        {"Content-Encoding": "gzip"},
        None,
        None,
        _check_bomb_stopped,
    ),
    _answer_case(
        "deflate_bomb",
        lambda: zlib.compress(ZEROS),
        {"Content-Encoding": "deflate"},
        None,
        None,
        _check_bomb_stopped,
    ),
    _answer_case(
        "raw_deflate_bomb",
        lambda: _raw_deflate(ZEROS),
        {"Content-Encoding": "deflate"},
        None,
        None,
        _check_bomb_stopped,
    ),
    _answer_case(
        "double_gzip_bomb",
        lambda: gzip.compress(gzip.compress(ZEROS * 3)),
        {"Content-Encoding": "gzip, gzip"},
        None,
        None,
        _check_bomb_stopped,
    ),
    _answer_case(
        "double_gzip",
        lambda: gzip.compress(gzip.compress(PAYLOAD)),
        {"Content-Encoding": "gzip, gzip"},
        None,
        None,
        _check_payload,
    ),
    _answer_case(
        "gzip_then_deflate",
        lambda: zlib.compress(gzip.compress(PAYLOAD)),
        {"Content-Encoding": "gzip, deflate"},
        None,
        None,
        _check_payload,
    ),
    _answer_case(
        "gzip_multi_member",
        lambda: gzip.compress(b"first member, ") + gzip.compress(b"second member"),
        {"Content-Encoding": "gzip"},
        None,
        None,
        _check_members,
    ),
    _answer_case(
        "gzip_trailing_zeros",
        lambda: gzip.compress(PAYLOAD) + b"\0" * 8,
        {"Content-Encoding": "x-gzip"},
        None,
        None,
        _check_payload,
    ),
    _answer_case(
        "gzip_truncated",
        lambda: gzip.compress(PAYLOAD * 50)[:-12],
        {"Content-Encoding": "gzip"},
        FailureKind.DECODING,
        "gzip stream is incomplete",
        _check_raw_kept,
    ),
    _answer_case(
        "encoding_unsupported",
        lambda: b"\x1f\x8b pretend brotli",
        {"Content-Encoding": "br"},
        FailureKind.DECODING,
        "'br' is not supported",
        _check_body_is(b"\x1f\x8b pretend brotli"),
    ),
    _answer_case(
        "charset_unknown",
        lambda: "café".encode(),
        {"Content-Type": "text/plain; charset=foo-bar"},
        None,
        None,
        _check_unknown_charset,
    ),
    _answer_case(
        "charset_is_a_codec",
        lambda: b"plain words",
        {"Content-Type": "text/plain; charset=base64"},
        None,
        None,
        _check_codec_not_charset,
    ),
    _answer_case(
        "charset_wrong",
        lambda: "café".encode("latin-1"),
        {"Content-Type": "text/plain; charset=utf-8"},
        None,
        None,
        _check_replacement,
    ),
    _answer_case(
        "utf16_with_bom",
        lambda: "Grüße, 世界".encode("utf-16"),
        {"Content-Type": "text/plain"},
        None,
        None,
        _check_utf16,
    ),
    _answer_case(
        "binary_labelled_text",
        lambda: BINARY,
        {"Content-Type": "text/plain; charset=utf-8"},
        None,
        None,
        _check_binary,
    ),
    _answer_case(
        "xml_billion_laughs",
        lambda: BILLION_LAUGHS,
        {"Content-Type": "application/xml"},
        None,
        None,
        _check_entities_raw(BILLION_LAUGHS, "lollollol"),
    ),
    _answer_case(
        "xml_external_entity",
        lambda: EXTERNAL_ENTITY,
        {"Content-Type": "application/xml"},
        None,
        None,
        _check_entities_raw(EXTERNAL_ENTITY, "root:"),
    ),
]
