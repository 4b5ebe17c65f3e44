"""JSON bodies: format names, problems, number spellings and pretty printing."""

import json
import pickle
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bchook_studio.core.display_text import pretty_for_display
from bchook_studio.core.formats import (
    BodyFormat,
    ConversionError,
    FormatError,
    FormatProblem,
    JsonNumber,
    ParserLimit,
    check_json,
    json_text,
    parse_json,
    pretty_json,
    pretty_json_text,
)
from bchook_studio.core.formats.json_text import (
    MAX_JSON_DEPTH,
    IndentTooLarge,
    number_from_spelling,
    pretty_json_keeping_repeats,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("json", BodyFormat.JSON), ("XML", BodyFormat.XML), (" Json ", BodyFormat.JSON)],
)
def test_body_format_parse(text, expected):
    assert BodyFormat.parse(text) is expected


def test_body_format_parse_unknown():
    with pytest.raises(ValueError) as caught:
        BodyFormat.parse("yaml")
    message = str(caught.value)
    assert "'yaml'" in message
    assert "json" in message
    assert "xml" in message


def test_body_format_content_types():
    assert BodyFormat.JSON.content_type == "application/json"
    assert BodyFormat.XML.content_type == "application/xml"


def test_body_format_is_text():
    assert BodyFormat.XML == "xml"
    assert f"{BodyFormat.JSON}" == "json"


def test_body_format_check_dispatch():
    assert BodyFormat.JSON.check("[1,]") is not None
    assert BodyFormat.JSON.check("<a/>") is not None
    assert BodyFormat.XML.check("<a/>") is None
    assert BodyFormat.XML.pretty("<a><b/></a>").endswith("<a>\n  <b/>\n</a>\n")


def test_problem_str_with_column():
    assert str(FormatProblem(3, 7, "Expecting ',' delimiter")) == (
        "3:7: Expecting ',' delimiter"
    )


def test_problem_str_without_column():
    assert str(FormatProblem(1, None, "the body is empty")) == "1: the body is empty"


def test_format_error_pickles():
    problem = FormatProblem(2, 4, "bad")
    for error in (FormatError(problem), ConversionError(problem)):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert copy.problem == problem
        assert str(copy) == "2:4: bad"


def test_check_json_valid():
    assert check_json('{"a": [1, 2.5, true, null, "x"]}') is None


def test_check_json_missing_comma_position():
    text = '{\n  "a": 1,\n  "b": 2 "c": 3\n}'
    problem = check_json(text)
    assert problem is not None
    assert problem.line == 3
    assert problem.column == 10
    assert problem.message == "Expecting ',' delimiter"


def test_check_json_array_missing_comma():
    problem = check_json("[\n  1,\n  2 3\n]")
    assert problem == FormatProblem(3, 5, "Expecting ',' delimiter")


def test_check_json_column_counts_characters():
    problem = check_json('{"é€😀": 1 "b": 2}')
    assert problem is not None
    assert problem.column == 11


@pytest.mark.parametrize("text", ["", "   ", "\n\t\r\n"])
def test_check_json_empty(text):
    assert check_json(text) == FormatProblem(1, 1, "the document is empty")


@pytest.mark.parametrize(
    ("text", "constant", "line", "column"),
    [
        ("[1, NaN]", "NaN", 1, 5),
        ('{"a": "NaN",\n "b": Infinity}', "Infinity", 2, 7),
        ('["-Infinity", -Infinity]', "-Infinity", 1, 15),
    ],
)
def test_check_json_constants(text, constant, line, column):
    problem = check_json(text)
    assert problem is not None
    assert problem.line == line
    assert problem.column == column
    assert problem.message.startswith(f"{constant} is not valid JSON")


def test_check_json_duplicate_keys_allowed():
    assert check_json('{"a": 1, "a": 2}') is None


