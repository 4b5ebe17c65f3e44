"""The interface of a problem that the code editor marks in its text."""

import logging
from typing import Protocol

logger = logging.getLogger(__name__)


class Problem(Protocol):
    """A problem at a place in the text, such as a well-formedness error.

    `bchook_studio.core.formats.problems.FormatProblem` has this shape.
    """

    @property
    def line(self) -> int:
        """Line number, 1-based."""
        ...

    @property
    def column(self) -> int | None:
        """Column in characters (code points), 1-based, or None for the whole line."""
        ...

    @property
    def message(self) -> str:
        """The problem in one sentence, shown as the line's tooltip."""
        ...
