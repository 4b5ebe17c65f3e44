"""The Inbox's Qt-free part: event matching, the raw request text, exports."""

import base64
import gzip
import json
import time
import zlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.formats import json_text_to_xml_text
from bchook_studio.core.inbox.display import (
    fits_inline,
    prepare_request,
    raw_request_text,
    request_content_encoding,
    request_head_text,
)
from bchook_studio.core.inbox.event_match import match_event
from bchook_studio.core.inbox.exports import (
    request_record,
    request_url,
    resend_request,
)
from bchook_studio.core.receiver import ReceivedRequest
from bchook_studio.core.topics import all_topics, example_text

CAPS = SizeCaps()


def _request(
    body: bytes = b"",
    headers: tuple[tuple[str, str], ...] = (),
    target: str = "/webhook",
    method: str = "POST",
) -> ReceivedRequest:
    return ReceivedRequest(
        id=1,
        time=datetime(2024, 1, 26, 22, 17, tzinfo=UTC),
        client_host="127.0.0.1",
        client_port=50000,
        method=method,
        target=target,
        http_version="1.1",
        headers=headers,
        body=body,
        body_size=len(body),
        status=200,
    )


def _basic(username: str, password: str, charset: str = "utf-8") -> str:
    pair = f"{username}:{password}".encode(charset)
    return "Basic " + base64.b64encode(pair).decode("ascii")


# Matching a body to a topic.


@pytest.mark.parametrize("topic", all_topics(), ids=lambda topic: topic.key)
def test_match_every_topic_json(topic):
    match = match_event(example_text(topic).encode(), "application/json")
    assert match.topic_key == topic.key
    assert json.loads(match.event_text) == json.loads(example_text(topic))


@pytest.mark.parametrize("topic", all_topics(), ids=lambda topic: topic.key)
def test_match_every_topic_xml(topic):
    xml = json_text_to_xml_text(example_text(topic))
    match = match_event(xml.encode(), "application/xml")
    assert match.topic_key == topic.key
    assert json.loads(match.event_text) == json.loads(example_text(topic))


def test_match_ignores_content_type():
    body = example_text("course.enrollment").encode()
    assert match_event(body, "text/plain").topic_key == "course.enrollment"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"[1, 2]", "array"),
        (b'"text"', "string"),
        (b"{not json", "neither JSON nor XML"),
        (b"<hello>world</hello>", "studio's layout"),
        (b'{"a": 1}', '"resource" and "action"'),
        (b'{"resource": "x", "action": "y"}', "'x'"),
    ],
)
def test_match_reason(body, words):
    match = match_event(body, "application/json")
    assert match.topic_key is None
    assert words in match.reason


@pytest.mark.parametrize("body", [b"[" * 100_000, b"<a>" * 100_000])
def test_match_deep_nesting_reason(body):
    match = match_event(body, None)
    assert match.topic_key is None
    assert match.reason


def test_prepare_skips_match_over_display_cap():
    body = example_text("course.enrollment").encode()
    prepared = prepare_request(body, "application/json", SizeCaps(display=16))
    assert prepared.event.topic_key is None
    assert "display cap" in prepared.event.reason


def test_prepare_truncated_body_not_matched():
    body = example_text("course.enrollment").encode()[:-10]

    prepared = prepare_request(body, "application/json", CAPS, truncated=True)

    assert prepared.event.topic_key is None
    assert "only the start of the body" in prepared.event.reason
    assert not any("not well-formed" in notice for notice in prepared.pretty.notices)


# Bodies sent with a Content-Encoding.

EVENT = example_text("course.enrollment").encode()


@pytest.fixture(scope="module")
def zeros_bomb() -> bytes:
    """Return 200 MiB of zero bytes gzip-compressed to about 200 KiB."""
    return gzip.compress(b"\0" * (200 * 1024 * 1024))


def test_gzip_body_decoded():
    body = gzip.compress(EVENT)
    prepared = prepare_request(body, "application/json", CAPS, content_encoding="gzip")
    assert prepared.codings == ("gzip",)
    assert prepared.raw.text == EVENT.decode()
    assert not prepared.pretty.is_binary
    assert prepared.pretty.pretty
    assert prepared.pretty.body_size == len(EVENT)


def test_gzip_notice_gives_sizes():
    body = gzip.compress(EVENT)
    prepared = prepare_request(body, "application/json", CAPS, content_encoding="gzip")
    notice = prepared.pretty.notices[0]
    assert notice.startswith("Decoded from Content-Encoding gzip: ")
    assert f"{len(body)} B received" in notice
    assert "decoded" in notice
    assert "Save body… writes the bytes as received." in notice
    assert prepared.raw.notices[0] == notice


