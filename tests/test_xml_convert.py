"""The reversible JSON-to-XML layout: round trips, field cases and rejections."""

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bchook_studio.core.formats import (
    ConversionError,
    FormatError,
    FormatProblem,
    JsonNumber,
    ParserLimit,
    check_xml,
    json_text_to_xml_text,
    json_to_xml,
    parse_json,
    pretty_json,
    xml_text_to_json_text,
    xml_to_json,
)

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# Characters XML 1.0 cannot carry, and characters XML escapes or normalizes.
AWKWARD_CHARACTERS = "\x00\x01\x07\x0b\x1f\ufffe\uffff\r\n\t <>&\"'\\]\x7f\u2028"
# Surrogates are left out: JSON text cannot hold an unpaired one as a raw
# character, and test_lone_surrogate_round_trip covers the escaped form.
CHARACTERS = st.one_of(
    st.characters(exclude_categories=["Cs"]), st.sampled_from(AWKWARD_CHARACTERS)
)
TEXT = st.text(alphabet=CHARACTERS, max_size=12)
KEYS = st.one_of(
    TEXT,
    st.sampled_from(
        ["item", "entry", "webhook", "type", "xml", "XMLfoo", "a:b", "{x}y", "10x10"]
    ),
)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=4),
    ),
    max_leaves=25,
)


def round_trip(value: object) -> object:
    return xml_to_json(json_to_xml(value))


@settings(deadline=None, max_examples=300)
@given(JSON_VALUES)
def test_round_trip_generated(value):
    xml = json_to_xml(value)
    assert check_xml(xml) is None
    assert json.dumps(xml_to_json(xml)) == json.dumps(value)


@settings(deadline=None, max_examples=100)
@given(JSON_VALUES)
def test_text_round_trip_generated(value):
    json_text = pretty_json(value)
    xml_text = json_text_to_xml_text(json_text)
    assert xml_text_to_json_text(xml_text) == json_text


@settings(deadline=None, max_examples=100)
@given(st.dictionaries(KEYS, SCALARS, max_size=6))
def test_round_trip_keeps_key_order(value):
    assert list(round_trip(value)) == list(value)


FIELD_KEYS = [
    "10x10",
    "first name",
    "a:b",
    "",
    "x/y",
    "xmlthing",
    "XMLfoo",
    "item",
    "entry",
]


@pytest.mark.parametrize("key", FIELD_KEYS)
def test_field_key_round_trip(key):
    xml = json_to_xml({key: "v", "after": 1})
    etree.fromstring(xml.encode())
    assert round_trip({key: "v", "after": 1}) == {key: "v", "after": 1}


def test_field_keys_together():
    value = {key: index for index, key in enumerate(FIELD_KEYS)}
    assert list(round_trip(value).items()) == list(value.items())


def test_unusable_keys_become_entries():
    xml = json_to_xml({"first name": 1, "xmlthing": 2, "a:b": 3, "{x}y": 4})
    root = etree.fromstring(xml.encode())
    assert [child.tag for child in root] == ["entry"] * 4
    assert [child.get("key") for child in root] == [
        "first name",
        "xmlthing",
        "a:b",
        "{x}y",
    ]


def test_usable_keys_become_elements():
    xml = json_to_xml({"item": 1, "entry": 2, "first_name": 3, "é": 4})
    root = etree.fromstring(xml.encode())
    assert [child.tag for child in root] == ["item", "entry", "first_name", "é"]
    assert all(child.get("key") is None for child in root)


def test_control_characters_json_encoded():
    value = {"note": "bell\x07 and null\x00"}
    xml = json_to_xml(value)
    data = xml.encode("utf-8")
    assert b"\x07" not in data
    assert b"\x00" not in data
    assert '<note encoding="json">bell\\u0007 and null\\u0000</note>' in xml
    assert round_trip(value) == value


