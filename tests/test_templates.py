"""Body templates: rendering, escaping by format, helpers, field paths, errors."""

import json
import pickle
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bchook_studio.core.bodies import default_body
from bchook_studio.core.formats import BodyFormat, FormatError, ParserLimit, parse_json
from bchook_studio.core.formats.xml_layout import XML_ILLEGAL_CHARACTER
from bchook_studio.core.templates import (
    ProblemKind,
    RenderLimits,
    default_template,
    field_paths,
    parse_event,
    render_template,
)
from bchook_studio.core.topics import all_topics, find_topic

JSON = BodyFormat.JSON
XML = BodyFormat.XML
NESTED_LOOPS = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
)
UUID4 = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
)


def render(template, event=None, body_format=JSON, **options):
    return render_template(
        template, {} if event is None else event, body_format, **options
    )


def sale_event():
    return parse_json(find_topic("sale.new").example_text())


@pytest.mark.parametrize("body_format", list(BodyFormat))
@pytest.mark.parametrize("topic", all_topics(), ids=lambda topic: topic.key)
def test_default_template_equals_show(topic, body_format):
    event = parse_json(topic.example_text())

    result = render_template(
        default_template(body_format), event, body_format, topic=topic
    )

    assert result.problems == []
    assert result.warnings == []
    assert result.text == default_body(topic, body_format)


@pytest.mark.parametrize("body_format", list(BodyFormat))
@pytest.mark.parametrize("topic", all_topics(), ids=lambda topic: topic.key)
def test_literal_show_output_renders_as_is(topic, body_format):
    shown = default_body(topic, body_format)

    result = render_template(shown, {}, body_format, topic=topic)

    assert result.ok
    assert result.text == shown


def test_default_template_follows_event_edits():
    event = parse_json('{"id": 1.50, "name": "Zoë"}')

    result = render(default_template(JSON), event)

    assert result.text == '{\n  "id": 1.50,\n  "name": "Zoë"\n}\n'


def test_nine_byte_template_keeps_final_new_line():
    result = render('{"a": 1}\n')

    data = result.text.encode("utf-8")
    assert data == b'{"a": 1}\n'
    assert len(data) == 9
    assert data[-1] == 0x0A


def test_final_new_line_kept_with_tags():
    result = render('{"a": {{ a }}}\n', {"a": 1})

    assert result.text == '{"a": 1}\n'


def test_crlf_template_keeps_crlf():
    result = render('{\r\n  "a": {{ a }}\r\n}\r\n', {"a": 1})

    assert result.text == '{\r\n  "a": 1\r\n}\r\n'
    assert result.warnings == []


def test_tagless_mixed_endings_kept():
    result = render('{\r\n"a": 1\n}\r')

    assert result.text == '{\r\n"a": 1\n}\r'


def test_mixed_endings_with_tags_warn():
    result = render('{\r\n"a": {{ a }},\r\n"b": 2\n}', {"a": 1})

    assert result.text == '{\r\n"a": 1,\r\n"b": 2\r\n}'
    assert [w.kind for w in result.warnings] == [ProblemKind.LINE_ENDINGS]
    assert "CRLF" in result.warnings[0].message


def test_json_string_with_quotes_and_new_line():
    value = 'He said "hi" \\ bye\nnext'

    result = render('{"name": "{{ name }}"}', {"name": value})

    assert result.ok
    assert json.loads(result.text)["name"] == value


def test_xml_text_escaped():
    result = render("<name>{{ name }}</name>", {"name": "A & B <C>"}, XML)

    assert result.ok
    assert etree.fromstring(result.text.encode()).text == "A & B <C>"


def test_xml_quotes_always_escaped():
    result = render("<a>{{ v }}</a>", {"v": "\"'"}, XML)

    assert result.text == "<a>&quot;&apos;</a>"


def test_booleans_inside_json_string():
    result = render('"id-{{ n }}-{{ ok }}"', parse_json('{"n": 3, "ok": true}'))

    assert result.text == '"id-3-true"'


def test_null_inside_json_string():
    result = render('"{{ v }}"', {"v": None})

    assert result.text == '"null"'


def test_null_in_xml_is_empty():
    result = render("<a>{{ v }}</a>", {"v": None}, XML)

    assert result.text == "<a></a>"


def test_event_outside_string_is_json_object():
    event = sale_event()

    result = render("{{ event }}", event)

    assert result.ok
    assert json.loads(result.text) == json.loads(json.dumps(event))


