"""JSON tokens for the editor, the same as pygments' JsonLexer gives, without it.

JSON is the format every start shows, and pygments keeps JsonLexer in
`pygments.lexers.data`: importing it loads pygments' registry of about 600
lexers, `pygments.lexer` and `html.entities`. Leaving them out made the idle
app 0.5 MiB smaller on the 2-core VM of docs/benchmarks.md. `json_tokens`
yields the triples of `JsonLexer.get_tokens_unprocessed`, token types
included, and the tests compare the two on the shipped examples, on edge cases
and on random fragments. One regular expression finds each token, where
JsonLexer looks at one character at a time, and a line lexes about as fast.

The rules it shares with pygments, which validates nothing:
- A run of `-0123456789` is an integer, and a float once it contains one of
  `.eE+`. A run of the letters of true, false and null that starts with t, f
  or n is a constant. A run of `{}[],` is punctuation, and so is `:` with the
  run that follows it.
- A string is a key when the next token other than white space and comments
  is `:`, on the same text.
- After `\\u`, up to four hexadecimal digits belong to the escape, and when
  fewer follow, the next character is taken into the string whatever it is.
- A lone `/`, an unclosed string or comment, and any other character are
  errors.
"""

import re
from collections.abc import Iterator

from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Punctuation,
    String,
    Whitespace,
    _TokenType,
)

JsonToken = tuple[int, _TokenType, str]
"""Start offset, pygments token type and text, as pygments lexers yield them."""

# One alternative a token. The possessive quantifiers keep a string that never
# closes from backtracking, and make "\\u" take up to four hexadecimal digits
# and then any one character, as pygments does.
_TOKEN = re.compile(
    r"""
    (?P<whitespace>[ \n\r\t]+)
    | (?P<string>"(?:[^"\\]++|\\u(?:[0-9a-fA-F]{4}|[0-9a-fA-F]{0,3}+[\s\S])|\\[^u])*+")
    | (?P<constant>[tfn][truefalsn]*)
    | (?P<float>[-0-9]+[.eE+][-0-9.eE+]*)
    | (?P<integer>[-0-9]+)
    | (?P<punctuation>[:{}\[\],][{}\[\],]*)
    | (?P<line_comment>//[^\n]*)
    | (?P<block_comment>/\*[\s\S]*?\*/)
    | (?P<unclosed>["]|/\*)[\s\S]*
    | (?P<error>[\s\S])
    """,
    re.VERBOSE,
)

_TYPES_BY_NAME = {
    "whitespace": Whitespace,
    "string": String.Double,
    "constant": Keyword.Constant,
    "float": Number.Float,
    "integer": Number.Integer,
    "punctuation": Punctuation,
    "line_comment": Comment.Single,
    "block_comment": Comment.Multiline,
    "unclosed": Error,
    "error": Error,
}
_TYPES = [None] * (_TOKEN.groups + 1)
for _name, _index in _TOKEN.groupindex.items():
    _TYPES[_index] = _TYPES_BY_NAME[_name]

_KEEP_QUEUE = frozenset({Whitespace, Comment.Single, Comment.Multiline})
"""Tokens that may stand between a key and its ":" without deciding it."""


def json_tokens(text: str) -> Iterator[JsonToken]:
    """Yield the JSON tokens of `text`, as pygments' JsonLexer does."""
    # Strings wait here, with the white space and comments after them, until
    # the next token shows whether they are keys.
    waiting: list[JsonToken] = []
    types = _TYPES

    for match in _TOKEN.finditer(text):
        token = types[match.lastindex]  # type: ignore[index]
        if not waiting and token is not String.Double:
            yield match.start(), token, match.group()
            continue

        found = (match.start(), token, match.group())
        if token is String.Double or token in _KEEP_QUEUE:
            waiting.append(found)
            continue

        if token is Punctuation and found[2][0] == ":":
            for start, kind, value in waiting:
                yield start, Name.Tag if kind is String.Double else kind, value
        else:
            yield from waiting
        waiting.clear()
        yield found

    yield from waiting