def test_check_json_control_character():
    problem = check_json('{"a": "x\ty"}')
    assert problem is not None
    assert problem.message.startswith("the string contains the control character")


def test_check_json_unclosed_string():
    problem = check_json('{"resource": "user", "name": "Jo')
    assert problem is not None
    assert (problem.line, problem.column) == (1, 30)
    assert problem.message == "the string that starts here has no closing quote"


def test_check_json_too_deep():
    problem = check_json("[" * 100_000 + "]" * 100_000)
    assert problem is not None
    assert problem.limit is ParserLimit.DEPTH
    assert (problem.line, problem.column) == (1, MAX_JSON_DEPTH + 1)
    assert problem.message == (
        f"the document nests arrays and objects more than {MAX_JSON_DEPTH} levels "
        "deep, deeper than Hook Studio's JSON parser reads"
    )


def test_json_depth_skips_strings():
    text = '{"a": "[[{{",\n "b": ' + "[" * 2000 + "]" * 2000 + "}"
    problem = check_json(text)
    assert problem is not None
    assert problem.limit is ParserLimit.DEPTH
    assert problem.line == 2
    assert problem.column == 6 + MAX_JSON_DEPTH


def test_parse_json_max_depth_deep_stack():
    # Called 300 frames deep, the parser's own recursion runs out below the
    # limit, so this needs the retry with a full recursion budget.
    text = "[" * MAX_JSON_DEPTH + "1" + "]" * MAX_JSON_DEPTH

    def call_at_depth(depth: int) -> object:
        if depth:
            return call_at_depth(depth - 1)
        return parse_json(text)

    value = call_at_depth(300)
    for _ in range(MAX_JSON_DEPTH):
        assert isinstance(value, list)
        value = value[0]
    assert value == 1


def test_check_json_over_max_depth():
    # From a shallow stack the parser may read a few levels more, so the call
    # comes from 300 frames deep, where it cannot.
    depth = MAX_JSON_DEPTH + 1
    text = "[" * depth + "]" * depth

    def call_at_depth(depth: int) -> FormatProblem | None:
        if depth:
            return call_at_depth(depth - 1)
        return check_json(text)

    problem = call_at_depth(300)
    assert problem is not None
    assert problem.limit is ParserLimit.DEPTH
    assert problem.column == depth


def test_json_syntax_problem_no_limit():
    problem = check_json("[1,]")
    assert problem is not None
    assert problem.limit is None


def test_parse_json_raises_format_error():
    with pytest.raises(FormatError) as caught:
        parse_json('{"a" 1}')
    assert caught.value.problem.line == 1
    assert caught.value.problem.column == 6


@pytest.mark.parametrize(
    "spelling", ["1", "-5", "0", "12345678901234567890", "1.0", "-0.5", "1e+16"]
)
def test_number_native_when_spelling_kept(spelling):
    value = number_from_spelling(spelling)
    assert type(value) in (int, float)
    assert json.dumps(value) == spelling


@pytest.mark.parametrize("spelling", ["1e2", "1E2", "-0", "2.50", "1e16", "1e400"])
def test_number_wrapped_when_spelling_changes(spelling):
    value = number_from_spelling(spelling)
    assert isinstance(value, JsonNumber)
    assert str(value) == spelling


def test_number_with_many_digits():
    spelling = "9" * 5000
    value = number_from_spelling(spelling)
    assert isinstance(value, JsonNumber)
    assert pretty_json([value]) == f"[\n  {spelling}\n]\n"


def test_json_number_value():
    number = JsonNumber("1e2")
    assert number == 100
    assert number * 2 == 200
    assert json.dumps(number) == "100.0"
    assert f"{number}" == "1e2"
    assert repr(number) == "JsonNumber('1e2')"


def test_json_number_pickles():
    copy = pickle.loads(pickle.dumps(JsonNumber("-0")))
    assert isinstance(copy, JsonNumber)
    assert copy.spelling == "-0"


