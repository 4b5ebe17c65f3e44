"""Check expectations: status specifications, field paths, and judging one response."""

import pytest

from bchook_studio.core.check import (
    ExpectationError,
    ExpectationName,
    Expectations,
    judge_response,
    parse_field_expectation,
    parse_status_spec,
)
from bchook_studio.core.check.response_fields import check_field, parse_body
from bchook_studio.core.delivery.result import ReceivedResponse


def response(
    status: int = 200,
    body: bytes = b"",
    content_type: str | None = None,
    truncated: bool = False,
) -> ReceivedResponse:
    headers = () if content_type is None else (("Content-Type", content_type),)
    return ReceivedResponse(
        status=status,
        reason="",
        http_version="HTTP/1.1",
        headers=headers,
        body=body,
        size=len(body),
        truncated=truncated,
    )


@pytest.mark.parametrize(
    ("text", "normalised", "accepted", "rejected"),
    [
        ("201", "201", [201], [200, 202]),
        ("2xx", "2xx", [200, 250, 299], [199, 300]),
        ("2XX", "2xx", [204], [404]),
        ("200-204", "200-204", [200, 204], [205, 199]),
        (" 2xx , 304 ", "2xx,304", [200, 304], [301, 404]),
        ("200 - 201", "200-201", [201], [202]),
        ("404,5xx", "404,5xx", [404, 503], [200, 403]),
        ("200-200", "200", [200], [201]),
    ],
)
def test_status_spec_valid(text, normalised, accepted, rejected):
    spec = parse_status_spec(text)

    assert spec.text == normalised
    for status in accepted:
        assert spec.matches(status), status
    for status in rejected:
        assert not spec.matches(status), status


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "'abc'"),
        ("2xx,abc", "'abc'"),
        ("2xx,,3xx", "empty part"),
        ("2xx,", "empty part"),
        ("6xx", "'6xx'"),
        ("0xx", "'0xx'"),
        ("99", "'99'"),
        ("1000", "'1000'"),
        ("600", "600"),
        ("099", "99"),
        ("299-200", "'299-200'"),
        ("200-700", "700"),
        ("2x", "'2x'"),
        ("200-", "'200-'"),
    ],
)
def test_status_spec_invalid_names_part(text, named):
    with pytest.raises(ExpectationError) as caught:
        parse_status_spec(text)

    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("/data/ok=true", "/data/ok", "true"),
        ("//status=ok", "//status", "ok"),
        ("/response/status/text()=ok", "/response/status/text()", "ok"),
        ("//item[@id='2']/name=Pen", "//item[@id='2']/name", "Pen"),
        ('count(//item[@x="a=b"])=3', 'count(//item[@x="a=b"])', "3"),
        (" /a = b ", "/a", "b"),
        ("/token=abc==", "/token", "abc=="),
        ("/items/0=1", "/items/0", "1"),
        ("/a~1b=1", "/a~1b", "1"),
        ("/name=", "/name", ""),
    ],
)
def test_field_expectation_valid(text, path, expected):
    field = parse_field_expectation(text)

    assert field.path == path
    assert field.expected == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/data/ok", "no '='"),
        ("=true", "no path"),
        ("@@=x", "neither a JSON Pointer"),
        ("data/=x", "neither a JSON Pointer"),
        ("/a~2b=1", "neither a JSON Pointer"),
        ("//item[@id='2'", "no '='"),
    ],
)
def test_field_expectation_invalid(text, message):
    with pytest.raises(ExpectationError) as caught:
        parse_field_expectation(text)

    assert message in str(caught.value)


JSON_BODY = (
    b'{"ok": true, "count": 3, "ratio": 1.0, "name": "Jane", "none": null,'
    b' "data": {"ok": false, "items": [10, 20], "a/b": "slash", "m~n": "tilde"}}'
)


@pytest.mark.parametrize(
    ("expectation", "problem"),
    [
        ("/ok=true", None),
        ("/count=3", None),
        ("/count=3.0", None),
        ("/ratio=1", None),
        ("/name=Jane", None),
        ('/name="Jane"', None),
        ("/none=null", None),
        ("/data/items/1=20", None),
        ("/data/items=[10, 20]", None),
        ("/data/a~1b=slash", None),
        ("/data/m~0n=tilde", None),
        ("/data/ok=true", "/data/ok is false, expected true"),
        ("/ok=1", "/ok is true, expected 1"),
        ("/count=true", "/count is 3, expected true"),
        ('/count="3"', '/count is 3, expected "3"'),
        ("/name=John", '/name is "Jane", expected "John"'),
        ("/x=1", "field /x not found"),
        ("/data/items/2=1", "field /data/items/2 not found"),
        ("/data/items/01=20", "field /data/items/01 not found"),
        ("/data/items/-=1", "field /data/items/- not found"),
        ("/name/first=J", "field /name/first not found"),
        (
            "//status=ok",
            "field //status not found: as a JSON Pointer, '//' names a key that is "
            "the empty string. For an XPath the response must be XML; for JSON "
            "write the pointer with one '/', such as /data/ok",
        ),
        (
            "count(//x)=1",
            "field count(//x) not checked: the response body is JSON, so the path "
            "must be a JSON Pointer such as /data/ok",
        ),
    ],
)
def test_json_pointer_fields(expectation, problem):
    parsed = parse_body(JSON_BODY, "application/json")

    assert check_field(parse_field_expectation(expectation), parsed) == problem


XML_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<response><status> ok </status><count>3</count>"
    b'<items><item id="1">Pen</item><item id="2">Ink <b>blue</b></item></items>'
    b"</response>"
)


