"""Template renders in worker processes, with a backstop for a render that hangs.

`render_template` stops itself after `RenderLimits.time_limit` with a trace
function in the thread that renders. A single long call into C code cannot be
stopped that way, so the runner also waits at most `time_limit` plus
BACKSTOP_SECONDS for the result. After that it stops the worker processes,
returns a LIMIT problem, and the next render starts new processes.

The runner never renders on the GUI thread: a process does not share the GIL
with the event loop, so even a render that runs for its whole time limit does
not slow down typing.
"""

import asyncio
import functools
import logging

# Worker pools raise BrokenProcessPool, caught here by its base class: importing
# concurrent.futures.process would load multiprocessing at start-up.
from concurrent.futures import BrokenExecutor
from typing import Any

from bchook_studio.core.formats import BodyFormat, FormatProblem
from bchook_studio.core.templates import (
    ProblemKind,
    RenderLimits,
    RenderResult,
    TemplateProblem,
    render_template,
)
from bchook_studio.core.topics import Topic
from bchook_studio.core.workers import WorkerPool

logger = logging.getLogger(__name__)

BACKSTOP_SECONDS = 1.0
"""Seconds past the time limit after which a render's worker is stopped."""

STARTUP_SECONDS = 10.0
"""Extra seconds allowed while the pool starts a process and imports Jinja2.
Starting one and rendering a first template took 0.3 to 1.5 s on a 2-core
x86-64 VM with Python 3.11. The margin covers a machine busy with other work."""

MAX_WORKERS = 2
"""A preview and a Send Test render can run at once without waiting."""


class RenderRunner:
    """Renders templates and checks bodies in a pool of worker processes.

    The pool starts no process until the first call that needs one. Call
    `aclose` when the designer closes. Several calls may run at once.
    """

    def __init__(
        self,
        pool: WorkerPool | None = None,
        limits: RenderLimits | None = None,
    ) -> None:
        self._pool = pool if pool is not None else WorkerPool(max_workers=MAX_WORKERS)
        self.limits = limits or RenderLimits()

    @property
    def pool(self) -> WorkerPool:
        """The worker pool the runner submits to."""
        return self._pool

    def backstop_seconds(self) -> float:
        """Return how many seconds the next call may wait for its result."""
        seconds = self.limits.time_limit + BACKSTOP_SECONDS
        if not self._pool.is_started():
            seconds += STARTUP_SECONDS
        return seconds

    async def render(
        self,
        template: str,
        event: dict[str, Any],
        body_format: BodyFormat,
        topic: Topic | None,
    ) -> RenderResult:
        """Render `template` in a worker process; problems come back in the result."""
        job = functools.partial(render_template, topic=topic, limits=self.limits)
        seconds = self.backstop_seconds()
        try:
            return await asyncio.wait_for(
                self._pool.run(job, template, event, body_format), seconds
            )
        except TimeoutError:
            logger.error(
                "a template render returned no result within %.1f s; stopping the "
                "render processes",
                seconds,
            )
            self.restart()
            return _failed(
                ProblemKind.LIMIT,
                f"rendering returned no result within {seconds:g} s, so it was "
                "stopped; look for a loop or an operation on very large values",
            )
        except BrokenExecutor:
            return _failed(
                ProblemKind.RUNTIME,
                "the render process ended unexpectedly; edit the template or the "
                "event data to render again",
            )

    async def check(self, text: str, body_format: BodyFormat) -> FormatProblem | None:
        """Check a body for well-formedness in a worker process."""
        return await asyncio.wait_for(
            self._pool.run(body_format.check, text), self.backstop_seconds()
        )

    def restart(self) -> None:
        """Stop the worker processes, so that the next call starts new ones.

        The pool terminates each process, and kills one that has not exited
        workers.EXIT_SECONDS later, without waiting here.
        """
        self._pool.shutdown(wait=False)
        logger.info("stopped the render processes")

    async def aclose(self) -> None:
        """Stop the worker processes without blocking the event loop."""
        await self._pool.aclose()


def _failed(kind: ProblemKind, message: str) -> RenderResult:
    return RenderResult(None, [TemplateProblem(kind, message)])