@pytest.mark.parametrize("spelling", ["abc", "nan", "1_000", " 1", "01", "+1", "1."])
def test_json_number_rejects_non_json(spelling):
    with pytest.raises(ValueError):
        JsonNumber(spelling)


def test_pretty_json_layout():
    value = {"b": [1, {"c": None}], "a": {}, "é": "ü", "e": []}
    expected = (
        "{\n"
        '  "b": [\n'
        "    1,\n"
        "    {\n"
        '      "c": null\n'
        "    }\n"
        "  ],\n"
        '  "a": {},\n'
        '  "é": "ü",\n'
        '  "e": []\n'
        "}\n"
    )
    assert pretty_json(value) == expected


def test_pretty_json_matches_json_dumps():
    value = {
        "s": 'q"\\\n\x00\x1f\u2028 ☃',
        "n": [0, -1, 2**70, 1.5, -0.0, 1e-7, 1e300, True, False, None],
        "t": ("tuple", 1),
        "deep": [[[{}]], [[]]],
    }
    expected = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    assert pretty_json(value) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_pretty_json_rejects_non_finite(value):
    with pytest.raises(ValueError):
        pretty_json({"x": value})


def test_pretty_json_rejects_other_types():
    with pytest.raises(TypeError):
        pretty_json({"x": {1, 2}})


def test_pretty_json_rejects_non_string_keys():
    with pytest.raises(TypeError):
        pretty_json({1: "x"})


def test_pretty_json_rejects_cycles():
    value: list[object] = []
    value.append(value)
    with pytest.raises(ValueError):
        pretty_json(value)


def test_pretty_json_same_object_twice():
    shared = {"a": 1}
    assert pretty_json([shared, shared]) == json.dumps([shared, shared], indent=2) + (
        "\n"
    )


def test_pretty_json_escapes_lone_surrogates():
    text = pretty_json(["a\ud800b"])
    assert text == '[\n  "a\\ud800b"\n]\n'
    assert json.loads(text) == ["a\ud800b"]


def test_pretty_json_scalar_root():
    assert pretty_json("x") == '"x"\n'
    assert pretty_json(None) == "null\n"


def test_pretty_json_deep():
    depth = 5000
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    text = pretty_json(value)
    assert text.count("[") == depth + 1


def test_pretty_json_text_keeps_spellings():
    text = '{"a":1e2,"b":-0,"c":1.50,"d":[1.0, 10000000000000000000000]}'
    expected = (
        "{\n"
        '  "a": 1e2,\n'
        '  "b": -0,\n'
        '  "c": 1.50,\n'
        '  "d": [\n'
        "    1.0,\n"
        "    10000000000000000000000\n"
        "  ]\n"
        "}\n"
    )
    assert pretty_json_text(text) == expected


def test_pretty_json_text_idempotent():
    once = pretty_json_text('{"a": [1e2, {"b": "é"}]}')
    assert pretty_json_text(once) == once


def test_pretty_json_text_bad_input():
    with pytest.raises(FormatError) as caught:
        pretty_json_text('{"a": }')
    assert caught.value.problem == FormatProblem(1, 7, "Expecting value")


def reference_pretty_json(value: object) -> str:
    """Write a value with the explicit-stack printer alone, as pretty_json once did."""
    parts: list[str] = []
    json_text._write_json(value, parts)
    parts.append("\n")
    return "".join(parts)


ODD_SPELLINGS = [
    "1e2",
    "1E+2",
    "-0",
    "-0.0",
    "2.50",
    "0.10",
    "1e400",
    "-1e-400",
    "1e16",
]
# Strings with control characters, unpaired surrogates (category Cs) and
# characters beyond the Basic Multilingual Plane.
STRINGS = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from('\x00\x1f\x7f"\\\n\u2028\ud800\udfff\U0001f600é'),
    ),
    max_size=8,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**80), max_value=10**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(ODD_SPELLINGS).map(JsonNumber),
    STRINGS,
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(STRINGS, children, max_size=4),
    ),
    max_leaves=30,
)


