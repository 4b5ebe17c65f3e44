"""The preview's status line, such as "Rendered 1.2 KB in 3 ms · well-formed JSON"."""

import logging

from PySide6.QtCore import QCoreApplication

from bchook_studio.core.caps import format_size
from bchook_studio.core.formats import BodyFormat, ParserLimit
from bchook_studio.core.templates import ProblemKind, RenderResult
from bchook_studio.core.webhook import BodyMode

logger = logging.getLogger(__name__)

OK_COLOUR = "#1e7e34"
PROBLEM_COLOUR = "#b02a37"
NEUTRAL_COLOUR = "#57606a"


def _translate(text: str) -> str:
    return QCoreApplication.translate("TemplateDesigner", text)


def render_status(
    result: RenderResult,
    mode: BodyMode,
    body_format: BodyFormat,
    *,
    preview_has_text: bool,
) -> tuple[str, str]:
    """Return the status line for a render and its colour as "#rrggbb".

    `preview_has_text` is True when the preview still shows an earlier body,
    which a failed render leaves in place.
    """
    if result.text is None:
        return _failure_status(result, preview_has_text), PROBLEM_COLOUR

    size = format_size(len(result.text.encode("utf-8")))
    if mode is BodyMode.RAW:
        head = _translate("Raw body, %1, sent as typed").replace("%1", size)
    else:
        milliseconds = result.elapsed * 1000
        duration = "<1" if milliseconds < 1 else f"{milliseconds:.0f}"
        head = (
            _translate("Rendered %1 in %2 ms")
            .replace("%1", size)
            .replace("%2", duration)
        )

    kind = body_format.value.upper()
    malformed = next(
        (item for item in result.problems if item.kind is ProblemKind.MALFORMED_BODY),
        None,
    )
    if malformed is None:
        tail = _translate("well-formed %1").replace("%1", kind)
        return f"{head} · {tail}", OK_COLOUR

    # A body over a parser limit was not read to the end, so it may be well
    # formed. The status calls it not checked and uses the neutral colour.
    if malformed.limit is ParserLimit.DEPTH:
        tail = _translate("%1 nested too deeply to check").replace("%1", kind)
        colour = NEUTRAL_COLOUR
    elif malformed.limit is ParserLimit.SIZE:
        tail = _translate("%1 too large to check").replace("%1", kind)
        colour = NEUTRAL_COLOUR
    else:
        tail = _translate("not well-formed %1").replace("%1", kind)
        colour = PROBLEM_COLOUR

    where = position_text(malformed.line, malformed.column)
    if where:
        tail += " " + _translate("at %1").replace("%1", where)
    return f"{head} · {tail}", colour


def position_text(line: int | None, column: int | None) -> str:
    """Return "line 3, column 5", "line 3" or "", as much as is known."""
    if line is None:
        return ""
    if column is None:
        return _translate("line %1").replace("%1", str(line))
    return (
        _translate("line %1, column %2")
        .replace("%1", str(line))
        .replace("%2", str(column))
    )


def _failure_status(result: RenderResult, preview_has_text: bool) -> str:
    problem = result.problems[0] if result.problems else None
    message = " ".join(problem.message.split()) if problem is not None else ""
    if message and not message.endswith((".", "?", "!")):
        message += "."

    where = position_text(problem.line, problem.column) if problem else ""
    if where:
        text = _translate("Not rendered (%1): %2").replace("%1", where)
    else:
        text = _translate("Not rendered: %2")
    text = text.replace("%2", message)

    if preview_has_text:
        text += " " + _translate("The preview shows the last rendered body.")
    return text