def test_gzip_body_matches_topic():
    body = gzip.compress(EVENT)
    prepared = prepare_request(body, "application/json", CAPS, content_encoding="gzip")
    assert prepared.event.topic_key == "course.enrollment"


def test_deflate_body_decoded():
    prepared = prepare_request(
        zlib.compress(EVENT), "application/json", CAPS, content_encoding="deflate"
    )
    assert prepared.codings == ("deflate",)
    assert prepared.raw.text == EVENT.decode()


def test_raw_deflate_body_decoded():
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = compressor.compress(EVENT) + compressor.flush()
    prepared = prepare_request(body, None, CAPS, content_encoding="Deflate")
    assert prepared.raw.text == EVENT.decode()


def test_gzip_chain_decoded():
    body = gzip.compress(gzip.compress(EVENT))
    prepared = prepare_request(
        body, "application/json", CAPS, content_encoding="gzip, gzip"
    )
    assert prepared.codings == ("gzip", "gzip")
    assert prepared.raw.text == EVENT.decode()
    assert "Content-Encoding gzip, gzip:" in prepared.pretty.notices[0]
    assert prepared.event.topic_key == "course.enrollment"


def test_identity_body_unchanged():
    prepared = prepare_request(EVENT, "application/json", CAPS, "identity")
    assert prepared.codings == ()
    assert prepared.raw.text == EVENT.decode()
    assert prepared.raw.notices == ()


def test_bomb_stops_at_display_cap(zeros_bomb):
    started = time.perf_counter()
    prepared = prepare_request(zeros_bomb, None, CAPS, content_encoding="gzip")
    elapsed = time.perf_counter() - started
    assert prepared.raw.body_size == CAPS.display + 1
    assert prepared.pretty.body_size == CAPS.display + 1
    assert prepared.raw.display_capped
    assert elapsed < 5.0


def test_bomb_notice_names_cap(zeros_bomb):
    caps = SizeCaps(display=1024 * 1024)
    prepared = prepare_request(zeros_bomb, None, caps, content_encoding="gzip")
    notice = prepared.pretty.notices[0]
    assert prepared.raw.body_size == caps.display + 1
    assert "more than 1 MiB decoded" in notice
    assert "Showing the first 1 MiB." in notice
    assert " ".join(prepared.pretty.notices).count("Save body…") == 1
    assert "display cap" in prepared.event.reason


def test_bomb_chain_stops_at_cap():
    body = gzip.compress(gzip.compress(b"\0" * (64 * 1024 * 1024)))
    caps = SizeCaps(display=1024 * 1024)
    prepared = prepare_request(body, None, caps, content_encoding="gzip, gzip")
    assert prepared.raw.body_size == caps.display + 1


def test_corrupt_gzip_shown_raw():
    body = b"\x1f\x8b\x08\x00 not gzip data at all"
    prepared = prepare_request(body, "application/json", CAPS, content_encoding="gzip")
    notice = prepared.pretty.notices[0]
    assert prepared.codings == ()
    assert prepared.raw.body_size == len(body)
    assert "Content-Encoding gzip" in notice
    assert "not valid gzip data" in notice
    assert prepared.raw.notices[0] == notice


def test_incomplete_gzip_shown_raw():
    body = gzip.compress(EVENT)[:-12]
    prepared = prepare_request(body, "application/json", CAPS, content_encoding="gzip")
    assert prepared.codings == ()
    assert prepared.raw.body_size == len(body)
    assert "gzip stream is incomplete" in prepared.pretty.notices[0]
    assert prepared.event.topic_key is None


def test_unsupported_coding_shown_raw():
    body = b"\x0b\x02\x80{}\x03"
    prepared = prepare_request(body, "application/json", CAPS, content_encoding="br")
    notice = prepared.pretty.notices[0]
    assert prepared.codings == ()
    assert prepared.raw.body_size == len(body)
    assert "'br' is not supported" in notice
    assert "Content-Encoding br" in notice


def test_empty_body_has_no_notice():
    prepared = prepare_request(b"", None, CAPS, content_encoding="br")
    assert prepared.pretty.notices == ()
    assert prepared.pretty.body_size == 0


def test_truncated_gzip_shows_start():
    text = json.dumps({"items": list(range(20_000))}).encode()
    body = gzip.compress(text)[:2000]
    prepared = prepare_request(
        body, "application/json", CAPS, truncated=True, content_encoding="gzip"
    )
    assert prepared.codings == ("gzip",)
    assert text.decode().startswith(prepared.raw.text)
    assert len(prepared.raw.text) > len(body)
    assert "kept" in prepared.pretty.notices[0]
    assert "only the start of the body" in prepared.event.reason


