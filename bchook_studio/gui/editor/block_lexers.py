"""Lexers that tokenise one text block (one line) at a time, carrying a state.

The highlighter lexes each `QTextBlock` on its own, starting from the state the
previous block ended in, so an edit re-lexes only the blocks whose text or starting
state changed. A state is any hashable value; the highlighter interns it.
"""

import logging
from collections.abc import Hashable
from typing import Protocol

from pygments.token import Comment, Error, _TokenType

from bchook_studio.gui.editor.json_lexer import json_tokens
from bchook_studio.gui.editor.lexers import JSON, XML, check_language, make_lexer

logger = logging.getLogger(__name__)

# One token of a block: start and length in code points, and its pygments type.
TokenSpan = tuple[int, int, _TokenType]


class BlockLexer(Protocol):
    """A lexer for one block of text at a time."""

    initial_state: Hashable
    """The state at the start of the document."""

    def lex(self, text: str, state: Hashable) -> tuple[list[TokenSpan], Hashable]:
        """Tokenise `text` from `state` and return its tokens and end state."""
        ...


class PlainBlockLexer:
    """The lexer for plain text: no tokens and a single state."""

    initial_state: Hashable = None

    def lex(self, text: str, state: Hashable) -> tuple[list[TokenSpan], Hashable]:
        return [], state


class JsonBlockLexer:
    """The tokens of pygments' `JsonLexer` for one line, `/* … */` comments carried.

    JSON strings cannot contain a line break, so apart from comments (which
    pygments accepts although JSON has none) a line lexes the same on its own as
    inside the document.
    NOTE: a key whose ":" is on the next line is coloured as a string value,
    because pygments recognises a key by the ":" that follows it on the line.
    """

    OUTSIDE_COMMENT = 0
    INSIDE_COMMENT = 1
    initial_state: Hashable = OUTSIDE_COMMENT

    def lex(self, text: str, state: Hashable) -> tuple[list[TokenSpan], Hashable]:
        spans: list[TokenSpan] = []
        offset = 0

        # Finish a comment that an earlier line opened.
        if state == self.INSIDE_COMMENT:
            end = text.find("*/")
            if end < 0:
                if text:
                    spans.append((0, len(text), Comment.Multiline))
                return spans, self.INSIDE_COMMENT
            offset = end + 2
            spans.append((0, offset, Comment.Multiline))

        rest = text[offset:] if offset else text
        last_value = ""
        for start, token, value in json_tokens(rest):
            spans.append((start + offset, len(value), token))
            last_value = value

        # Pygments marks a comment left open at the end of its input as an error.
        if spans and spans[-1][2] is Error and last_value.startswith("/*"):
            start, length, _token = spans[-1]
            spans[-1] = (start, length, Comment.Multiline)
            return spans, self.INSIDE_COMMENT
        return spans, self.OUTSIDE_COMMENT


class XmlBlockLexer:
    """`XmlLineLexer` run on one line. The state is its stack of lexer states."""

    initial_state: Hashable = ("root",)

    def __init__(self) -> None:
        # Imported here, so that a start that shows JSON never loads pygments'
        # lexer module.
        from pygments.lexer import LexerContext

        self._lexer = make_lexer(XML)
        self._context = LexerContext

    def lex(self, text: str, state: Hashable) -> tuple[list[TokenSpan], Hashable]:
        context = self._context(text, 0, stack=list(state))
        spans = [
            (start, len(value), token)
            for start, token, value in self._lexer.get_tokens_unprocessed(
                context=context
            )
        ]
        return spans, tuple(context.stack)


def make_block_lexer(language: str) -> BlockLexer:
    """Create the block lexer for "json", "xml" or "text".

    Raises ValueError for any other language.
    """
    check_language(language)
    if language == JSON:
        return JsonBlockLexer()
    if language == XML:
        return XmlBlockLexer()
    return PlainBlockLexer()
