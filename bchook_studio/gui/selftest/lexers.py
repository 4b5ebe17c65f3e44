"""Check that the editor's lexers load, as a frozen bundle must ship them.

Pygments finds lexers through a registry of module names and imports them on
demand, which freezers cannot see, so the checks go through the same calls as
the editor: its line lexers, and the registry lookup of the response view.
"""

from bchook_studio.core.content_types import JSON, XML, language_for_content_type
from bchook_studio.core.selftest.cases import CheckFailed
from bchook_studio.gui.editor.block_lexers import make_block_lexer

SAMPLES: dict[str, str] = {
    JSON: '{"id": 1, "ok": true, "name": "Ünïcode", "tags": [null, 2.5]}\n',
    XML: '<?xml version="1.0"?>\n<webhook><id type="number">1</id></webhook>\n',
}

_REBUILD = "The app bundle is missing a pygments module; reinstall the app."


def check_lexer(language: str) -> str:
    """Create the editor's line lexer for `language` and lex a small sample."""
    from pygments.token import Error

    try:
        lexer = make_block_lexer(language)
    except ImportError as exc:
        raise CheckFailed(
            f"the {language.upper()} lexer cannot be loaded: {exc}. {_REBUILD}"
        ) from None

    state = lexer.initial_state
    errors = []
    for line in SAMPLES[language].splitlines():
        spans, state = lexer.lex(line, state)
        errors += [
            line[start : start + length]
            for start, length, token in spans
            if token in Error
        ]
    if errors:
        raise CheckFailed(
            f"{type(lexer).__name__} marked {errors[:3]!r} in a well-formed "
            f"{language.upper()} sample as errors"
        )
    return f"{type(lexer).__name__} from {type(lexer).__module__}"


def check_lexer_registry() -> str:
    """Look lexers up by media type, as the response view does for Content-Type."""
    from pygments.lexers import get_lexer_for_mimetype
    from pygments.util import ClassNotFound

    found = []
    for mimetype, language in (("application/json", JSON), ("application/xml", XML)):
        try:
            lexer = get_lexer_for_mimetype(mimetype)
            chosen = language_for_content_type(f"{mimetype}; charset=utf-8")
        except (ImportError, ClassNotFound) as exc:
            raise CheckFailed(
                f"pygments finds no lexer for {mimetype}: {exc}. {_REBUILD}"
            ) from None
        if chosen != language:
            raise CheckFailed(
                f"the editor picks {chosen!r} for {mimetype}, expected {language!r}"
            )
        found.append(f"{mimetype} -> {type(lexer).__name__}")
    return ", ".join(found)
