"""The editor's languages, picked from a Content-Type, and their pygments lexers.

Pygments is imported inside the functions, so importing this module stays cheap.
The language names and the Content-Type lookup live in core, which the response
view's worker process shares; they are imported here for the editor.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bchook_studio.core.content_types import (
    JSON,
    LANGUAGES,
    TEXT,
    XML,
    language_for_content_type,
)

if TYPE_CHECKING:
    from pygments.lexer import Lexer

logger = logging.getLogger(__name__)

__all__ = [
    "JSON",
    "LANGUAGES",
    "TEXT",
    "XML",
    "check_language",
    "language_for_content_type",
    "make_lexer",
]


def check_language(language: str) -> str:
    """Return `language` unchanged, or raise ValueError if it is not in LANGUAGES."""
    if language not in LANGUAGES:
        raise ValueError(
            f"Invalid editor language {language!r}: use one of {', '.join(LANGUAGES)}."
        )
    return language


def make_lexer(language: str) -> Lexer:
    """Create the pygments lexer that highlights `language`.

    JSON uses pygments' own `JsonLexer`. XML uses `XmlLineLexer`, an
    `ExtendedRegexLexer` whose comments, CDATA sections and attribute values are
    states, so that lexing one line at a time can carry them to the next line.
    Pygments' `XmlLexer` matches each of those with a single regular expression and
    so loses them at a line break. "text" gets pygments' `TextLexer`.

    Raises ValueError for a language not in LANGUAGES.
    """
    check_language(language)
    options = {"stripnl": False, "ensurenl": False}
    if language == JSON:
        from pygments.lexers.data import JsonLexer

        return JsonLexer(**options)
    if language == XML:
        from bchook_studio.gui.editor.xml_lexer import XmlLineLexer

        return XmlLineLexer(**options)
    from pygments.lexers.special import TextLexer

    return TextLexer(**options)
