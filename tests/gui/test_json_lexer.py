"""The editor's JSON tokens against pygments' JsonLexer, which they replace."""

import json
import random
import subprocess
import sys

import pytest
from pygments.lexers.data import JsonLexer
from pygments.token import Error, Name, Number, String

from bchook_studio.core.resources import resource
from bchook_studio.gui.editor.json_lexer import json_tokens

FRAGMENTS = [
    *'{}[],:"\\/*\n\r\t x',
    '"key"',
    '"quote \\" inside"',
    '"\\u00e9"',
    '"\\u12"',
    '"\\u12',
    "\\u",
    "true",
    "false",
    "null",
    "nul",
    "trueish",
    "-12",
    "3.5e+7",
    "1e",
    "+1",
    "/* note */",
    "// note",
    "/*",
    "*/",
    "/*/",
    "é",
]


def _pygments_tokens(text):
    lexer = JsonLexer(stripnl=False, ensurenl=False)
    return list(lexer.get_tokens_unprocessed(text))


def _shipped_examples():
    folder = resource("topics")
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(folder.iterdir())
        if path.suffix == ".json"
    ]


def test_shipped_examples_lex_as_pygments_lexes_them():
    for text in _shipped_examples():
        pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)

        assert list(json_tokens(text)) == _pygments_tokens(text)
        for line in pretty.splitlines():
            assert list(json_tokens(line)) == _pygments_tokens(line)


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{"a": 1}',
        '"a"  /* c */ : 2',
        '"a" // c',
        '"a" "b": 3',
        '"unclosed',
        '"escape at the end\\',
        '"\\u12"x"',
        '"\\u1234"',
        "/",
        "/x",
        "/* open",
        "/**/",
        "[1.5e-3, -0, 12ee, --1]",
        "[true, false, null, trux, nulll]",
        "TRUE",
        ':{"a"',
        ",:",
        '"k"\n:\n1',
    ],
)
def test_edge_cases_lex_as_pygments_lexes_them(text):
    assert list(json_tokens(text)) == _pygments_tokens(text)


def test_random_fragments_lex_as_pygments_lexes_them():
    generator = random.Random(20261205)
    for _attempt in range(3000):
        count = generator.randint(0, 20)
        text = "".join(generator.choice(FRAGMENTS) for _ in range(count))

        assert list(json_tokens(text)) == _pygments_tokens(text), text


def test_key_value_and_error_types():
    tokens = {value: token for _start, token, value in json_tokens('{"n": 7, x}')}

    assert tokens['"n"'] is Name.Tag
    assert tokens["7"] is Number.Integer
    assert tokens["x"] is Error
    assert String.Double not in tokens.values()


def test_unclosed_string_over_a_long_line_finishes():
    text = '"' + "\\u12" * 50_000

    tokens = list(json_tokens(text))

    assert tokens == [(0, Error, text)]


def test_importing_leaves_pygments_lexers_unloaded():
    code = (
        "import sys, bchook_studio.gui.editor.block_lexers as b;"
        "b.make_block_lexer('json').lex('{\"a\": 1}', 0);"
        "print(sorted(m for m in sys.modules if m.startswith('pygments')))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == "['pygments', 'pygments.token']"