def test_control_character_key_json_encoded():
    value = {"a\x07": "x"}
    xml = json_to_xml(value)
    assert '<entry key="a\\u0007" key-encoding="json">x</entry>' in xml
    assert b"\x07" not in xml.encode()
    assert round_trip(value) == value


def test_noncharacters_json_encoded():
    value = ["\ufffe", "\uffff", "ok\u2028"]
    xml = json_to_xml(value)
    assert '<item encoding="json">\\ufffe</item>' in xml
    assert "<item>ok\u2028</item>" in xml
    assert round_trip(value) == value


def test_lone_surrogate_round_trip():
    value = {"s\udc00": "a\ud800b"}
    xml = json_to_xml(value)
    assert '<entry key="s\\udc00" key-encoding="json" encoding="json">' in xml
    assert round_trip(value) == value


def test_json_encoding_escapes_backslash_and_quote():
    value = 'a\\b"c\x01'
    assert round_trip(value) == value


def test_carriage_return_kept():
    value = {"text": "a\rb\r\nc", "a\rk": 1}
    assert round_trip(value) == value


def test_one_entry_array_and_item_object_distinct():
    array_xml = json_to_xml({"x": ["a"]})
    object_xml = json_to_xml({"x": {"item": "a"}})
    assert array_xml != object_xml
    assert round_trip({"x": ["a"]}) == {"x": ["a"]}
    assert round_trip({"x": {"item": "a"}}) == {"x": {"item": "a"}}


def test_arrays_of_arrays():
    value = {"grid": [[1, 2], [], [[None]], [{"a": []}]]}
    assert round_trip(value) == value


def test_empty_containers_and_string():
    value = {"o": {}, "a": [], "s": "", "n": None}
    xml = json_to_xml(value)
    assert '<o type="object"/>' in xml
    assert '<a type="array"/>' in xml
    assert "<s/>" in xml
    assert '<n type="null"/>' in xml
    assert json.dumps(round_trip(value)) == json.dumps(value)


def test_whitespace_string_kept():
    value = {"s": "  ", "t": "\n x \n"}
    assert round_trip(value) == value


def test_booleans_as_text():
    xml = json_to_xml({"t": True, "f": False})
    assert '<t type="boolean">true</t>' in xml
    assert '<f type="boolean">false</f>' in xml
    assert json.dumps(round_trip({"t": True, "f": False})) == (
        '{"t": true, "f": false}'
    )


NUMBER_SPELLINGS = ["1", "1.0", "1e2", "-0.5", "12345678901234567890", "-0", "1E+2"]


@pytest.mark.parametrize("spelling", NUMBER_SPELLINGS)
def test_number_spelling_in_xml(spelling):
    xml = json_text_to_xml_text(f'{{"n": {spelling}}}')
    assert f'<n type="number">{spelling}</n>' in xml


@pytest.mark.parametrize("spelling", NUMBER_SPELLINGS)
def test_number_spelling_round_trip(spelling):
    json_text = f'{{\n  "n": {spelling}\n}}\n'
    assert xml_text_to_json_text(json_text_to_xml_text(json_text)) == json_text


def test_number_spelling_from_xml():
    value = xml_to_json(
        '<webhook><a type="number">1e2</a><b type="number">1.0</b></webhook>'
    )
    assert isinstance(value["a"], JsonNumber)
    assert str(value["a"]) == "1e2"
    assert type(value["b"]) is float
    assert json.dumps(value["b"]) == "1.0"


def test_big_int_stays_int():
    value = round_trip({"n": 12345678901234567890})
    assert type(value["n"]) is int
    assert value["n"] == 12345678901234567890


def test_non_finite_rejected():
    for number in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            json_to_xml({"n": number})


@pytest.mark.parametrize(
    ("value", "root"),
    [
        ([1, "a"], '<webhook type="array">'),
        ("text", "<webhook>text</webhook>"),
        ("", "<webhook/>"),
        (12, '<webhook type="number">12</webhook>'),
        (None, '<webhook type="null"/>'),
        (False, '<webhook type="boolean">false</webhook>'),
        ({}, '<webhook type="object"/>'),
    ],
)
def test_non_object_root(value, root):
    xml = json_to_xml(value)
    assert xml.startswith(f"{DECLARATION}\n{root}")
    assert json.dumps(round_trip(value)) == json.dumps(value)