def nest(value: object, depth: int, use_objects: bool) -> object:
    for level in range(depth):
        value = {"k": value, "n": level} if use_objects else [level, value]
    return value


# Depths around the level where pretty_json hands containers to the
# explicit-stack printer.
DEEP_VALUES = st.builds(
    nest, VALUES, st.integers(min_value=0, max_value=260), st.booleans()
)


@settings(deadline=None, max_examples=300)
@given(VALUES)
def test_pretty_json_matches_reference(value):
    assert pretty_json(value) == reference_pretty_json(value)


@settings(deadline=None, max_examples=60)
@given(DEEP_VALUES)
def test_pretty_json_deep_matches_reference(value):
    assert pretty_json(value) == reference_pretty_json(value)


SOURCE_NUMBERS = st.sampled_from(
    [*ODD_SPELLINGS, "0", "12", "-5", "1.5", "1e-7", "9" * 30, "1" + "0" * 400]
)
# Pieces of string literals: escaped controls, escaped unpaired and paired
# surrogates, a raw unpaired surrogate, which json.loads accepts in a str, and
# non-ASCII text.
SOURCE_STRINGS = st.one_of(
    st.lists(
        st.sampled_from(
            [
                *["a", "é", "☃", "\\u0001", "\\ud800", "\\uDFFF", "\\ud83d\\ude00"],
                *["\\n", '\\"', "\\\\", "\\u2028", "\ud800", "\U0001f600"],
            ]
        ),
        max_size=5,
    ).map(lambda pieces: '"' + "".join(pieces) + '"'),
    STRINGS.map(json.dumps),
)
SOURCE_SCALARS = st.one_of(
    SOURCE_NUMBERS, SOURCE_STRINGS, st.sampled_from(["true", "false", "null"])
)
SOURCE_VALUES = st.recursive(
    SOURCE_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: f"[{','.join(items)}]"),
        st.lists(st.tuples(SOURCE_STRINGS, children), max_size=4).map(
            lambda members: "{" + ", ".join(f"{k}: {v}" for k, v in members) + "}"
        ),
    ),
    max_leaves=30,
)
SOURCE_TEXTS = st.builds(
    lambda depth, inner: "[" * depth + inner + "]" * depth,
    st.integers(min_value=0, max_value=300),
    SOURCE_VALUES,
)


@settings(deadline=None, max_examples=300)
@given(SOURCE_TEXTS)
def test_pretty_json_text_matches_reference(text):
    assert pretty_json_text(text) == reference_pretty_json(parse_json(text))


class Name(str):
    pass


class Count(int):
    pass


class Ratio(float):
    pass


class Entries(list):
    pass


class Members(dict):
    pass


@pytest.mark.parametrize(
    "value",
    [
        Name("subclass \ud800"),
        {Name("key"): Count(3), "r": Ratio(0.5)},
        Entries([1, Members(a=Entries([]))]),
        Members({"x": (Name("y"), True)}),
        nest(Members(k=Entries([Count(1)])), 120, use_objects=True),
        nest([JsonNumber("1e2"), "\udc00"], 150, use_objects=False),
    ],
    ids=["str", "keys", "list", "dict", "deep-dict", "deep-list"],
)
def test_pretty_json_subclasses_match_reference(value):
    assert pretty_json(value) == reference_pretty_json(value)


def error_of(write, value: object) -> tuple[type, str]:
    with pytest.raises((TypeError, ValueError)) as caught:
        write(value)
    return type(caught.value), str(caught.value)


def cyclic_list(depth: int) -> list[object]:
    inner: list[object] = ["before"]
    outer = nest(inner, depth, use_objects=False)
    inner.append(outer)
    return inner


