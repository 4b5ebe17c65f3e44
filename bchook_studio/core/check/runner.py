"""Run a check: send each topic, judge each response, report as responses arrive.

Deliveries start in the plan's order, at most `plan.concurrency` at a time
and at least `plan.pause_ms` apart. Each topic's body is rendered and each
body-reading judgement made on a worker thread, so a GUI on the same loop
stays responsive.

`CheckRunner.cancel()` ends a run cleanly. Deliveries in flight are cancelled
and get the verdict `cancelled`; they are still recorded, because the request
may have reached the endpoint. Topics not started yet get `cancelled` with
nothing sent, and `run()` returns a result marked cancelled. Cancelling the
task that awaits `run()` instead stops everything the same way, waits for it,
and lets CancelledError through.
"""

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import Enum, auto

from bchook_studio.core.check.expectations import judge_response
from bchook_studio.core.check.plan import CheckPlan
from bchook_studio.core.check.results import (
    CANCELLED_KIND,
    TEMPLATE_KIND,
    CheckResult,
    CheckSummary,
    TopicResult,
    Verdict,
)
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.handle import DeliveryHandle
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.store.history import new_run_id
from bchook_studio.core.templates import RenderResult
from bchook_studio.core.topics import Topic

logger = logging.getLogger(__name__)

Recorder = Callable[[DeliveryResult, Topic, str], int | Awaitable[int | None] | None]
"""Records one delivery of the run (result, topic, run id) in the history.

It returns the history entry id, None when the id is not known (a queued
write), or an awaitable of either. An exception is logged and the run goes on.
"""

ResultListener = Callable[[TopicResult], None]
"""Called once per topic, as soon as its verdict is known."""

INTERNAL_KIND = "internal"
"""The kind of an `error` caused by a fault in the check itself (see the log)."""

NOT_SENT_REASON = "cancelled before it was sent"


class RunnerState(Enum):
    """Lifecycle of a CheckRunner: NEW → RUNNING → FINISHED, once."""

    NEW = auto()
    RUNNING = auto()
    FINISHED = auto()


