"""Languages from Content-Type values, and the line-by-line lexers."""

import pytest
from pygments.lexers.data import JsonLexer
from pygments.lexers.special import TextLexer
from pygments.token import Comment, Error, Name, Number, String

from bchook_studio.gui.editor.block_lexers import (
    JsonBlockLexer,
    XmlBlockLexer,
    make_block_lexer,
)
from bchook_studio.gui.editor.lexers import language_for_content_type, make_lexer
from bchook_studio.gui.editor.template_tags import OUTSIDE_TAG, find_template_tags
from bchook_studio.gui.editor.xml_lexer import XmlLineLexer


@pytest.mark.parametrize(
    ("content_type", "language"),
    [
        ("application/json", "json"),
        ("application/json; charset=utf-8", "json"),
        ("Application/JSON ; charset=UTF-8", "json"),
        ("application/vnd.example+json", "json"),
        ("application/problem+json", "json"),
        ("application/ld+json", "json"),
        ("text/json", "json"),
        ("application/x-ndjson", "json"),
        ("text/xml", "xml"),
        ("text/xml; charset=iso-8859-1", "xml"),
        ("application/xml", "xml"),
        ("application/atom+xml", "xml"),
        ("application/soap+xml; charset=utf-8", "xml"),
        ("image/svg+xml", "xml"),
        ("text/html; charset=utf-8", "text"),
        ("text/plain", "text"),
        ("application/javascript", "text"),
        ("application/octet-stream", "text"),
        ("application/x-www-form-urlencoded", "text"),
        ("", "text"),
        ("   ", "text"),
        (";charset=utf-8", "text"),
        ("not a media type", "text"),
    ],
)
def test_language_for_content_type(content_type, language):
    assert language_for_content_type(content_type) == language


def test_make_lexer_types():
    assert isinstance(make_lexer("json"), JsonLexer)
    assert isinstance(make_lexer("xml"), XmlLineLexer)
    assert isinstance(make_lexer("text"), TextLexer)


def test_make_lexer_keeps_newlines():
    lexer = make_lexer("json")
    assert lexer.stripnl is False
    assert lexer.ensurenl is False


def test_make_lexer_unknown_language():
    with pytest.raises(ValueError, match=r"'yaml'.*json, xml, text"):
        make_lexer("yaml")


def test_make_block_lexer_unknown_language():
    with pytest.raises(ValueError, match="'html'"):
        make_block_lexer("html")


def _tokens_at(spans, text):
    """Map each token's text to its token type."""
    return {text[start : start + length]: token for start, length, token in spans}


def test_json_line_key_value_number():
    text = '  "name": "Ann", "age": 31,'
    spans, state = JsonBlockLexer().lex(text, JsonBlockLexer.initial_state)
    tokens = _tokens_at(spans, text)
    assert tokens['"name"'] is Name.Tag
    assert tokens['"Ann"'] is String.Double
    assert tokens['"age"'] is Name.Tag
    assert tokens["31"] is Number.Integer
    assert state == JsonBlockLexer.OUTSIDE_COMMENT


def test_json_line_value_string_without_colon():
    text = '  "only a value",'
    spans, _state = JsonBlockLexer().lex(text, JsonBlockLexer.initial_state)
    assert _tokens_at(spans, text)['"only a value"'] is String.Double


def test_json_comment_carried_across_lines():
    lexer = JsonBlockLexer()
    spans, state = lexer.lex('"a": 1, /* open', lexer.initial_state)
    assert spans[-1][2] is Comment.Multiline
    assert state == JsonBlockLexer.INSIDE_COMMENT

    spans, state = lexer.lex("still comment", state)
    assert spans == [(0, 13, Comment.Multiline)]
    assert state == JsonBlockLexer.INSIDE_COMMENT

    text = 'end */ "b": 2'
    spans, state = lexer.lex(text, state)
    assert spans[0] == (0, 6, Comment.Multiline)
    assert _tokens_at(spans, text)['"b"'] is Name.Tag
    assert state == JsonBlockLexer.OUTSIDE_COMMENT


def test_json_unterminated_string_is_error():
    text = '"open'
    spans, state = JsonBlockLexer().lex(text, JsonBlockLexer.initial_state)
    assert spans[-1][2] is Error
    assert state == JsonBlockLexer.OUTSIDE_COMMENT


def test_xml_line_tokens():
    text = '<id type="number">12</id> &amp;'
    spans, state = XmlBlockLexer().lex(text, XmlBlockLexer.initial_state)
    tokens = _tokens_at(spans, text)
    assert tokens["<id"] is Name.Tag
    assert tokens["type"] is Name.Attribute
    assert tokens['"'] is String
    assert tokens["number"] is String
    assert tokens["</id"] is Name.Tag
    assert tokens["&amp;"] is Name.Entity
    assert state == ("root",)


@pytest.mark.parametrize(
    ("first_line", "second_line", "open_state", "second_token"),
    [
        ("<!-- open", "still -->", "comment", Comment.Multiline),
        ("<![CDATA[ raw", "more ]]>", "cdata", Comment.Preproc),
        ("<?xml version='1.0'", "?>", "processing_instruction", Comment.Preproc),
        ('<a href="one', 'two">', "double_quoted", String),
        ("<a href='one", "two'>", "single_quoted", String),
        ("<a", "b='1'>", "tag", Name.Attribute),
        ("<!DOCTYPE a [", "<!ENTITY x 'y'>]>", "internal_subset", Comment.Preproc),
    ],
)
def test_xml_state_carried(first_line, second_line, open_state, second_token):
    lexer = XmlBlockLexer()
    _spans, state = lexer.lex(first_line, lexer.initial_state)
    assert state[-1] == open_state

    spans, state = lexer.lex(second_line, state)
    assert spans[0][2] is second_token
    assert state == ("root",)


def test_xml_empty_line_keeps_state():
    lexer = XmlBlockLexer()
    spans, state = lexer.lex("", ("root", "comment"))
    assert spans == []
    assert state == ("root", "comment")


def test_xml_unmatched_character_keeps_state():
    lexer = XmlBlockLexer()
    spans, state = lexer.lex('"', ("root", "tag"))
    assert spans == [(0, 1, Error)]
    assert state == ("root", "tag")


def test_template_tags_in_line():
    text = '"a": "{{ name }}", {% if x %}{# note #}'
    spans, closer = find_template_tags(text, OUTSIDE_TAG)
    assert [text[start:end] for start, end in spans] == [
        "{{ name }}",
        "{% if x %}",
        "{# note #}",
    ]
    assert closer == OUTSIDE_TAG


def test_template_tag_across_lines():
    spans, closer = find_template_tags("x {% if", OUTSIDE_TAG)
    assert spans == [(2, 7)]
    assert closer == "%}"

    spans, closer = find_template_tags("  a and b", closer)
    assert spans == [(0, 9)]
    assert closer == "%}"

    spans, closer = find_template_tags(" %} tail {{ y }}", closer)
    assert spans == [(0, 3), (9, 16)]
    assert closer == OUTSIDE_TAG


def test_template_comment_ignores_other_closers():
    text = "{# }} %} #} {{ z }}"
    spans, _closer = find_template_tags(text, OUTSIDE_TAG)
    assert [text[start:end] for start, end in spans] == ["{# }} %} #}", "{{ z }}"]


def test_no_template_tags():
    spans, closer = find_template_tags("{ not a tag } {", OUTSIDE_TAG)
    assert spans == []
    assert closer == OUTSIDE_TAG