def test_output_layout():
    xml = json_to_xml({"user": {"name": "Zoë", "tags": ["a"]}, "ok": True})
    expected = (
        f"{DECLARATION}\n"
        "<webhook>\n"
        "  <user>\n"
        "    <name>Zoë</name>\n"
        '    <tags type="array">\n'
        "      <item>a</item>\n"
        "    </tags>\n"
        "  </user>\n"
        '  <ok type="boolean">true</ok>\n'
        "</webhook>\n"
    )
    assert xml == expected


def test_escaped_markup_round_trip():
    value = {"html": "<b>&amp;</b> ]]> \"'"}
    xml = json_to_xml(value)
    assert "<html>&lt;b&gt;&amp;amp;&lt;/b&gt; ]]&gt; \"'</html>" in xml
    assert round_trip(value) == value


def test_tuple_written_as_array():
    assert round_trip({"t": (1, 2)}) == {"t": [1, 2]}


def test_unsupported_value_rejected():
    with pytest.raises(TypeError):
        json_to_xml({"s": {1, 2}})


def test_non_string_key_rejected():
    with pytest.raises(TypeError):
        json_to_xml({1: "x"})


def test_depth_limit():
    value: object = "leaf"
    for _ in range(255):
        value = [value]
    assert round_trip(value) == value
    with pytest.raises(ValueError):
        json_to_xml([value])


def test_cycle_rejected():
    value: dict[str, object] = {}
    value["self"] = value
    with pytest.raises(ValueError):
        json_to_xml(value)


def test_json_text_to_xml_bad_json():
    with pytest.raises(FormatError) as caught:
        json_text_to_xml_text('{"a": 1,}')
    assert caught.value.problem.line == 1


def test_xml_to_json_bad_xml_is_format_error():
    with pytest.raises(FormatError) as caught:
        xml_to_json("<webhook><a></webhook>")
    assert not isinstance(caught.value, ConversionError)


def test_xml_to_json_accepts_hand_written_layout():
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<webhook>\n"
        '  <entry key="a b"><![CDATA[<x>]]></entry>\n'
        '  <o type="object"><p type="number">2</p></o>\n'
        "  <entry>plain</entry>\n"
        "</webhook>\n"
    )
    assert xml_to_json(text) == {"a b": "<x>", "o": {"p": 2}, "entry": "plain"}


def test_xml_to_json_bytes():
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><webhook><a>é</a></webhook>'
    assert xml_to_json(data.encode("latin-1")) == {"a": "é"}


def rejection(text: str) -> ConversionError:
    with pytest.raises(ConversionError) as caught:
        xml_to_json(text)
    return caught.value


def test_reject_unknown_attribute():
    error = rejection('<webhook>\n  <user id="7">x</user>\n</webhook>')
    assert error.problem.line == 2
    assert error.problem.column == 9
    assert "attribute id on <user>" in error.problem.message


def test_reject_key_on_non_entry():
    error = rejection('<webhook><a key="b">x</a></webhook>')
    assert error.problem.line == 1
    assert error.problem.column == 13
    assert "only on <entry>" in error.problem.message


def test_reject_mixed_content():
    error = rejection("<webhook>\n  <user>Ann<name>x</name></user>\n</webhook>")
    assert error.problem.line == 2
    assert error.problem.column == 3
    assert "mixes the text 'Ann'" in error.problem.message


def test_reject_mixed_content_tail():
    error = rejection("<webhook><a>x</a>stray</webhook>")
    assert error.problem.line == 1
    assert error.problem.column == 1
    assert "'stray'" in error.problem.message


