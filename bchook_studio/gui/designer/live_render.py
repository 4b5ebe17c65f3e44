"""The live preview's renders: debounced, off the GUI thread, newest wins.

Each edit restarts a short timer. When it fires, the designer's current texts
become a RenderRequest. At most one preview render runs at a time: a request
made while one runs waits for it, and a result whose request is no longer the
newest is dropped. So a quick render is never cancelled halfway, and a runaway
one (at most the time limit) delays only the next preview.
"""

import asyncio
import logging
from collections.abc import Callable

# Worker pools raise BrokenProcessPool, caught here by its base class: importing
# concurrent.futures.process would load multiprocessing at start-up.
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from bchook_studio.core.formats import BodyFormat, FormatProblem, ParserLimit
from bchook_studio.core.templates import (
    ProblemKind,
    RenderResult,
    TemplateProblem,
)
from bchook_studio.core.templates.results import body_problem
from bchook_studio.core.topics import Topic
from bchook_studio.core.webhook import BodyMode
from bchook_studio.gui.designer.render_runner import RenderRunner

logger = logging.getLogger(__name__)

DEBOUNCE_MS = 250
"""Milliseconds without an edit before the preview renders."""

SLOW_RENDER_MS = 400
"""Milliseconds after which a render still running is announced as such."""

INLINE_CHECK_LIMIT = 128 * 1024
"""A raw body up to this many characters is checked on the GUI thread. Checking
128 KiB of JSON took under 1 ms, and 300 KB of XML 2.5 ms, on a 2-core x86-64 VM
with Python 3.11."""


@dataclass(frozen=True)
class RenderRequest:
    """Everything one render reads, taken from the designer at one moment."""

    revision: int
    """The designer's edit counter when the request was made."""

    mode: BodyMode
    text: str
    """The template, or the raw body in Raw mode."""

    body_format: BodyFormat
    topic: Topic
    event: dict[str, Any] | None
    """The parsed event data, or None when it does not parse."""

    event_problem: FormatProblem | None = None


def raw_result(
    text: str, problem: FormatProblem | None, body_format: BodyFormat
) -> RenderResult:
    """Describe a raw body as a render result: its text, and a MALFORMED_BODY
    problem when it is not well formed or over a parser limit."""
    result = RenderResult(text)
    if problem is not None:
        result.problems.append(body_problem(problem, body_format, "the body"))
    return result


def event_data_result(problem: FormatProblem) -> RenderResult:
    """Describe a render that could not start because the event data is invalid."""
    if problem.limit is ParserLimit.DEPTH:
        reason = "is nested too deeply for Hook Studio's JSON parser to read"
    else:
        reason = "is not a valid JSON object"
    message = (
        f"the event data {reason} ({problem}); fix it in the Event data tab or "
        "reset it to the example"
    )
    return RenderResult(None, [TemplateProblem(ProblemKind.RUNTIME, message)])


async def run_request(runner: RenderRunner, request: RenderRequest) -> RenderResult:
    """Render a template request, or check a raw one, off the GUI thread when
    it could take long."""
    if request.mode is BodyMode.RAW:
        if len(request.text) <= INLINE_CHECK_LIMIT:
            problem = request.body_format.check(request.text)
        else:
            problem = await _check_in_worker(runner, request)
        return raw_result(request.text, problem, request.body_format)

    if request.event is None:
        assert request.event_problem is not None
        return event_data_result(request.event_problem)
    return await runner.render(
        request.text, request.event, request.body_format, request.topic
    )


async def _check_in_worker(
    runner: RenderRunner, request: RenderRequest
) -> FormatProblem | None:
    try:
        return await runner.check(request.text, request.body_format)
    except (TimeoutError, BrokenExecutor) as error:
        # A check always ends, so it runs here rather than not at all.
        logger.warning(
            "checking a raw body of %d characters in a worker failed (%r); "
            "checking it on the GUI thread",
            len(request.text),
            error,
        )
        return request.body_format.check(request.text)


class LiveRender(QObject):
    """Schedules preview renders for the designer; see the module docstring."""

    started = Signal()
    """A render started and is still running after SLOW_RENDER_MS."""

    finished = Signal(object, object)
    """The newest request (a RenderRequest) and its RenderResult."""

    def __init__(
        self,
        runner: RenderRunner,
        make_request: Callable[[], RenderRequest],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._make_request = make_request
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._newest_revision = -1

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.render_now)
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(SLOW_RENDER_MS)
        self._slow.timeout.connect(self.started)

    def schedule(self) -> None:
        """Render after DEBOUNCE_MS without another call."""
        self.debounce.start()

    def render_now(self) -> None:
        """Render the designer's current texts as soon as no render runs.

        A small raw body is checked at once, on the calling thread, so that Raw
        mode needs neither a running event loop nor a worker process.
        """
        self.debounce.stop()
        request = self._make_request()
        self._newest_revision = request.revision
        if self._task is not None and not self._task.done():
            self._again = True
            return
        if request.mode is BodyMode.RAW and len(request.text) <= INLINE_CHECK_LIMIT:
            problem = request.body_format.check(request.text)
            self.finished.emit(
                request, raw_result(request.text, problem, request.body_format)
            )
            return
        self._again = False
        self._task = asyncio.ensure_future(self._run(request))

    def is_busy(self) -> bool:
        """True while a render runs or waits for the debounce timer."""
        running = self._task is not None and not self._task.done()
        return running or self.debounce.isActive()

    async def aclose(self) -> None:
        """Stop the timers and cancel the render in flight."""
        self.debounce.stop()
        self._slow.stop()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self, request: RenderRequest) -> None:
        while True:
            self._slow.start()
            try:
                result = await run_request(self._runner, request)
            except Exception:
                logger.exception("rendering the preview failed")
                result = RenderResult(
                    None,
                    [
                        TemplateProblem(
                            ProblemKind.RUNTIME,
                            "rendering the preview failed unexpectedly; the log "
                            "file has the details",
                        )
                    ],
                )
            finally:
                self._slow.stop()

            if self._again:
                self._again = False
                request = self._make_request()
                self._newest_revision = request.revision
                continue
            if request.revision == self._newest_revision:
                self.finished.emit(request, result)
            return