def test_encoding_header_repeats_joined():
    request = _request(
        headers=(("Content-Encoding", "gzip"), ("content-encoding", "deflate"))
    )
    assert request_content_encoding(request) == "gzip, deflate"


def test_encoding_header_missing():
    assert request_content_encoding(_request()) is None


def test_fits_inline_counts_decoded_size():
    small = gzip.compress(b"{}")
    large = gzip.compress(b"\0" * (1024 * 1024))
    assert fits_inline(small, "gzip", limit=1024)
    assert not fits_inline(large, "gzip", limit=1024)
    assert fits_inline(large, None, limit=len(large))
    assert not fits_inline(b"x" * 2000, None, limit=1024)
    assert fits_inline(b"not gzip", "gzip", limit=1024)


# The raw request text.


def test_head_masks_secrets():
    request = _request(
        headers=(("Authorization", _basic("a", "pw")), ("Cookie", "session=1"))
    )
    head = request_head_text(request, show_secrets=False)
    assert "Authorization: Basic ********" in head
    assert "Cookie: ********" in head
    assert "session=1" not in head


def test_head_shows_secrets_when_asked():
    header = _basic("a", "pw")
    head = request_head_text(_request(headers=(("Authorization", header),)), True)
    assert f"Authorization: {header}" in head


def test_raw_text_exact_body():
    request = _request(b"<hello>world</hello>", (("Content-Type", "text/xml"),))
    prepared = prepare_request(request.body, "text/xml", CAPS)
    text = raw_request_text(request, prepared.raw, False)
    assert text == (
        "POST /webhook HTTP/1.1\nContent-Type: text/xml\n\n<hello>world</hello>"
    )


@given(
    body=st.text(alphabet=st.sampled_from("ab\n\r{}<>é"), max_size=200),
    headers=st.lists(
        st.tuples(
            st.sampled_from(["X-A", "X-B", "Authorization"]),
            st.text(alphabet="xy z", max_size=20),
        ),
        max_size=5,
    ),
    show=st.booleans(),
)
def test_raw_text_head_then_body(body, headers, show):
    request = _request(body.encode(), tuple(headers))
    prepared = prepare_request(request.body, "text/plain", CAPS)
    text = raw_request_text(request, prepared.raw, show)
    head = request_head_text(request, show)
    assert text.startswith(head)
    assert text[len(head) :] == body


# Exports.


def test_url_from_host_header():
    request = _request(headers=(("Host", "127.0.0.1:9000"),), target="/hook?a=1")
    assert request_url(request, None) == "http://127.0.0.1:9000/hook?a=1"


def test_url_without_host_uses_base():
    request = _request(target="/hook")
    assert request_url(request, "http://127.0.0.1:8766") == "http://127.0.0.1:8766/hook"


def test_record_masks_utf8_password():
    request = _request(b"{}", (("Authorization", _basic("zoë", "pw")),))
    record = request_record(request, None)
    assert record.basic_auth == ("zoë", "********")
    assert record.header("authorization") == "Basic ********"


def test_record_shows_password_when_asked():
    request = _request(b"{}", (("Authorization", _basic("zoë", "pw")),))
    assert request_record(request, None, show_secrets=True).basic_auth == ("zoë", "pw")


def test_record_keeps_latin1_in_header():
    header = _basic("josé", "pw", "latin-1")
    request = _request(b"{}", (("Authorization", header),))
    assert request_record(request, None, show_secrets=True).basic_auth is None
    assert request_record(request, None, show_secrets=True).header("authorization") == (
        header
    )


def test_resend_keeps_method_headers_body():
    request = _request(
        b'{"a": 1}',
        (
            ("Host", "127.0.0.1:8765"),
            ("Content-Type", "application/json"),
            ("Content-Length", "8"),
            ("Connection", "keep-alive"),
            ("X-Trace", "1"),
            ("X-Trace", "2"),
        ),
        method="PUT",
    )
    outgoing = resend_request(request, "http://127.0.0.1:9/elsewhere")
    assert outgoing.method == "PUT"
    assert outgoing.body == b'{"a": 1}'
    assert outgoing.url == "http://127.0.0.1:9/elsewhere"
    assert outgoing.content_type == "application/json"
    names = [name for name, _ in outgoing.headers]
    assert names == ["Content-Type", "X-Trace", "X-Trace"]
    wire = [(name, value.decode()) for name, value in outgoing.wire_headers()]
    assert ("X-Trace", "2") in wire
