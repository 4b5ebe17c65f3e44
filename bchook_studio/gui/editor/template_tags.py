"""Template tag (`{{ … }}`, `{% … %}`, `{# … #}`) spans, found one line at a time."""

import logging
import re

logger = logging.getLogger(__name__)

_OPENER = re.compile(r"\{[{%#]")
_CLOSERS: dict[str, str] = {"{{": "}}", "{%": "%}", "{#": "#}"}

# The state between lines: "" outside any tag, else the closer of the open tag.
OUTSIDE_TAG = ""


def find_template_tags(text: str, closer: str) -> tuple[list[tuple[int, int]], str]:
    """Return the (start, end) spans of template tags in one line, and the end state.

    `closer` is the state the line starts in: OUTSIDE_TAG, or the closer ("}}",
    "%}" or "#}") of a tag that an earlier line opened, so that a tag spanning
    lines is found on each of them. Spans count code points; `end` is exclusive.
    Quotes inside a tag are not parsed, so a "}}" inside a string ends the tag.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    start = 0
    while position <= len(text):
        if closer:
            end = text.find(closer, position)
            if end < 0:
                if start < len(text):
                    spans.append((start, len(text)))
                return spans, closer
            position = end + len(closer)
            spans.append((start, position))
            closer = OUTSIDE_TAG
            continue

        match = _OPENER.search(text, position)
        if match is None:
            break
        start = match.start()
        closer = _CLOSERS[match.group()]
        position = match.end()
    return spans, OUTSIDE_TAG