class CheckRunner:
    """One run of a check plan. Create a new runner for every run."""

    def __init__(
        self,
        plan: CheckPlan,
        pool: ClientPool,
        *,
        recorder: Recorder | None = None,
        on_result: ResultListener | None = None,
    ) -> None:
        self.plan = plan
        self.run_id = new_run_id()
        self._pool = pool
        self._recorder = recorder
        self._on_result = on_result
        self._state = RunnerState.NEW
        self._cancel_requested = False
        self._results: list[TopicResult | None] = [None] * len(plan.topics)
        self._handles: set[DeliveryHandle] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._starter: asyncio.Task[None] | None = None

    @property
    def state(self) -> RunnerState:
        return self._state

    @property
    def cancel_requested(self) -> bool:
        """True once `cancel()` has been called."""
        return self._cancel_requested

    def cancel(self) -> None:
        """Stop the run: no new deliveries, and those in flight are cancelled.

        `run()` then returns a result marked cancelled. Does nothing after
        the run has finished.
        """
        if self._state is RunnerState.FINISHED or self._cancel_requested:
            return
        self._cancel_requested = True
        logger.info("check run %s cancelled", self.run_id)
        if self._starter is not None and not self._starter.done():
            self._starter.cancel()
        for handle in list(self._handles):
            handle.cancel()

    async def run(self) -> CheckResult:
        """Send every topic, judge the responses, and return the result.

        Raises ReceiverNotRunningError, before sending anything, for a
        `receiver:` URL without a receiver address in the plan, and
        RuntimeError when the runner has already run.
        """
        if self._state is not RunnerState.NEW:
            raise RuntimeError(
                f"this check run is {self._state.name.lower()}; a runner runs "
                "once, so create a new CheckRunner"
            )
        urls = [self.plan.topic_url(topic) for topic in self.plan.topics]
        self._state = RunnerState.RUNNING
        started_at = datetime.now(UTC)
        logger.info(
            "check run %s started: %d topics to %s, %s, concurrency %d",
            self.run_id,
            len(urls),
            self.plan.masked_url(),
            self.plan.body_format.value,
            self.plan.concurrency,
        )

        try:
            await self._run_all(urls)
        except asyncio.CancelledError:
            await self._stop_after_outer_cancel()
            raise
        finally:
            self._state = RunnerState.FINISHED

        self._fill_not_started(urls)
        result = CheckResult(
            plan=self.plan,
            run_id=self.run_id,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            results=tuple(r for r in self._results if r is not None),
            cancelled=self._cancel_requested,
        )
        _log_summary(result.run_id, result.summary, result.cancelled)
        return result

    async def _run_all(self, urls: list[str]) -> None:
        self._starter = asyncio.ensure_future(self._start_all(urls))
        try:
            await self._starter
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._cancel_requested or (current and current.cancelling()):
                raise
        await asyncio.gather(*self._tasks)

    async def _start_all(self, urls: list[str]) -> None:
        """Start one task per topic, within the concurrency limit and pause."""
        slots = asyncio.Semaphore(self.plan.concurrency)
        pause = self.plan.pause_ms / 1000
        for index, topic in enumerate(self.plan.topics):
            if index and pause:
                await asyncio.sleep(pause)
            await slots.acquire()
            if self._cancel_requested:
                slots.release()
                return
            task = asyncio.ensure_future(
                self._check_topic(index, topic, urls[index], slots)
            )
            self._tasks.append(task)

    async def _stop_after_outer_cancel(self) -> None:
        """Cancel everything still going and wait for it, without new results."""
        self._cancel_requested = True
        pending = [task for task in (self._starter, *self._tasks) if task is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _check_topic(
        self, index: int, topic: Topic, url: str, slots: asyncio.Semaphore
    ) -> None:
        try:
            result = await self._topic_result(topic, url)
        except Exception as exc:
            logger.exception("checking topic %s failed", topic.key)
            result = TopicResult(
                topic,
                url,
                Verdict.ERROR,
                f"the check itself failed on this topic ({type(exc).__name__}: "
                f"{exc}); see the log file",
                INTERNAL_KIND,
            )
        finally:
            slots.release()
        self._finish(index, result)

    async def _topic_result(self, topic: Topic, url: str) -> TopicResult:
        rendered = await asyncio.to_thread(self.plan.render_body, topic)
        # A body over a parser limit may be well formed, so it is sent, as
        # `send` sends it.
        blocking = [problem for problem in rendered.problems if problem.limit is None]
        if rendered.text is None or blocking:
            return TopicResult(
                topic, url, Verdict.ERROR, render_reason(rendered), TEMPLATE_KIND
            )
        if self._cancel_requested:
            return TopicResult(
                topic, url, Verdict.CANCELLED, NOT_SENT_REASON, CANCELLED_KIND
            )

        request = self.plan.webhook.outgoing_request(rendered.text.encode("utf-8"), url)
        handle = DeliveryHandle(request, self._pool)
        self._handles.add(handle)
        try:
            delivery = await handle.result()
        finally:
            self._handles.discard(handle)

        history_id = await self._record(delivery, topic)
        return await self._judge(topic, url, delivery, history_id)

    async def _record(self, delivery: DeliveryResult, topic: Topic) -> int | None:
        if self._recorder is None:
            return None
        try:
            recorded = self._recorder(delivery, topic, self.run_id)
            if inspect.isawaitable(recorded):
                recorded = await recorded
        except Exception:
            logger.exception("recording the delivery of topic %s failed", topic.key)
            return None
        return recorded

    async def _judge(
        self,
        topic: Topic,
        url: str,
        delivery: DeliveryResult,
        history_id: int | None,
    ) -> TopicResult:
        failure = delivery.failure
        if failure is not None:
            verdict = (
                Verdict.CANCELLED
                if failure.kind is FailureKind.CANCELLED
                else Verdict.ERROR
            )
            return TopicResult(
                topic,
                url,
                verdict,
                failure.message,
                failure.kind.value,
                delivery=delivery,
                history_id=history_id,
            )

        response = delivery.response
        assert response is not None
        expectations = self.plan.expectations
        if expectations.reads_body:
            mismatches = await asyncio.to_thread(
                judge_response, response, delivery.elapsed_ms, expectations
            )
        else:
            mismatches = judge_response(response, delivery.elapsed_ms, expectations)

        if not mismatches:
            return TopicResult(
                topic, url, Verdict.PASSED, delivery=delivery, history_id=history_id
            )
        return TopicResult(
            topic,
            url,
            Verdict.FAILED,
            "; ".join(mismatch.message for mismatch in mismatches),
            failed_expectation=mismatches[0].expectation,
            delivery=delivery,
            history_id=history_id,
        )

    def _finish(self, index: int, result: TopicResult) -> None:
        self._results[index] = result
        logger.debug(
            "check run %s: %s %s %s",
            self.run_id,
            result.topic.key,
            result.verdict.value,
            result.reason,
        )
        self._notify(result)

    def _notify(self, result: TopicResult) -> None:
        if self._on_result is None:
            return
        try:
            self._on_result(result)
        except Exception:
            logger.exception("a check result listener failed on %s", result.topic.key)

    def _fill_not_started(self, urls: list[str]) -> None:
        for index, topic in enumerate(self.plan.topics):
            if self._results[index] is None:
                self._finish(
                    index,
                    TopicResult(
                        topic,
                        urls[index],
                        Verdict.CANCELLED,
                        NOT_SENT_REASON,
                        CANCELLED_KIND,
                    ),
                )


async def run_check(
    plan: CheckPlan,
    pool: ClientPool,
    *,
    recorder: Recorder | None = None,
    on_result: ResultListener | None = None,
) -> CheckResult:
    """Run `plan` once with a new CheckRunner and return its result."""
    runner = CheckRunner(plan, pool, recorder=recorder, on_result=on_result)
    return await runner.run()


def render_reason(rendered: RenderResult) -> str:
    """Return the first render problem as `template:LINE:COL: message`.

    The name is `body` for a problem positioned in the rendered body.
    """
    if not rendered.problems:
        return "the template rendered no body"
    problem = rendered.problems[0]
    name = "body" if problem.in_body else "template"
    location = problem.location()
    prefix = f"{name}:{location}" if location else name
    text = f"{prefix}: {' '.join(problem.message.split())}"
    extra = len(rendered.problems) - 1
    if extra:
        text += f" (and {extra} more {'problem' if extra == 1 else 'problems'})"
    return text


def _log_summary(run_id: str, summary: CheckSummary, cancelled: bool) -> None:
    logger.info(
        "check run %s %s: %d passed, %d failed, %d errors, %d cancelled",
        run_id,
        "cancelled" if cancelled else "finished",
        summary.passed,
        summary.failed,
        summary.errors,
        summary.cancelled,
    )
