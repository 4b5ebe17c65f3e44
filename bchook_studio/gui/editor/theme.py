"""Colours of the code editor: token formats for a light background, and chrome.

Every token colour has a contrast ratio of at least 4.5:1 (WCAG AA for normal
text) on the background, the current line and a problem line, and so do the gutter
numbers on the gutter. Selected text is drawn in FOREGROUND.
"""

import logging

from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Token,
    _TokenType,
)
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QTextCharFormat

logger = logging.getLogger(__name__)

BACKGROUND = QColor("#ffffff")
FOREGROUND = QColor("#1f2328")
SELECTION = QColor("#b6d7ff")
CURRENT_LINE = QColor("#f3f7fc")
GUTTER_BACKGROUND = QColor("#f6f8fa")
GUTTER_BORDER = QColor("#d8dee4")
GUTTER_NUMBER = QColor("#656d76")
GUTTER_CURRENT_NUMBER = QColor("#1f2328")
PROBLEM = QColor("#cf222e")
PROBLEM_LINE = QColor("#fff0ee")

# Foreground colour, bold, italic: per token type. A subtype without an entry
# takes the entry of its nearest ancestor; Text and Whitespace have none.
_STYLES: dict[_TokenType, tuple[str, bool, bool]] = {
    Name.Tag: ("#0550ae", False, False),  # JSON keys, XML tags
    Name.Attribute: ("#8250df", False, False),
    Name.Entity: ("#953800", False, False),
    String: ("#116329", False, False),
    Number: ("#953800", False, False),
    Keyword: ("#cf222e", False, False),
    Keyword.Constant: ("#6639ba", True, False),  # true, false, null
    Comment: ("#656d76", False, True),
    Comment.Preproc: ("#57606a", False, False),  # XML declaration, CDATA, DOCTYPE
    Punctuation: ("#57606a", False, False),
    Operator: ("#57606a", False, False),
    Error: ("#cf222e", False, False),
}

_TEMPLATE_FOREGROUND = "#7d4e00"
_TEMPLATE_BACKGROUND = "#fff1c7"

_INVISIBLE_BACKGROUND = "#ffc9c9"
_INVISIBLE_SPACING = 5.0
"""Pixels of room after an invisible character, so that its box shows."""

_formats: dict[_TokenType, QTextCharFormat | None] = {}
_template_format: QTextCharFormat | None = None
_invisible_format: QTextCharFormat | None = None


def format_for_token(token: _TokenType) -> QTextCharFormat | None:
    """Return the shared character format of a pygments token type.

    Returns None for a type that keeps the editor's plain text colour. Formats are
    built once per token type and cached, so callers must not change them.
    """
    if token in _formats:
        return _formats[token]

    styled = token
    while styled is not Token and styled not in _STYLES:
        styled = styled.parent
    text_format = _build_format(*_STYLES[styled]) if styled in _STYLES else None
    _formats[token] = text_format
    return text_format


def template_format() -> QTextCharFormat:
    """Return the shared format of template tags such as `{{ name }}`."""
    global _template_format
    if _template_format is None:
        _template_format = _build_format(_TEMPLATE_FOREGROUND, True, False)
        _template_format.setBackground(QColor(_TEMPLATE_BACKGROUND))
    return _template_format


def invisible_format() -> QTextCharFormat:
    """Return the shared format that makes an invisible character show as a box.

    Zero-width characters take no room, so the format adds letter spacing after
    the character, and the background colours that gap.
    """
    global _invisible_format
    if _invisible_format is None:
        _invisible_format = QTextCharFormat()
        _invisible_format.setBackground(QColor(_INVISIBLE_BACKGROUND))
        _invisible_format.setUnderlineStyle(
            QTextCharFormat.UnderlineStyle.SingleUnderline
        )
        _invisible_format.setUnderlineColor(PROBLEM)
        _invisible_format.setFontLetterSpacingType(QFont.SpacingType.AbsoluteSpacing)
        _invisible_format.setFontLetterSpacing(_INVISIBLE_SPACING)
    return _invisible_format


def _build_format(color: str, bold: bool, italic: bool) -> QTextCharFormat:
    text_format = QTextCharFormat()
    text_format.setForeground(QColor(color))
    if bold:
        text_format.setFontWeight(QFont.Weight.Bold)
    if italic:
        text_format.setFontItalic(True)
    return text_format


_MONOSPACE_FALLBACKS = (
    "DejaVu Sans Mono",
    "Liberation Mono",
    "Noto Sans Mono",
    "Menlo",
    "Consolas",
    "Courier New",
    "Monospace",
)


def _is_monospaced(font: QFont) -> bool:
    """True when narrow and wide characters advance by the same width.

    QFontInfo.fixedPitch() is unreliable: it reports False for some genuinely
    monospaced fonts, Noto Sans Mono among them, so the metrics decide.
    """
    metrics = QFontMetrics(font)
    return metrics.horizontalAdvance("i") == metrics.horizontalAdvance("M")


def editor_font() -> QFont:
    """Return the system's fixed-width font, or the first monospaced fallback found."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if _is_monospaced(font):
        return font
    for family in _MONOSPACE_FALLBACKS:
        candidate = QFont(family, font.pointSize())
        candidate.setStyleHint(QFont.StyleHint.TypeWriter)
        if _is_monospaced(candidate):
            return candidate
    return font