def test_reject_repeated_siblings():
    text = "<webhook>\n  <tag>a</tag>\n  <other/>\n  <tag>b</tag>\n</webhook>"
    error = rejection(text)
    assert error.problem.line == 4
    assert error.problem.column == 3
    assert "repeats the key 'tag'" in error.problem.message
    assert "line 2" in error.problem.message


def test_reject_repeated_siblings_same_line():
    error = rejection("<webhook><a/><b/><a/></webhook>")
    assert error.problem.line == 1
    assert error.problem.column == 18


def test_reject_repeated_entry_keys():
    error = rejection('<webhook><entry key="a b"/><entry key="a b"/></webhook>')
    assert error.problem.column == 28
    assert "repeats the key 'a b'" in error.problem.message


def test_reject_namespace_prefix():
    error = rejection('<webhook xmlns:x="urn:x">\n  <x:a>1</x:a>\n</webhook>')
    assert error.problem.line == 1
    assert error.problem.column == 1
    assert "namespace" in error.problem.message


def test_reject_namespaced_element():
    error = rejection('<webhook>\n  <x:a xmlns:x="urn:x">1</x:a>\n</webhook>')
    assert error.problem.line == 2
    assert error.problem.column == 3
    assert "<x:a> is in a namespace" in error.problem.message


def test_reject_default_namespace():
    error = rejection('<webhook xmlns="urn:x"><a>1</a></webhook>')
    assert error.problem.line == 1
    assert "namespace" in error.problem.message


def test_reject_unused_namespace_declaration():
    error = rejection('<webhook><a xmlns:q="urn:q">1</a></webhook>')
    assert error.problem.column == 10
    assert "xmlns:q" in error.problem.message


def test_reject_namespaced_attribute():
    error = rejection('<webhook><a xml:lang="en">1</a></webhook>')
    assert error.problem.column == 10
    assert "namespace" in error.problem.message


def test_reject_bad_type_value():
    error = rejection('<webhook>\n  <when type="date">2024</when>\n</webhook>')
    assert error.problem.line == 2
    assert error.problem.column == 9
    assert 'type="date"' in error.problem.message


def test_reject_bad_number():
    error = rejection('<webhook>\n\n  <n type="number">abc</n></webhook>')
    assert error.problem.line == 3
    assert error.problem.column == 3
    assert "'abc'" in error.problem.message
    assert "JSON number" in error.problem.message


@pytest.mark.parametrize("text", ["NaN", "Infinity", " 1", "1.", "01", "+1", "0x10"])
def test_reject_non_json_numbers(text):
    error = rejection(f'<webhook><n type="number">{text}</n></webhook>')
    assert "JSON number" in error.problem.message


def test_reject_bad_boolean():
    error = rejection('<webhook><b type="boolean">yes</b></webhook>')
    assert "true or false" in error.problem.message


def test_reject_null_with_text():
    error = rejection('<webhook><b type="null">x</b></webhook>')
    assert "empty element" in error.problem.message


def test_reject_scalar_with_children():
    error = rejection('<webhook><n type="number"><x/></n></webhook>')
    assert error.problem.column == 27


def test_reject_array_child_not_item():
    error = rejection('<webhook><list type="array"><item/><thing/></list></webhook>')
    assert error.problem.column == 36
    assert "<thing>" in error.problem.message


def test_reject_wrong_root():
    error = rejection("<event><a>1</a></event>")
    assert error.problem == FormatProblem(
        1,
        1,
        "the document element is <event>, but the JSON layout starts with "
        "<webhook>; rename it to convert",
    )


def test_reject_bad_encoding_value():
    error = rejection('<webhook><a encoding="base64">eA==</a></webhook>')
    assert error.problem.column == 13
    assert 'encoding="base64"' in error.problem.message


def test_reject_encoding_on_number():
    error = rejection('<webhook><a type="number" encoding="json">1</a></webhook>')
    assert "only on string values" in error.problem.message


def test_reject_invalid_json_escape():
    error = rejection('<webhook><a encoding="json">bad\\x</a></webhook>')
    assert "not a JSON-escaped string" in error.problem.message


