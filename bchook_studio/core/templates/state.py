"""The state of the render running in the current thread, for sandbox hooks.

Jinja calls filters, operators and the undefined-value class without a way to
pass per-render data, and one environment serves every render. The state is
kept in a context variable, so each thread (and each asyncio task) has its
own render.
"""

from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from bchook_studio.core.templates.deadline import Deadline
from bchook_studio.core.templates.guards import SizeMeter
from bchook_studio.core.templates.results import RenderLimits


@dataclass
class RenderState:
    """The data the sandbox hooks of one render read and record."""

    event: dict[str, Any]
    limits: RenderLimits
    deadline: Deadline
    meter: SizeMeter
    replaced: Counter[int] = field(default_factory=Counter)
    """Placeholder index -> characters replaced by U+FFFD there."""
    replaced_examples: dict[int, str] = field(default_factory=dict)
    """Placeholder index -> the first character replaced there."""
    missing_name: object = None
    """The name of the last undefined value that failed, to locate it."""


_current: ContextVar[RenderState] = ContextVar("bchook_template_render")


def current_state() -> RenderState:
    """Return the state of the render running in this thread.

    Raise LookupError outside a render, where no template code should run.
    """
    return _current.get()


def enter_state(state: RenderState) -> object:
    """Make `state` current and return a token for `leave_state`."""
    return _current.set(state)


def leave_state(token: Any) -> None:
    """Restore the state that was current before `enter_state`."""
    _current.reset(token)
