"""Render results: the body text, the problems that stopped it, the warnings."""

from dataclasses import dataclass, field
from enum import StrEnum

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
    """The rendered body is not well-formed JSON or XML. The position is in the body."""

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
