"""The display language of a body, picked from its Content-Type header.

Pygments is imported inside the functions, so importing this module stays cheap.
"""

import logging
from functools import lru_cache

logger = logging.getLogger(__name__)

JSON = "json"
XML = "xml"
TEXT = "text"
LANGUAGES: tuple[str, ...] = (JSON, XML, TEXT)

# Media types in common use that pygments 2.21 does not list for its JSON lexer.
_EXTRA_MIMETYPES: dict[str, str] = {
    "text/json": JSON,
    "text/x-json": JSON,
    "application/x-json": JSON,
}


def language_for_content_type(content_type: str) -> str:
    """Return "json", "xml" or "text" for a Content-Type header value.

    Parameters such as `; charset=utf-8` and letter case are ignored. A `+json` or
    `+xml` structured syntax suffix (RFC 6839) decides first, then the media types
    pygments lists for its JSON and XML lexers.
    """
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if mimetype.endswith("+json"):
        return JSON
    if mimetype.endswith("+xml"):
        return XML
    return _language_for_mimetype(mimetype)


@lru_cache(maxsize=128)
def _language_for_mimetype(mimetype: str) -> str:
    if mimetype in _EXTRA_MIMETYPES:
        return _EXTRA_MIMETYPES[mimetype]
    if not mimetype:
        return TEXT

    from pygments.lexers import get_lexer_for_mimetype
    from pygments.lexers.data import JsonLexer
    from pygments.lexers.html import XmlLexer
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_for_mimetype(mimetype)
    except ClassNotFound:
        return TEXT
    if isinstance(lexer, JsonLexer):
        return JSON
    if isinstance(lexer, XmlLexer):
        return XML
    return TEXT
