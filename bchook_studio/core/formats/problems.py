"""Positions and messages for bodies that are not well formed or not convertible."""

from dataclasses import dataclass
from enum import StrEnum


class ParserLimit(StrEnum):
    """A parser limit that a document exceeded, so it was not read to the end."""

    DEPTH = "depth"
    """The document nests elements, arrays or objects too deeply."""

    SIZE = "size"
    """A text node, attribute value or name in the document is too long."""


@dataclass(frozen=True)
class FormatProblem:
    """A problem in a JSON or XML body, at a 1-based line and column.

    The column counts characters, not bytes, and is None where the parser gives
    only a line.
    """

    line: int
    column: int | None
    message: str
    limit: ParserLimit | None = None
    """The parser limit the document exceeded, or None for a syntax problem.

    A document over a limit was not read to the end, so it may be well-formed.
    """

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.line}: {self.message}"
        return f"{self.line}:{self.column}: {self.message}"


class FormatError(ValueError):
    """A body that is not well-formed JSON or XML, with the problem's position."""

    def __init__(self, problem: FormatProblem) -> None:
        # The problem is the only argument, so the error pickles across the
        # worker process boundary and is rebuilt with the same problem.
        super().__init__(problem)
        self.problem = problem

    def __str__(self) -> str:
        return str(self.problem)


class ConversionError(FormatError):
    """A well-formed body that cannot be converted to the other format.

    XML that does not follow the JSON-to-XML layout, or JSON with a repeated
    key, which XML would keep only once.
    """


def problem_at(text: str, index: int, message: str) -> FormatProblem:
    """Build a problem for the character at `index` of `text`."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return FormatProblem(line, column, message)


def describe_text(text: str, limit: int = 40) -> str:
    """Quote a value for an error message, cut to `limit` characters."""
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)