@pytest.mark.parametrize(
    ("expectation", "problem"),
    [
        ("//status=ok", None),
        ("/response/status/text()=ok", None),
        ("//item[@id='2']=Ink blue", None),
        ("//item[@id='1']/@id=1", None),
        ("count(//item)=2", None),
        ("boolean(//status)=true", None),
        ("//count=3", None),
        ("//status=error", '//status is "ok", expected "error"'),
        ("//missing=1", "field //missing not found"),
        ("/response/nope/text()=x", "field /response/nope/text() not found"),
        ("/items/0=1", "must be an XPath"),
        ("$undefined=1", "the XPath failed"),
    ],
)
def test_xpath_fields(expectation, problem):
    parsed = parse_body(XML_BODY, "application/xml")

    result = check_field(parse_field_expectation(expectation), parsed)

    if problem is None:
        assert result is None
    else:
        assert result is not None
        assert problem in result


def test_body_kind_sniffed_without_type():
    json_parsed = parse_body(b'  {"ok": true}', None)
    xml_parsed = parse_body(b"<r><ok>true</ok></r>", "text/plain")

    assert check_field(parse_field_expectation("/ok=true"), json_parsed) is None
    assert check_field(parse_field_expectation("//ok=true"), xml_parsed) is None


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"", None, "the response body is empty"),
        (b"", "application/json", "the response body is empty"),
        (b"  ", "application/xml", "the response body is empty"),
        (b"plain words", "text/plain", "neither JSON nor XML"),
        (b"{not json", "application/json", "not valid JSON"),
        (b"<open>", "application/xml", "not well-formed XML"),
    ],
)
def test_unreadable_body_fails_field(body, content_type, problem):
    parsed = parse_body(body, content_type)

    result = check_field(parse_field_expectation("/ok=true"), parsed)

    assert result is not None
    assert result.startswith("field /ok not checked: ")
    assert problem in result


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (
            b"[" * 1000 + b"]" * 1000,
            "application/json",
            "the response body is nested too deeply for Hook Studio's JSON parser "
            "to check",
        ),
        (
            b"<a>" * 300 + b"</a>" * 300,
            "application/xml",
            "the response body is nested too deeply for Hook Studio's XML parser "
            "to check at 1:",
        ),
        (
            b"<a>" + b"x" * 10_000_001 + b"</a>",
            "application/xml",
            "the response body is too large for Hook Studio's XML parser to check "
            "at 1:",
        ),
    ],
)
def test_body_over_parser_limit_not_checked(body, content_type, problem):
    parsed = parse_body(body, content_type)

    result = check_field(parse_field_expectation("/ok=true"), parsed)

    assert result is not None
    assert result.startswith(f"field /ok not checked: {problem}")
    assert "not well-formed" not in result
    assert "not valid JSON" not in result


def test_xml_entities_not_expanded():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "expanded">]><r><v>&e;</v></r>'
    )

    result = check_field(
        parse_field_expectation("//v=expanded"), parse_body(body, "application/xml")
    )

    assert result is not None
    assert "not well-formed XML" in result


def test_judge_passes_default():
    assert judge_response(response(204), 12.0, Expectations()) == []


def test_judge_status_reason():
    mismatches = judge_response(response(500), 31.0, Expectations())

    assert [m.expectation for m in mismatches] == [ExpectationName.STATUS]
    assert mismatches[0].message == "status 500, expected 2xx"


def test_judge_time_reason():
    mismatches = judge_response(response(), 2310.4, Expectations(max_ms=1000))

    assert [m.message for m in mismatches] == ["took 2,310 ms, limit 1,000 ms"]


def test_judge_body_contains():
    expectations = Expectations(body_contains="ok")

    passed = judge_response(response(body=b"all ok"), 1.0, expectations)
    failed = judge_response(response(body=b"fine"), 1.0, expectations)

    assert passed == []
    assert [m.message for m in failed] == ["body does not contain 'ok'"]
    assert failed[0].expectation is ExpectationName.BODY


def test_judge_body_contains_decodes_charset():
    body = "café".encode("cp1252")
    expectations = Expectations(body_contains="café")

    result = judge_response(
        response(body=body, content_type="text/plain; charset=windows-1252"),
        1.0,
        expectations,
    )

    assert result == []


def test_judge_truncated_body_says_so():
    mismatches = judge_response(
        response(body=b"abc", truncated=True), 1.0, Expectations(body_contains="zz")
    )

    assert "in the first 3 bytes kept" in mismatches[0].message


def test_judge_lists_every_mismatch():
    expectations = Expectations(
        status=parse_status_spec("201"),
        max_ms=10,
        body_contains="yes",
        fields=(parse_field_expectation("/ok=false"),),
    )

    mismatches = judge_response(
        response(200, b'{"ok": true}', "application/json"), 50.0, expectations
    )

    assert [m.expectation for m in mismatches] == [
        ExpectationName.STATUS,
        ExpectationName.TIME,
        ExpectationName.BODY,
        ExpectationName.FIELD,
    ]


@pytest.mark.parametrize(
    "changes", [{"max_ms": 0}, {"max_ms": -5}, {"body_contains": ""}]
)
def test_expectations_invalid_values(changes):
    with pytest.raises(ExpectationError):
        Expectations(**changes)


def test_expectations_to_dict():
    expectations = Expectations(
        status=parse_status_spec("200-299,304"),
        max_ms=500,
        body_contains="ok",
        fields=(parse_field_expectation("/a=1"),),
    )

    assert expectations.to_dict() == {
        "status": "200-299,304",
        "max_ms": 500,
        "body_contains": "ok",
        "fields": [{"path": "/a", "value": "1"}],
    }