def test_values_outside_string_are_json_values():
    event = parse_json('{"n": 1.50, "t": true, "z": null, "s": "x", "l": [1e2]}')

    result = render("[{{ n }}, {{ t }}, {{ z }}, {{ s }}, {{ l }}]", event)

    assert result.text == '[1.50, true, null, "x", [1e2]]'


def test_number_spelling_inside_string():
    result = render('"{{ e }}"', parse_json('{"e": 1e2}'))

    assert result.text == '"1e2"'


def test_html_characters_written_as_is_in_json():
    value = "<b>&'</b>"

    in_string = render('"{{ v }}"', {"v": value})
    as_json = render("{{ v | tojson }}", {"v": value})

    assert in_string.text == '"<b>&\'</b>"'
    assert as_json.text == '"<b>&\'</b>"'
    assert "\\u00" not in in_string.text + as_json.text


def test_tojson_inside_string_is_string_content():
    result = render('{"a": "{{ v | tojson }}"}', {"v": {"k": 'q"'}})

    assert json.loads(json.loads(result.text)["a"]) == {"k": 'q"'}


def test_tojson_indent():
    result = render("{{ v | tojson(indent=2) }}", {"v": {"a": [1]}})

    assert result.text == '{\n  "a": [\n    1\n  ]\n}'


def test_toxml_with_root():
    result = render("<r>{{ payload.user | toxml('user') }}</r>", sale_event(), XML)

    root = etree.fromstring(result.text.encode())
    assert result.ok
    assert root.find("user/email").text == "yasin@example.com"


def test_xml_illegal_character_replaced_with_warning():
    result = render(
        "<r>\n  <n>{{ payload.name }}</n>\n</r>", {"payload": {"name": "a\x01b"}}, XML
    )

    warning = result.warnings[0]
    assert result.ok
    assert "a\ufffdb" in result.text
    assert warning.kind is ProblemKind.REPLACED_CHARACTER
    assert "payload.name" in warning.message
    assert "U+0001" in warning.message
    assert (warning.line, warning.column) == (2, 6)


def test_xml_attribute_keeps_tabs_and_new_lines():
    value = "a\tb\nc\rd"

    result = render('<r a="{{ v }}"/>', {"v": value}, XML)

    assert etree.fromstring(result.text.encode()).get("a") == value


def test_xml_cdata_written_raw():
    value = "a & ]]> b"

    result = render("<r><![CDATA[{{ v }}]]></r>", {"v": value}, XML)

    assert etree.fromstring(result.text.encode()).text == value


@pytest.mark.parametrize("value", ["x--y", "-lead", "trail-", "---", "a & <b>"])
def test_xml_comment_value_keeps_document_whole(value):
    result = render("<r><!--{{ v }}--></r>", {"v": value}, XML)

    comment = etree.fromstring(result.text.encode())[0]
    assert result.ok
    assert "--" not in comment.text
    assert comment.text.replace(" ", "") == value.replace(" ", "")


def test_xml_comment_empty_value_between_hyphens():
    result = render("<r><!-- note-{{ v }}--></r>", {"v": ""}, XML)

    assert result.ok
    assert result.text == "<r><!-- note- --></r>"


def test_macro_output_not_escaped_twice():
    template = (
        '{% macro item(x) %}<i a="{{ x }}">{{ x }}</i>{% endmacro %}'
        '<r>{{ item("&") }}</r>'
    )

    result = render(template, {}, XML)

    assert result.text == '<r><i a="&amp;">&amp;</i></r>'


def test_macro_output_in_json_not_quoted():
    template = (
        '{% macro pair(k, v) %}"{{ k }}": {{ v }}{% endmacro %}{ {{ pair("a", 1) }} }'
    )

    result = render(template)

    assert json.loads(result.text) == {"a": 1}


@pytest.mark.parametrize(
    "template",
    ["{{ v | safe }}", "{{ v | raw }}", "{{ studio.raw(v) }}"],
)
def test_unescaped_insertion(template):
    result = render(f"<r>{template}</r>", {"v": "<b>x</b>"}, XML)

    assert result.text == "<r><b>x</b></r>"


