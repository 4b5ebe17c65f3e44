"""Turn a response body into what a view shows: text, lines, language, notices.

`prepare_body` is pure, and its arguments and result pickle. A view runs it
inline for a small body and in a worker process (bchook_studio.core.workers) for
a large one, and both give the same result for the same input.
"""

import logging
import re
from dataclasses import dataclass

from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.content_types import JSON, TEXT, XML, language_for_content_type
from bchook_studio.core.display_text import (
    HEX_DUMP_MAX_BYTES,
    hex_dump,
    pretty_for_display,
)
from bchook_studio.core.line_index import LineIndex
from bchook_studio.core.text_decoding import DecodedBody, decode_body

logger = logging.getLogger(__name__)

# Bodies up to this size are prepared on the calling (GUI) thread. Preparing
# 128 KiB of one-line JSON took about 12 ms on one 2-core x86-64 VM with Python
# 3.11, but 112 KiB stalled the window for 82 ms on a slower VM under load, and
# deeply nested JSON takes longer per byte. The view then needs about 10 ms.
INLINE_LIMIT = 32 * 1024


@dataclass(frozen=True)
class PreparedBody:
    """A response body ready for a view, and the notices the view shows with it."""

    text: str
    """The text to show: the decoded body, pretty-printed or not, or a hex dump."""

    lines: LineIndex
    """The line starts of `text`, indexed at least for its first lines."""

    language: str
    """The language to colour `text` as: "json", "xml", or "text" for no colours."""

    body_size: int
    """Bytes of the body handed in."""

    shown_size: int
    """Bytes of the body that went into `text`: at most the display cap, or the
    hex dump's limit for a binary body."""

    is_binary: bool = False
    """True when `text` is a hex dump of a body that is not text."""

    media_type: str = ""
    charset: str = ""
    """The charset used to decode the body, or '' for a binary body."""

    charset_source: str = ""
    """The source of the charset: header, bom, declaration, json or detected."""

    pretty: bool = False
    """True when `text` is the body reformatted with indentation."""

    highlight_capped: bool = False
    """True when the body is over the highlight cap, so `language` is "text"."""

    notices: tuple[str, ...] = ()
    """Warnings for the user, such as why the body is not pretty-printed."""

    @property
    def display_capped(self) -> bool:
        """True when `text` shows only the start of the body: the body is over
        the display cap, or it is binary and over the hex dump's limit."""
        return self.shown_size < self.body_size


def prepare_body(
    body: bytes,
    content_type: str | None,
    pretty: bool,
    caps: SizeCaps,
    truncated: bool = False,
) -> PreparedBody:
    """Decode, pretty-print when asked and possible, and index `body` for a view.

    The body is cut at `caps.display` first. Above `caps.highlight` bytes, or for
    a binary body, the language is "text". A binary body becomes a hex dump of its
    first bytes. Bytes that are invalid in the charset show as U+FFFD, with a
    notice giving their count. JSON and XML that do not parse are shown as
    received, with a notice giving the reason. Pass `truncated` for a body that
    is only the start of a longer one, such as a body cut at the capture cap.
    Such a body is not pretty-printed, because an incomplete document does not
    parse.
    """
    displayed = body[: caps.display]
    partial = truncated or len(displayed) < len(body)
    decoded = decode_body(displayed, content_type, partial=partial)
    if decoded.is_binary:
        # The dump reads only its first bytes, and its last line counts the
        # bytes after them in the whole body, not in the displayed part.
        text = hex_dump(body)
        return PreparedBody(
            text=text,
            lines=LineIndex.partial(text),
            language=TEXT,
            body_size=len(body),
            shown_size=min(len(body), HEX_DUMP_MAX_BYTES),
            is_binary=True,
            media_type=decoded.media_type,
            notices=_present(decoded.notice),
        )

    text = decoded.text or ""
    language = language_for_content_type(content_type or "")
    notices = list(_present(decoded.notice))
    notices.extend(_present(_replaced_notice(decoded)))
    if not (content_type or "").strip() and not partial:
        sniffed = _sniffed_language(text)
        if sniffed is not None:
            language = sniffed
            notices.append(
                f"No Content-Type, so the body is shown as the {sniffed.upper()} it is."
            )
    reformatted = False
    blank = not text or text.isspace()
    if pretty and language in (JSON, XML) and not blank:
        if partial:
            notices.append(
                "Not pretty-printed, because only the start of the document is shown."
            )
        else:
            text, reformatted, notice = _pretty_text(text, language)
            notices.extend(_present(notice))

    highlight_capped = language != TEXT and len(displayed) > caps.highlight
    return PreparedBody(
        text=text,
        lines=LineIndex.partial(text),
        language=TEXT if highlight_capped else language,
        body_size=len(body),
        shown_size=len(displayed),
        media_type=decoded.media_type,
        charset=decoded.charset,
        charset_source=decoded.charset_source,
        pretty=reformatted,
        highlight_capped=highlight_capped,
        notices=tuple(notices),
    )


