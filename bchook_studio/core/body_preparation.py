"""Turn a response body into what a view shows: text, lines, language, notices.

`prepare_body` is pure, and its arguments and result pickle. A view runs it
inline for a small body and in a worker process (bchook_studio.core.workers) for
a large one, and both give the same result for the same input.
"""

import logging
from dataclasses import dataclass

from bchook_studio.core.caps import SizeCaps, format_size
from bchook_studio.core.content_types import JSON, TEXT, XML, language_for_content_type
from bchook_studio.core.display_text import (
    HEX_DUMP_MAX_BYTES,
    hex_dump,
    pretty_for_display,
)
from bchook_studio.core.line_index import LineIndex
from bchook_studio.core.text_decoding import decode_body

logger = logging.getLogger(__name__)

# Bodies up to this size are prepared on the calling (GUI) thread. Preparing
# 128 KiB of one-line JSON took about 12 ms, and 256 KiB about 25 ms, on a
# 2-core x86-64 VM with Python 3.11; the view then needs about 10 ms to show it.
INLINE_LIMIT = 128 * 1024


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
    """Bytes of the body that went into `text`, at most the display cap."""

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
        """True when the body is over the display cap and `text` shows its start."""
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
    first bytes. JSON and XML that do not parse are shown as received, with a
    notice giving the reason. Pass `truncated` for a body that is only the start
    of a longer one, such as a body cut at the capture cap. Such a body is not
    pretty-printed, because an incomplete document does not parse.
    """
    displayed = body[: caps.display]
    decoded = decode_body(displayed, content_type)
    if decoded.is_binary:
        text = hex_dump(displayed)
        notices = _present(decoded.notice)
        if len(displayed) > HEX_DUMP_MAX_BYTES:
            notices += (
                f"The hex dump shows the first {format_size(HEX_DUMP_MAX_BYTES)} "
                f"of {format_size(len(body))}. "
                "Save body… writes the bytes as received.",
            )
        return PreparedBody(
            text=text,
            lines=LineIndex.partial(text),
            language=TEXT,
            body_size=len(body),
            shown_size=len(displayed),
            is_binary=True,
            media_type=decoded.media_type,
            notices=notices,
        )

    text = decoded.text or ""
    language = language_for_content_type(content_type or "")
    notices = list(_present(decoded.notice))
    reformatted = False
    blank = not text or text.isspace()
    if pretty and language in (JSON, XML) and not blank:
        if truncated or len(displayed) < len(body):
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
        notice = _not_well_formed_notice(text, language)
    return text, False, notice


def _not_well_formed_notice(text: str, language: str) -> str | None:
    from bchook_studio.core.formats import BodyFormat

    problem = BodyFormat(language).check(text)
    if problem is None:
        return None
    position = f"line {problem.line}"
    if problem.column is not None:
        position += f", column {problem.column}"
    return (
        f"Shown as received, because the body is not well-formed "
        f"{language.upper()}: {position}: {problem.message}."
    )


def _present(notice: str | None) -> tuple[str, ...]:
    return (notice,) if notice else ()