def test_loops_conditionals_and_default():
    template = (
        "[{% for item in payload.items %}"
        '{"name": "{{ item.name }}", "cheap": {{ item.price < 90 }}}'
        "{% if not loop.last %},{% endif %}{% endfor %}]"
        "{% if payload.missing is defined %}x{% endif %}"
        '{{ payload.nope | default("") | raw }}{{ payload.total | raw if false }}'
    )

    result = render(template, sale_event())

    assert result.ok
    assert json.loads(result.text) == [
        {"name": "PHP course", "cheap": False},
        {"name": "Recurring payment test", "cheap": True},
    ]


def test_dict_key_wins_over_method():
    result = render("{{ payload.items | length }}", sale_event())

    assert result.text == "2"


def test_reserved_names_reach_event_fields():
    event = {"topic": "field", "event": 1, "studio": True, "x": 2}
    topic = find_topic("sale.new")

    result = render(
        '["{{ event.topic }}", {{ event.event }}, {{ event.studio }}, '
        '"{{ topic.key }}", "{{ topic.title }}", {{ x }}]',
        event,
        topic=topic,
    )

    assert json.loads(result.text) == ["field", 1, True, "sale.new", topic.title, 2]


def test_helpers_reproducible_with_now_and_seed():
    template = (
        '["{{ studio.now_iso() }}", {{ studio.now_unix() }}, '
        '"{{ studio.uuid() }}", "{{ studio.uuid() }}"]'
    )
    now = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)

    first = json.loads(render(template, now=now, seed=7).text)
    second = json.loads(render(template, now=now, seed=7).text)

    assert first == second
    assert first[0] == "2024-05-01T12:00:00.250Z"
    assert first[1] == 1714564800
    assert UUID4.fullmatch(first[2])
    assert first[2] != first[3]


def test_naive_now_taken_as_utc():
    result = render('"{{ studio.now_iso() }}"', now=datetime(2024, 5, 1, 12, 0))

    assert result.text == '"2024-05-01T12:00:00.000Z"'


def test_helpers_random_without_seed():
    template = '"{{ studio.uuid() }}"'

    first = render(template).text
    second = render(template).text

    assert UUID4.fullmatch(first.strip('"'))
    assert first != second


def test_field_paths_in_event_order():
    paths = [path for path, _ in field_paths(sale_event())]

    assert paths[:6] == [
        "id",
        "resource",
        "action",
        "tenant_id",
        "created_at",
        "payload",
    ]
    assert "payload.items[0].name" in paths
    assert paths.index("payload.items") < paths.index("payload.items[0]")
    assert paths.index("payload.items[0]") < paths.index("payload.items[0].name")
    assert dict(field_paths(sale_event()))["payload.user.email"] == "yasin@example.com"


def test_field_paths_special_keys():
    event = {"topic": 1, "first name": {"a-b": 2, "_id": 3}, "true": 4, "ok": [5]}

    paths = dict(field_paths(event))

    assert paths == {
        "event.topic": 1,
        'event["first name"]': {"a-b": 2, "_id": 3},
        'event["first name"]["a-b"]': 2,
        'event["first name"]._id': 3,
        "event.true": 4,
        "ok": [5],
        "ok[0]": 5,
    }


def test_field_paths_limit():
    paths = field_paths({"items": list(range(100))}, max_paths=10)

    assert len(paths) == 10


@pytest.mark.parametrize("topic", all_topics(), ids=lambda topic: topic.key)
def test_field_paths_reach_their_values(topic):
    event = parse_json(topic.example_text())
    paths = field_paths(event)
    template = "[" + ", ".join(f"{{{{ {path} | tojson }}}}" for path, _ in paths) + "]"

    result = render(template, event)

    assert result.ok
    assert json.loads(result.text) == [
        json.loads(json.dumps(value)) for _, value in paths
    ]


def test_syntax_error_line():
    result = render('{\n  "a": 1,\n  "b": {{ payload. }}\n}')

    problem = result.problems[0]
    assert result.text is None
    assert problem.kind is ProblemKind.SYNTAX
    assert problem.line == 3


def test_syntax_error_message_has_no_added_tokens():
    result = render("{{ }}")

    assert result.problems[0].kind is ProblemKind.SYNTAX
    assert "_studio" not in result.problems[0].message


def test_unexpected_character_column():
    result = render("{\n  {{ a $ }}\n}")

    problem = result.problems[0]
    assert problem.kind is ProblemKind.SYNTAX
    assert (problem.line, problem.column) == (2, 8)


def test_undefined_field_position_and_fields():
    result = render('{\n  "e": "{{ payload.usr.email }}"\n}', sale_event())

    problem = result.problems[0]
    assert problem.kind is ProblemKind.UNDEFINED
    assert (problem.line, problem.column) == (2, 20)
    assert "payload has no field 'usr'" in problem.message
    assert "user" in problem.message