@pytest.mark.parametrize("depth", [0, 1, 99, 100, 101, 250])
@pytest.mark.parametrize(
    "bad",
    [float("nan"), float("-inf"), {1, 2}, b"bytes", {3: "int key"}, {None: 1}],
    ids=["nan", "inf", "set", "bytes", "int-key", "none-key"],
)
def test_pretty_json_errors_match_reference(bad, depth):
    value = nest(["ok", bad], depth, use_objects=depth % 2 == 0)
    expected = error_of(reference_pretty_json, value)
    assert error_of(pretty_json, value) == expected


@pytest.mark.parametrize("depth", [0, 5, 99, 100, 150])
def test_pretty_json_cycle_errors_match_reference(depth):
    value = cyclic_list(depth)
    expected = error_of(reference_pretty_json, value)
    assert error_of(pretty_json, value) == expected


def test_pretty_json_huge_int_error_matches_reference():
    value = {"n": 10**5000}
    expected = error_of(reference_pretty_json, value)
    assert error_of(pretty_json, value) == expected


def test_pretty_json_common_values_skip_stack_printer(monkeypatch):
    def fail(*args: object) -> None:
        raise AssertionError("the explicit-stack printer was used")

    value = parse_json('{"a": [1, 2.5, "é\\u0001", null, true, {"b": 1e2}]}')
    expected = reference_pretty_json(value)
    monkeypatch.setattr(json_text, "_write_json", fail)
    assert pretty_json(value) == expected


def test_pretty_json_near_recursion_limit():
    value = nest(["x", JsonNumber("1e2")], 90, use_objects=True)
    expected = reference_pretty_json(value)

    def call_at_depth(depth: int) -> str:
        if depth:
            return call_at_depth(depth - 1)
        return pretty_json(value)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        text = call_at_depth(120)
    finally:
        sys.setrecursionlimit(limit)
    assert text == expected


def test_bom_reported_plainly():
    problem = check_json('\ufeff{"a": 1}')

    assert (problem.line, problem.column) == (1, 1)
    assert "byte order mark" in problem.message


def test_tab_in_string_names_escape():
    problem = check_json('{"a": "x\ty"}')

    assert problem.column == 9
    assert "U+0009" in problem.message
    assert "\\t" in problem.message


def test_deep_indent_over_limit_refused():
    value = [[[[[[[[[[[[[[1]]]]]]]]]]]]]] * 100

    with pytest.raises(IndentTooLarge):
        pretty_json(value, deep_indent_limit=1000)


def test_deep_indent_limit_leaves_text_unchanged():
    value = {"a": [{"b": [[[[[[[[[1, 2]]]]]]]]]}]}

    assert pretty_json(value, deep_indent_limit=10_000) == pretty_json(value)


def test_pretty_keeping_repeats_writes_every_member():
    text = '{"a": 1, "b": {"x": [{"k": 2, "k": 3}]}, "a": 4}'

    pretty, repeated = pretty_json_keeping_repeats(text)

    assert repeated == "k"
    assert pretty == (
        "{\n"
        '  "a": 1,\n'
        '  "b": {\n'
        '    "x": [\n'
        "      {\n"
        '        "k": 2,\n'
        '        "k": 3\n'
        "      }\n"
        "    ]\n"
        "  },\n"
        '  "a": 4\n'
        "}\n"
    )


def test_pretty_keeping_repeats_matches_plain_without_repeats():
    text = '{"a": [1, 2.50, {"b": null}], "c": "é"}'

    pretty, repeated = pretty_json_keeping_repeats(text)

    assert repeated is None
    assert pretty == pretty_json_text(text)


def test_pretty_for_display_names_repeated_key():
    display = pretty_for_display('{"id": 1, "id": 2}', "json")

    assert display.text == '{\n  "id": 1,\n  "id": 2\n}\n'
    assert display.notice == (
        "An object repeats the key 'id'. Both members are shown, but many JSON "
        "parsers keep only the last one."
    )