def test_reject_key_encoding_without_key():
    error = rejection('<webhook><entry key-encoding="json"/></webhook>')
    assert "no key attribute" in error.problem.message


def test_reject_comment():
    error = rejection("<webhook>\n  <!-- note -->\n  <a>1</a>\n</webhook>")
    assert error.problem.line == 2
    assert error.problem.column == 3
    assert "comment" in error.problem.message


def test_reject_processing_instruction_outside_root():
    error = rejection("<?app x?>\n<webhook/>")
    assert error.problem.line == 1
    assert "<?app?>" in error.problem.message


def test_reject_entity_reference():
    error = rejection(
        '<!DOCTYPE webhook SYSTEM "w.dtd">\n<webhook><a>&x;</a></webhook>'
    )
    assert error.problem.line == 2
    assert error.problem.column == 13
    assert "&x;" in error.problem.message


def test_reject_entity_declarations():
    with pytest.raises(FormatError) as caught:
        xml_to_json('<!DOCTYPE webhook [<!ENTITY x "y">]><webhook>&x;</webhook>')
    assert "declares entities" in caught.value.problem.message


def large_event(entries: int) -> dict[str, object]:
    return {
        "id": "evt",
        "payload": {
            "items": [
                {
                    "name": f"Course {index} – Zoë",
                    "price": index * 1.25,
                    "quantity": index,
                    "paid": index % 2 == 0,
                    "coupon": None,
                    "tags": ["a", "b"],
                    "first name": "Ann",
                }
                for index in range(entries)
            ]
        },
    }


@pytest.mark.slow
def test_large_document_time():
    # About 10 MB of JSON and 15 MB of XML. The limits are generous bounds for
    # a slow CI runner, not a benchmark.
    value = large_event(40_000)
    started = time.perf_counter()
    xml = json_to_xml(value)
    written = time.perf_counter()
    back = xml_to_json(xml)
    read = time.perf_counter()
    assert len(xml.encode()) > 9_000_000
    assert json.dumps(back) == json.dumps(value)
    assert written - started < 10
    assert read - written < 10


def test_topic_examples_round_trip():
    topics = pytest.importorskip("bchook_studio.core.topics")
    all_topics = topics.all_topics()
    assert len(all_topics) == 24
    for topic in all_topics:
        text = topic.example_text()
        value = parse_json(text)
        xml = json_to_xml(value)
        assert check_xml(xml) is None, topic.key
        assert json.dumps(xml_to_json(xml)) == json.dumps(json.loads(text)), topic.key
        assert xml_text_to_json_text(json_text_to_xml_text(text)) == pretty_json(
            value
        ), topic.key


def test_xml_too_deep_to_convert():
    depth = 300
    text = "<webhook>" + "<a>" * depth + "</a>" * depth + "</webhook>"
    with pytest.raises(FormatError) as caught:
        xml_to_json(text)
    problem = caught.value.problem
    assert not isinstance(caught.value, ConversionError)
    assert problem.limit is ParserLimit.DEPTH
    assert "more than 256 levels deep" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{\n  "email": "a",\n  "email": "b"\n}', 3, 3),
        ('{"a": {"x": 1}, "b": {"x": 2, "x": 3}}', 1, 31),
        ('{"a": [{"x": 1, "x": 2}]}', 1, 17),
        ('{"\\u0061": 1, "a": 2}', 1, 15),
    ],
)
def test_repeated_json_key_not_converted(text, line, column):
    with pytest.raises(ConversionError) as caught:
        json_text_to_xml_text(text)

    problem = caught.value.problem
    assert (problem.line, problem.column) == (line, column)
    assert "appears twice" in problem.message


def test_same_key_in_two_objects_converted():
    text = '{"a": {"x": 1}, "b": {"x": "{\\"q\\": 1, \\"q\\": 2}"}}'

    assert xml_text_to_json_text(json_text_to_xml_text(text)) == pretty_json(
        parse_json(text)
    )
