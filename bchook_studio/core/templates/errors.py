"""Turn what a failed render raised into a TemplateProblem with a position."""

import re
import sys
from collections.abc import Callable
from traceback import walk_tb

from jinja2.exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)

from bchook_studio.core.templates.deadline import RenderTimeout
from bchook_studio.core.templates.guards import LimitExceeded
from bchook_studio.core.templates.positions import (
    TemplatePositions,
    normalise_newlines,
    position_of,
)
from bchook_studio.core.templates.results import ProblemKind, TemplateProblem

_UNEXPECTED_CHAR = re.compile(r"(unexpected char .+) at (\d+)\Z", re.DOTALL)

PositionsSource = Callable[[], TemplatePositions | None]


def syntax_problem(error: TemplateSyntaxError, source: str) -> TemplateProblem:
    """Describe a syntax error at its line, and its column where the lexer gives it."""
    message = error.message or "invalid template syntax"
    match = _UNEXPECTED_CHAR.match(message)
    if match is not None:
        line, column = position_of(normalise_newlines(source), int(match.group(2)))
        return TemplateProblem(ProblemKind.SYNTAX, match.group(1), line, column)
    return TemplateProblem(ProblemKind.SYNTAX, message, error.lineno)


def render_problem(
    error: BaseException,
    *,
    time_limit: float,
    missing_name: object,
    positions: PositionsSource,
) -> TemplateProblem:
    """Describe an error raised while compiling or rendering, at its template line.

    `missing_name` is the name of the last undefined value that failed, which
    locates the column of an undefined or sandbox error. `positions` is called
    only when a column is looked for.
    """
    kind, message = _kind_and_message(error, time_limit)
    line = template_line(error)
    if line is None:
        return TemplateProblem(kind, message)

    column = None
    placed = positions()
    if placed is not None:
        if kind in (ProblemKind.UNDEFINED, ProblemKind.SANDBOX):
            column = placed.find_name(line, missing_name)
        if column is None:
            column = placed.only_tag_on(line)
    return TemplateProblem(kind, message, line, column)


def _kind_and_message(
    error: BaseException, time_limit: float
) -> tuple[ProblemKind, str]:
    if isinstance(error, RenderTimeout):
        return ProblemKind.LIMIT, (
            f"rendering took longer than {time_limit:g} s and was stopped; look for "
            "a loop that runs too many times"
        )
    if isinstance(error, LimitExceeded):
        return ProblemKind.LIMIT, str(error)
    if isinstance(error, SecurityError):
        return ProblemKind.SANDBOX, str(error)
    if isinstance(error, UndefinedError):
        return ProblemKind.UNDEFINED, str(error)
    if isinstance(error, RecursionError):
        return ProblemKind.LIMIT, (
            "the template nests too deeply, such as a macro that calls itself "
            "without end"
        )
    if isinstance(error, MemoryError):
        return ProblemKind.LIMIT, "rendering ran out of memory"
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        # Python refuses to print integers above a digit limit (4,300 by
        # default) and suggests a setting a template author cannot change.
        return ProblemKind.LIMIT, (
            "the number has too many digits to write out (Python prints at most "
            f"{sys.get_int_max_str_digits():,} digits); make it smaller"
        )
    if isinstance(error, TemplateNotFound):
        return ProblemKind.RUNTIME, (
            f"template {error.name!r} not found: a body template cannot include, "
            "import or extend other templates"
        )
    text = str(error) or type(error).__name__
    return ProblemKind.RUNTIME, text


def template_line(error: BaseException) -> int | None:
    """Return the template line where an error was raised, from its traceback.

    Jinja replaces compiled-code frames with frames at the template line when
    it re-raises an Exception. A RenderTimeout passes through unchanged, so its
    compiled-code lines are mapped with the template's debug information.
    """
    line = None
    for frame, frame_line in walk_tb(error.__traceback__):
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            line = template.get_corresponding_lineno(frame_line)
        elif "__jinja_exception__" in frame.f_globals:
            line = frame_line
    return line
