"""Collect the pygments lexers the app can reach, and no formatters or styles.

PyInstaller's own pygments hook collects every lexer, formatter and style.
The app highlights with lexer classes it imports by name (found by the usual
import analysis) and calls `pygments.lexers.get_lexer_for_mimetype` for a
response's Content-Type. That function scans the registry in
`pygments.lexers._mapping` and imports the module of the first lexer that
lists the media type, so every module with a lexer that lists a media type
must be in the bundle. Lexers without media types are reached only by name,
alias or file name, which the app does not do.

NOTE: a new call to `get_lexer_by_name`, `get_lexer_for_filename` or
`guess_lexer` in the app needs the whole registry: use collect_submodules
("pygments.lexers") here then.
"""

from pygments.lexers._mapping import LEXERS

hiddenimports = sorted(
    {
        module
        for module, _name, _aliases, _files, mimetypes in LEXERS.values()
        if mimetypes
    }
)
