"""An XML lexer that can be run one line at a time, carrying its state stack."""

import logging
from typing import ClassVar

from pygments.lexer import ExtendedRegexLexer
from pygments.token import Comment, Name, Operator, String, Text, Whitespace

logger = logging.getLogger(__name__)


class XmlLineLexer(ExtendedRegexLexer):
    """XML lexer whose multi-line constructs are states, not single matches.

    A comment, CDATA section, processing instruction, declaration, tag or quoted
    attribute value that is still open at the end of a line leaves its state on
    the `LexerContext` stack, and lexing the next line with that stack continues
    it. Its token types are those of pygments' `XmlLexer`, plus `Operator` for the
    "=" between an attribute name and its value. No rule matches an empty string,
    and a character that no rule matches becomes an `Error` token without changing
    the state.
    """

    name = "XML (line by line)"
    aliases: ClassVar[list[str]] = []
    filenames: ClassVar[list[str]] = []
    mimetypes: ClassVar[list[str]] = []

    tokens: ClassVar[dict[str, list[tuple]]] = {
        "root": [
            (r"[^<&\s]+", Text),
            (r"\s+", Whitespace),
            (r"&(?:[\w.:-]+|#[0-9]+|#x[0-9a-fA-F]+);", Name.Entity),
            (r"<!\[CDATA\[", Comment.Preproc, "cdata"),
            (r"<!--", Comment.Multiline, "comment"),
            (r"<\?", Comment.Preproc, "processing_instruction"),
            (r"<!", Comment.Preproc, "declaration"),
            (r"<\s*/\s*[\w:.-]+", Name.Tag, "end_tag"),
            (r"<\s*[\w:.-]+", Name.Tag, "tag"),
        ],
        "comment": [
            (r"[^-]+", Comment.Multiline),
            (r"-->", Comment.Multiline, "#pop"),
            (r"-", Comment.Multiline),
        ],
        "cdata": [
            (r"[^\]]+", Comment.Preproc),
            (r"\]\]>", Comment.Preproc, "#pop"),
            (r"\]", Comment.Preproc),
        ],
        "processing_instruction": [
            (r"[^?]+", Comment.Preproc),
            (r"\?>", Comment.Preproc, "#pop"),
            (r"\?", Comment.Preproc),
        ],
        "declaration": [
            (r"[^>\[]+", Comment.Preproc),
            (r"\[", Comment.Preproc, "internal_subset"),
            (r">", Comment.Preproc, "#pop"),
        ],
        # The internal subset of a DOCTYPE declaration, between "[" and "]".
        "internal_subset": [
            (r"[^\]]+", Comment.Preproc),
            (r"\]", Comment.Preproc, "#pop"),
        ],
        "tag": [
            (r"\s+", Whitespace),
            (r"[\w.:-]+", Name.Attribute),
            (r"=", Operator, "attribute_value"),
            (r"/?>", Name.Tag, "#pop"),
        ],
        "attribute_value": [
            (r"\s+", Whitespace),
            (r'"', String, ("#pop", "double_quoted")),
            (r"'", String, ("#pop", "single_quoted")),
            (r"/?>", Name.Tag, ("#pop", "#pop")),
            (r"[^\s>\"']+", String, "#pop"),
        ],
        "double_quoted": [
            (r'[^"]+', String),
            (r'"', String, "#pop"),
        ],
        "single_quoted": [
            (r"[^']+", String),
            (r"'", String, "#pop"),
        ],
        "end_tag": [
            (r"\s+", Whitespace),
            (r">", Name.Tag, "#pop"),
        ],
    }
