"""A time limit for rendering, enforced with a trace function in the rendering thread.

Only compiled template code is checked: on every line it runs, and each time
one of its frames starts or resumes. A loop such as
`{% for i in range(100000) %}{% endfor %}` runs in one frame and calls no
Python function per pass, so line events are the only way to see it.

Every other Python frame gets no trace function and no check. The sandbox
bounds the input of everything a template calls (see guards), so that code
ends on its own. Raising there could also go wrong: an exception raised in a
generator that the garbage collector is closing is swallowed, and the thread
would go on untraced. Long loops in the studio's own code call
`Deadline.check` instead.

A single long call into C code (one huge string operation, say) cannot be
stopped this way, which is why the guards bound such calls before they run.

`sys.settrace` acts on the calling thread only, so renders in other threads are
neither slowed nor stopped. A debugger or coverage tool tracing the thread is
suspended while a template renders.

Tracing makes a loop of 100,000 placeholders about 3 to 4 times slower (0.2 s
to 0.7 s), measured on a 2-core x86-64 VM with Python 3.11. A template of a
few dozen placeholders renders in about a millisecond either way.

Usage, with the trace function removed by a C call in `finally`, so that no
traced Python call can raise between the work and the removal:

    previous = sys.gettrace()
    deadline.start()
    try:
        ...
    finally:
        sys.settrace(previous)
"""

import sys
import time
from types import FrameType
from typing import Any

TEMPLATE_FILENAME = "<template>"
"""The file name Jinja gives the code compiled from a template string."""


class RenderTimeout(BaseException):
    """The render passed its time limit.

    It derives from BaseException so that no `except Exception` in Jinja or in
    a filter can swallow it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Deadline:
    """Raises RenderTimeout in the thread that started it, `seconds` after start."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._expires = time.monotonic() + seconds

    def start(self) -> None:
        """Start the clock and install the trace function in this thread."""
        self._expires = time.monotonic() + self.seconds
        sys.settrace(self._trace_call)

    def check(self) -> None:
        """Raise RenderTimeout if the time is up, for loops outside template code.

        Tracing stops first, as it does when the trace function raises, so
        that nothing raises again while the stack unwinds.
        """
        if time.monotonic() >= self._expires:
            sys.settrace(None)
            raise RenderTimeout(self.seconds)

    def _trace_call(self, frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_filename != TEMPLATE_FILENAME:
            return None
        if time.monotonic() >= self._expires:
            # Raising from a trace function also turns tracing off for the
            # thread, which is what should happen now.
            raise RenderTimeout(self.seconds)
        return self._trace_line

    def _trace_line(self, frame: FrameType, event: str, arg: object) -> Any:
        if event == "line" and time.monotonic() >= self._expires:
            raise RenderTimeout(self.seconds)
        return self._trace_line