_HTML_START = re.compile(r"<(!doctype\s+html|html)[\s>]", re.IGNORECASE)
"""The start of an HTML page, which stays text even when it is well-formed XML."""


def _sniffed_language(text: str) -> str | None:
    """Return JSON or XML for a body without Content-Type that parses as one.

    Only text whose first 4 KiB start with `{` or `[` (JSON) or `<` (XML) after
    white space is parsed, and an HTML page is not taken for XML. Other text
    returns None.
    """
    from bchook_studio.core.formats import BodyFormat

    start = text[:4096].lstrip()
    first = start[:1]
    if first in ("{", "["):
        language = JSON
    elif first == "<" and not _HTML_START.match(start):
        language = XML
    else:
        return None
    if BodyFormat(language).check(text) is not None:
        return None
    return language


def _pretty_text(text: str, language: str) -> tuple[str, bool, str | None]:
    """Return the text to show, whether it was reformatted, and a notice or None."""
    display = pretty_for_display(text, language)
    # pretty_for_display returned a plain str before it returned DisplayText.
    if isinstance(display, str):
        pretty, notice = display, None
    else:
        pretty, notice = display.text, display.notice

    # Reformatting always builds a new string, so the same object means the
    # text did not parse.
    if pretty is not text:
        return pretty, True, notice
    if notice is None:
        notice = _not_parsed_notice(text, language)
    return text, False, notice


def _not_parsed_notice(text: str, language: str) -> str | None:
    """Return why `text` did not parse: a syntax problem or a parser limit."""
    from bchook_studio.core.formats import BodyFormat, ParserLimit

    problem = BodyFormat(language).check(text)
    if problem is None:
        return None

    name = language.upper()
    if problem.limit is ParserLimit.DEPTH:
        reason = f"the {name} is nested too deeply to pretty-print"
    elif problem.limit is ParserLimit.SIZE:
        reason = f"the {name} is too large to pretty-print"
    else:
        reason = f"the body is not well-formed {name}"

    position = f"line {problem.line}"
    if problem.column is not None:
        position += f", column {problem.column}"
    return f"Shown as received, because {reason}: {position}: {problem.message}."


def _replaced_notice(decoded: DecodedBody) -> str | None:
    """Return a warning about bytes that did not decode, or None when all did."""
    count = decoded.replaced
    if count == 0:
        return None

    sequences = "1 byte sequence is" if count == 1 else f"{count:,} byte sequences are"
    show = "shows" if count == 1 else "show"
    save = "Save body… writes the bytes as received."
    if decoded.charset_source == "json":
        return (
            "The body was decoded as UTF-8, the charset of JSON without a charset "
            f"parameter, but {sequences} not valid UTF-8 and {show} as � (U+FFFD). "
            "The server may have sent another charset without declaring it. "
            f"{save}"
        )
    return f"{sequences} not valid {decoded.charset} and {show} as � (U+FFFD). {save}"


def _present(notice: str | None) -> tuple[str, ...]:
    return (notice,) if notice else ()
