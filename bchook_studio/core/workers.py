"""A process pool for CPU-heavy work on large documents, started on first need.

Parsing and pretty-printing hold the GIL, so a thread would still freeze the
GUI, but a worker process does not. The pool starts no process until `warm_up`
or `run` needs one, so an idle app has none. It stops its processes after
IDLE_SECONDS without work, to give their memory back.

Processes start with the "spawn" method on every platform. "fork" from a process
with threads is unsafe, and Python 3.12 warns about it. On Linux "forkserver" was
no faster: about 130 ms to the first result, against 100 to 130 ms for "spawn",
on a 2-core x86-64 VM with Python 3.11. Functions handed to `run` must
be module-level and importable without Qt, and their arguments and results must
pickle. A frozen app must call `multiprocessing.freeze_support()` first thing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from bchook_studio.core.background_import import import_in_background

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

logger = logging.getLogger(__name__)

MAX_WORKERS = 2
"""At most this many processes. A second one starts only while the first is busy,
so a new job does not wait behind a stale one whose result is no longer needed."""

START_METHOD = "spawn"

IDLE_SECONDS = 300.0
"""Seconds without work after which the pool stops its processes."""

_POOL_MODULE = "concurrent.futures.process"
"""The process pool's module, which loads most of multiprocessing."""

_T = TypeVar("_T")


