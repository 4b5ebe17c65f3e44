"""Columns for template problems, found from the lexer's tokens.

Jinja reports lines only. Lexing the template again gives every token with
its text, so adding up token lengths gives each token's column. Whitespace
control (`{{-`, `{%-`, `{#-`) would make the lexer drop the white space before
a tag, so it is turned into `+`, which has the same length and strips nothing.
"""

import re
from dataclasses import dataclass
from typing import Any

_STRIP_SIGN = re.compile(r"(\{[{%#])-")
_TAG_BEGINS = frozenset({"variable_begin", "block_begin"})


@dataclass(frozen=True, slots=True)
class PlacedToken:
    """One lexer token at a 1-based line and column of the template."""

    line: int
    column: int
    type: str
    text: str


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A `{{ ... }}` of the template: where it starts and its expression."""

    line: int
    column: int
    expression: str


class TemplatePositions:
    """The tokens of a template that lexes without error, with their positions."""

    def __init__(self, lexer: Any, source: str) -> None:
        self.tokens = _placed_tokens(lexer, source)

    def placeholders(self) -> list[Placeholder]:
        """List the `{{ ... }}` placeholders in template order."""
        found: list[Placeholder] = []
        start: PlacedToken | None = None
        parts: list[str] = []
        for token in self.tokens:
            if token.type == "variable_begin":
                start, parts = token, []
            elif token.type == "variable_end" and start is not None:
                expression = " ".join("".join(parts).split())
                found.append(Placeholder(start.line, start.column, expression))
                start = None
            elif start is not None:
                parts.append(token.text)
        return found

    def find_name(self, line: int, name: object) -> int | None:
        """Return the column of the first name or number token `name` on a line."""
        wanted = str(name)
        for token in self.tokens:
            if token.line > line:
                break
            if (
                token.line == line
                and token.type in ("name", "integer")
                and token.text == wanted
            ):
                return token.column
        return None

    def only_tag_on(self, line: int) -> int | None:
        """Return the column of the tag on a line when it contains exactly one."""
        columns = [
            token.column
            for token in self.tokens
            if token.line == line and token.type in _TAG_BEGINS
        ]
        return columns[0] if len(columns) == 1 else None


def _placed_tokens(lexer: Any, source: str) -> list[PlacedToken]:
    unstripped = _STRIP_SIGN.sub(r"\1+", source)
    tokens: list[PlacedToken] = []
    line, column = 1, 1
    for _, token_type, text in lexer.tokeniter(unstripped, None):
        tokens.append(PlacedToken(line, column, token_type, text))
        breaks = text.count("\n")
        if breaks:
            line += breaks
            column = len(text) - text.rfind("\n")
        else:
            column += len(text)
    return tokens


def position_of(source: str, index: int) -> tuple[int, int]:
    """Return the line and column of a character index in lexer-normalised text."""
    line = source.count("\n", 0, index) + 1
    column = index - (source.rfind("\n", 0, index) + 1) + 1
    return line, column


def normalise_newlines(source: str) -> str:
    """Return the text the lexer reads: every line break as `\\n`."""
    return re.sub(r"\r\n|\r", "\n", source)
