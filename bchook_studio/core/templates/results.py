"""Render results: the body text, the problems that stopped it, the warnings."""

from dataclasses import dataclass, field
from enum import StrEnum

from bchook_studio.core.formats import BodyFormat, FormatProblem, ParserLimit

MIB = 1024 * 1024


class ProblemKind(StrEnum):
    """The kind of a template problem or warning.

    The values are stable identifiers that the GUI and the CLI may show or store.
    """

    SYNTAX = "syntax"
    """The template is not valid template syntax."""

    UNDEFINED = "undefined"
    """The template uses a name or field that the event data does not have."""

    SANDBOX = "sandbox"
    """The template reached for something templates are not allowed to use."""

    LIMIT = "limit"
    """Rendering passed a time, size, recursion or arithmetic limit."""

    RUNTIME = "runtime"
    """Any other error while rendering, such as a division by zero."""

    MALFORMED_BODY = "malformed_body"
    """The rendered body is not well-formed JSON or XML, or it exceeds a limit of
    Hook Studio's parser and was not checked (see `TemplateProblem.limit`). The
    position is in the body."""

    REPLACED_CHARACTER = "replaced_character"
    """Warning: a value had characters the format cannot carry, replaced by U+FFFD."""

    LINE_ENDINGS = "line_endings"
    """Warning: the template mixes line endings, and they were written as one kind."""


@dataclass(frozen=True)
class TemplateProblem:
    """One error or warning, at a 1-based line and column where they are known.

    The position is in the template, except for MALFORMED_BODY, whose position is
    in the rendered body. The column counts characters and is None where only the
    line is known. The line is None where not even that is known.
    """

    kind: ProblemKind
    message: str
    line: int | None = None
    column: int | None = None
    limit: ParserLimit | None = None
    """For MALFORMED_BODY, the parser limit the body exceeded, or None for a
    syntax problem. A body over a limit was not read to the end, so it may be
    well formed."""

    @property
    def in_body(self) -> bool:
        """True when the position refers to the rendered body, not the template."""
        return self.kind is ProblemKind.MALFORMED_BODY

    def location(self) -> str:
        """Return `LINE:COL`, `LINE` or an empty string, as much as is known."""
        if self.line is None:
            return ""
        if self.column is None:
            return str(self.line)
        return f"{self.line}:{self.column}"


def format_problem_summary(
    subject: str, body_format: BodyFormat, limit: ParserLimit | None
) -> str:
    """Return why a body failed its format check, such as "the body is not
    well-formed JSON".

    `subject` names the body, such as "the rendered body". For a problem over a
    parser limit, the summary states that the parser could not check the body,
    because a body over a limit may still be well formed.
    """
    name = body_format.value.upper()
    if limit is ParserLimit.DEPTH:
        return (
            f"{subject} is nested too deeply for Hook Studio's {name} parser to check"
        )
    if limit is ParserLimit.SIZE:
        return f"{subject} is too large for Hook Studio's {name} parser to check"
    return f"{subject} is not well-formed {name}"


def body_problem(
    problem: FormatProblem, body_format: BodyFormat, subject: str
) -> TemplateProblem:
    """Describe a body's format problem as a MALFORMED_BODY problem at its position.

    `subject` names the body in the message, as in `format_problem_summary`.
    """
    summary = format_problem_summary(subject, body_format, problem.limit)
    return TemplateProblem(
        ProblemKind.MALFORMED_BODY,
        f"{summary}: {problem.message}",
        problem.line,
        problem.column,
        problem.limit,
    )


@dataclass(frozen=True)
class RenderLimits:
    """Bounds on one render, so that a template being typed cannot hang the app."""

    time_limit: float = 2.0
    """Seconds allowed for parsing, compiling and rendering together."""

    max_output_bytes: int = 16 * MIB
    """Maximum size of the rendered body in UTF-8 bytes. The same number bounds
    the length of any string or list a template builds."""

    max_integer_bits: int = 16_384
    """Maximum size of an integer that `*` or `**` may produce. An integer literal
    of 4,300 digits, the most Python converts, has about 14,300 bits."""


@dataclass
class RenderResult:
    """The outcome of one render: a body, or the problems that prevented one.

    `text` is None when the template could not be rendered. A body that rendered
    but is not well formed has its text and a MALFORMED_BODY problem.
    """

    text: str | None
    problems: list[TemplateProblem] = field(default_factory=list)
    warnings: list[TemplateProblem] = field(default_factory=list)
    elapsed: float = 0.0
    """Seconds spent parsing, compiling and rendering."""

    @property
    def ok(self) -> bool:
        """True when the body rendered with no problems (warnings allowed)."""
        return self.text is not None and not self.problems