def test_undefined_top_level_name():
    result = render("\n\n{{ usr }}", sale_event())

    problem = result.problems[0]
    assert (problem.line, problem.column) == (3, 4)
    assert "'usr' is not defined" in problem.message
    assert "payload" in problem.message


def test_index_out_of_range_message():
    result = render("{{ payload.items[5].name }}", sale_event())

    assert "payload.items has 2 items" in result.problems[0].message


def test_undefined_inside_filter_fails():
    result = render("{{ payload.nope | upper }}", sale_event())

    assert result.problems[0].kind is ProblemKind.UNDEFINED


def test_undefined_inside_list_fails():
    result = render("{{ [payload.nope] }}", sale_event())

    assert result.problems[0].kind is ProblemKind.UNDEFINED


def test_missing_topic_message():
    result = render("{{ topic.key }}")

    assert "no topic" in result.problems[0].message


def test_malformed_body_position_in_output():
    result = render('{\n  "a": {{ a }}\n  "b": 2\n}', {"a": "x"})

    problem = result.problems[0]
    assert result.text == '{\n  "a": "x"\n  "b": 2\n}'
    assert problem.kind is ProblemKind.MALFORMED_BODY
    assert problem.in_body
    assert (problem.line, problem.column) == (3, 3)
    assert "rendered body" in problem.message


def test_malformed_xml_body():
    result = render("<a>{{ v }}</b>", {"v": 1}, XML)

    assert result.text == "<a>1</b>"
    assert result.problems[0].kind is ProblemKind.MALFORMED_BODY


def test_malformed_body_has_no_limit():
    result = render("<a>{{ v }}</b>", {"v": 1}, XML)

    problem = result.problems[0]
    assert problem.limit is None
    assert problem.message.startswith("the rendered body is not well-formed XML: ")


def test_deep_json_body_not_checked():
    result = render("[" * 1000 + "{{ v }}" + "]" * 1000, {"v": 1})

    problem = result.problems[0]
    assert result.text == "[" * 1000 + "1" + "]" * 1000
    assert problem.kind is ProblemKind.MALFORMED_BODY
    assert problem.limit is ParserLimit.DEPTH
    assert problem.in_body
    assert (problem.line, problem.column) == (1, 901)
    assert problem.message.startswith(
        "the rendered body is nested too deeply for Hook Studio's JSON parser "
        "to check: the document nests arrays and objects more than 900 levels"
    )
    assert "not well-formed" not in problem.message


def test_deep_xml_body_not_checked():
    template = (
        "{% for i in range(300) %}<a>{% endfor %}"
        "{% for i in range(300) %}</a>{% endfor %}"
    )

    result = render(template, body_format=XML)

    problem = result.problems[0]
    assert result.text == "<a>" * 300 + "</a>" * 300
    assert problem.limit is ParserLimit.DEPTH
    assert problem.line == 1
    assert problem.message.startswith(
        "the rendered body is nested too deeply for Hook Studio's XML parser "
        "to check: the document nests elements more than 256 levels deep"
    )
    assert "not well-formed" not in problem.message


def test_long_xml_text_not_checked():
    result = render("<a>{{ 'x' * 10000001 }}</a>", body_format=XML)

    problem = result.problems[0]
    assert problem.limit is ParserLimit.SIZE
    assert problem.message.startswith(
        "the rendered body is too large for Hook Studio's XML parser to check: "
    )
    assert "10,000,000 bytes" in problem.message
    assert "not well-formed" not in problem.message


def test_check_body_off():
    result = render("{{ v }} x", {"v": 1}, check_body=False)

    assert result.ok
    assert result.text == "1 x"


def test_runtime_error_kind():
    result = render("\n{{ 1 / 0 }}")

    problem = result.problems[0]
    assert problem.kind is ProblemKind.RUNTIME
    assert (problem.line, problem.column) == (2, 1)


def test_function_value_rejected():
    result = render("{{ studio.now_iso }}")

    assert result.problems[0].kind is ProblemKind.RUNTIME
    assert "call it with ()" in result.problems[0].message


def test_include_rejected():
    result = render("{% include 'other' %}")

    assert result.problems[0].kind is ProblemKind.RUNTIME
    assert "cannot include" in result.problems[0].message