class WorkerPool:
    """Worker processes for the event loop, started on first need.

    Call `run`, `warm_up` and `shutdown` from the thread that runs the event loop.
    After `shutdown` the pool is back to its first state: the next `run` or
    `warm_up` starts new processes.
    """

    def __init__(
        self,
        max_workers: int = MAX_WORKERS,
        start_method: str = START_METHOD,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self._max_workers = max_workers
        self._start_method = start_method
        self._idle_seconds = idle_seconds
        self._executor: ProcessPoolExecutor | None = None
        self._warmed_up = False
        self._pending_warm_up: asyncio.Task[None] | None = None
        self._running_jobs = 0
        self._idle_timer: asyncio.TimerHandle | None = None

    def is_started(self) -> bool:
        """True once a process was asked for, until `shutdown`."""
        return self._executor is not None

    def warm_up(self) -> None:
        """Start a worker process in the background and return at once.

        Call it when a large result may come soon, such as when a send starts,
        so the work finds a process that has already imported its modules. Once
        a process runs, calling it again costs nothing. On a running event loop
        the first call imports multiprocessing on a worker thread first,
        because on the loop's thread that import took about 25 ms.
        """
        if self._warmed_up and self._executor is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: the idle timer starts after the first run
            self._start_process()
            return

        if _POOL_MODULE in sys.modules:
            self._start_process()
            self._start_idle_timer(loop)
        elif self._pending_warm_up is None:
            self._pending_warm_up = loop.create_task(self._warm_up_after_import())

    async def _warm_up_after_import(self) -> None:
        try:
            await import_in_background(_POOL_MODULE)
        except ImportError:
            logger.exception("importing %s for the worker pool failed", _POOL_MODULE)
            return
        finally:
            self._pending_warm_up = None
        if not (self._warmed_up and self._executor is not None):
            self._start_process()
            self._start_idle_timer(asyncio.get_running_loop())

    def _start_process(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        executor = self._ensure_executor()
        try:
            future = executor.submit(_ready)
        except BrokenProcessPool:
            # A process ended while the pool was idle: start a new pool.
            self._discard(executor)
            future = self._ensure_executor().submit(_ready)
        future.add_done_callback(_log_warm_up_failure)
        self._warmed_up = True

    def _start_idle_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._running_jobs == 0 and self._idle_timer is None:
            self._idle_timer = loop.call_later(self._idle_seconds, self._stop_idle)

    async def run(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run `function(*args)` in a worker process and return its result.

        Exceptions raised by the function are raised here. A worker process that
        ended abruptly raises concurrent.futures.process.BrokenProcessPool, and
        the next call starts new processes. Cancelling the call drops a job that
        has not started; a started job runs to its end and its result is dropped.
        """
        from concurrent.futures.process import BrokenProcessPool

        loop = asyncio.get_running_loop()
        executor = self._ensure_executor()
        try:
            job = loop.run_in_executor(executor, function, *args)
        except BrokenProcessPool:
            # A process ended while the pool was idle, before this job: start a
            # new pool for it.
            self._discard(executor)
            executor = self._ensure_executor()
            job = loop.run_in_executor(executor, function, *args)

        self._job_started()
        try:
            return await job
        except BrokenProcessPool:
            logger.error(
                "a worker process ended abruptly during %s, so the next run starts "
                "new processes",
                getattr(function, "__name__", function),
            )
            self._discard(executor)
            raise
        finally:
            self._job_ended(loop)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the processes; with `wait`, block until running jobs end.

        Without `wait` the processes end in the background after their running
        job, and the interpreter waits for them when it exits.
        """
        self._cancel_pending_warm_up()
        self._cancel_idle_timer()
        executor, self._executor = self._executor, None
        self._warmed_up = False
        if executor is None:
            return
        executor.shutdown(wait=wait, cancel_futures=True)
        logger.info("shut down the worker pool")

    async def aclose(self) -> None:
        """Stop the processes without blocking the event loop while jobs end."""
        self._cancel_pending_warm_up()
        self._cancel_idle_timer()
        executor, self._executor = self._executor, None
        self._warmed_up = False
        if executor is None:
            return

        # A thread of its own rather than the loop's default executor: qasync's
        # default executor starts QThreads that must be stopped before the
        # process exits, which a loop that is never closed does not do.
        loop = asyncio.get_running_loop()
        stopped = loop.create_future()

        def shut_down() -> None:
            executor.shutdown(wait=True, cancel_futures=True)
            loop.call_soon_threadsafe(_set_done, stopped)

        threading.Thread(target=shut_down, name="worker-pool-shutdown").start()
        await stopped
        logger.info("stopped the worker pool")

    def _cancel_pending_warm_up(self) -> None:
        if self._pending_warm_up is not None:
            self._pending_warm_up.cancel()
            self._pending_warm_up = None

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        """Drop a broken executor, so the next call starts a new one."""
        if self._executor is executor:
            self._executor = None
            self._warmed_up = False
        executor.shutdown(wait=False, cancel_futures=True)

    def _ensure_executor(self) -> ProcessPoolExecutor:
        if self._executor is not None:
            return self._executor

        # Imported here: multiprocessing costs start-up time and memory that an
        # app which never meets a large body does not need to pay.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context(self._start_method)
        self._executor = ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=context,
            initializer=_initialize_worker,
        )
        logger.info(
            "started the worker pool: up to %d %s processes",
            self._max_workers,
            self._start_method,
        )
        return self._executor

    def _job_started(self) -> None:
        self._running_jobs += 1
        self._cancel_idle_timer()

    def _job_ended(self, loop: asyncio.AbstractEventLoop) -> None:
        self._running_jobs -= 1
        if self._running_jobs == 0 and self._executor is not None:
            self._idle_timer = loop.call_later(self._idle_seconds, self._stop_idle)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _stop_idle(self) -> None:
        self._idle_timer = None
        if self._running_jobs == 0 and self._executor is not None:
            logger.info("the worker pool was idle for %.0f s", self._idle_seconds)
            self.shutdown(wait=False)


def _initialize_worker() -> None:
    """Prepare a new worker process: ignore Ctrl+C, end with the app, import."""
    # Ctrl+C in a terminal reaches the whole process group, but the app decides
    # when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # A worker has both ends of its job queue's pipe open, so it would wait for
    # jobs forever after the app was killed. This thread ends it instead.
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is not None:
        watcher = threading.Thread(
            target=_exit_with_parent,
            args=(parent.sentinel,),
            name="parent-watcher",
            daemon=True,
        )
        watcher.start()

    import bchook_studio.core.body_preparation
    import bchook_studio.core.formats  # noqa: F401


def _exit_with_parent(sentinel: int) -> None:
    """Wait until the app process has ended, then end this worker at once."""
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _set_done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _ready() -> bool:
    return True


def _log_warm_up_failure(future: Future[bool]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        logger.warning("starting a worker process failed: %s", error)


_default_pool = WorkerPool()


def default_pool() -> WorkerPool:
    """Return the app's shared pool."""
    return _default_pool


def warm_up() -> None:
    """Start a process of the shared pool in the background; see WorkerPool."""
    _default_pool.warm_up()


async def run(function: Callable[..., _T], *args: Any) -> _T:
    """Run `function(*args)` in the shared pool; see WorkerPool.run."""
    return await _default_pool.run(function, *args)


def shutdown(*, wait: bool = True) -> None:
    """Stop the shared pool's processes; see WorkerPool.shutdown."""
    _default_pool.shutdown(wait=wait)


async def aclose() -> None:
    """Stop the shared pool's processes without blocking the event loop."""
    await _default_pool.aclose()