def test_event_must_be_dict():
    with pytest.raises(TypeError):
        render_template("x", [], JSON)


def test_result_pickles():
    result = render('{\n  "a": {{ a }}\n  "b": 2\n}', {"a": 1})

    copy = pickle.loads(pickle.dumps(result))

    assert copy == result


def test_trace_function_restored():
    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        render("{% for i in range(10) %}{{ i }}{% endfor %}", check_body=False)
        restored = sys.gettrace()
    finally:
        sys.settrace(None)

    assert restored is tracer


def test_trace_function_removed_after_timeout():
    result = render(NESTED_LOOPS, limits=RenderLimits(time_limit=0.2))

    assert result.problems[0].kind is ProblemKind.LIMIT
    assert sys.gettrace() is None


def test_threads_render_independently():
    results = {}

    def work(name, template, seconds):
        results[name] = render(
            template, {"n": name}, limits=RenderLimits(time_limit=seconds)
        )

    threads = [
        threading.Thread(target=work, args=("slow", NESTED_LOOPS, 0.5)),
        *(
            threading.Thread(target=work, args=(f"fast{i}", '"{{ n }}"', 5.0))
            for i in range(4)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results["slow"].problems[0].kind is ProblemKind.LIMIT
    for i in range(4):
        assert results[f"fast{i}"].text == f'"fast{i}"'


def test_import_does_not_load_jinja():
    code = (
        "import sys, bchook_studio.core.templates as t; print('jinja2' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert completed.stdout.strip() == "False"


json_strings = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200
)
xml_strings = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)).filter(
        lambda character: not XML_ILLEGAL_CHARACTER.match(character)
    ),
    max_size=200,
)


@settings(deadline=None)
@given(json_strings)
def test_any_string_in_json_string(value):
    result = render('{"v": "{{ v }}"}', {"v": value})

    assert result.ok
    assert json.loads(result.text)["v"] == value


@settings(deadline=None)
@given(json_strings)
def test_any_string_as_json_value(value):
    result = render('{"v": {{ v }}}', {"v": value})

    assert json.loads(result.text)["v"] == value


@settings(deadline=None)
@given(xml_strings)
def test_any_string_in_xml_text(value):
    result = render("<r>{{ v }}</r>", {"v": value}, XML)

    assert result.ok
    assert (etree.fromstring(result.text.encode()).text or "") == value


@settings(deadline=None)
@given(xml_strings)
def test_any_string_in_xml_attribute(value):
    result = render("<r a='{{ v }}' b=\"{{ v }}\"/>", {"v": value}, XML)

    root = etree.fromstring(result.text.encode())
    assert result.ok
    assert root.get("a") == value
    assert root.get("b") == value


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ range(10) | slice(3) | list }}", "[[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]"),
        ("{{ [1, 2, 3] | batch(2, 0) | list }}", "[[1, 2], [3, 0]]"),
        ('{{ [1, 2] | join(",") }}', '"1,2"'),
        ('{{ "a-a" | replace("a", "b") }}', '"b-b"'),
        ('{{ "%s-%s" | format(1, 2) }}', '"1-2"'),
        ('{{ "a" | center(5) }}', '"  a  "'),
        ('{{ "a\\nb" | indent(2, true) }}', '"  a\\n  b"'),
        ("{{ [[1], [2]] | sum(start=[]) }}", "[1, 2]"),
        ("{{ [{'p': 1}, {'p': 2}] | sum(attribute='p') }}", "3"),
        ("{{ 'ab' * 2 ~ 'c' }}", '"ababc"'),
        ("{{ '{:>3}'.format(1) }}", '"  1"'),
        ("{{ '%03d' % 7 }}", '"007"'),
        ("{{ ','.join(['a', 'b']) }}", '"a,b"'),
        ("{{ lipsum(1, false, 5, 6) | wordcount > 0 }}", "true"),
        ("{% set ns = namespace(n=[]) %}{% set ns.n = ns.n + [1] %}{{ ns.n }}", "[1]"),
    ],
)
def test_guarded_operations_keep_results(template, expected):
    result = render(template)

    assert result.problems == []
    assert result.text == expected


def test_parse_event_keeps_spelling():
    event = parse_event('{"n": 1.50}')

    assert render("{{ n }}", event).text == "1.50"


def test_parse_event_rejects_array():
    with pytest.raises(FormatError) as caught:
        parse_event("[1]")

    assert caught.value.problem.line == 1
    assert "JSON object" in caught.value.problem.message
