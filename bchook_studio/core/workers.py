"""A pool of worker processes for CPU-heavy work on large documents.

Parsing and pretty-printing hold the GIL, so a thread would still freeze the
GUI, but a worker process does not. The pool starts no process until `warm_up`
or `run` needs one, so an idle app has none. It stops its processes after
IDLE_SECONDS without work, to give their memory back.

Each worker process runs one job at a time and talks to the pool over its own
`multiprocessing.Pipe`. For each job a thread of the app sends the pickled call
and waits for the pickled reply, so the event loop never blocks on the pipe.
Cancelling a `run` whose job is running terminates that job's process
(SIGTERM on POSIX, TerminateProcess on Windows), drops its reply unread, and
starts another process in the background. The pool manages its processes
itself because `concurrent.futures.ProcessPoolExecutor` has no public call that
stops a running job before Python 3.14 (`terminate_workers`). On Linux, macOS
and Windows alike it relies on two documented behaviours: `recv_bytes` raises
EOFError once the other end is closed, as it is when that process ends, and
`multiprocessing.connection.wait` accepts Connections and process sentinels.

Processes start with the "spawn" method on every platform. "fork" from a process
with threads is unsafe, and Python 3.12 warns about it. On Linux "forkserver" was
no faster: about 130 ms to the first result, against 100 to 130 ms for "spawn",
on a 2-core x86-64 VM with Python 3.11. Functions handed to `run` must
be module-level and importable without Qt, and their arguments and results must
pickle. A frozen app must call `multiprocessing.freeze_support()` first thing.
Worker processes are daemonic, so they cannot start processes of their own, and
multiprocessing terminates any that remain when the app's interpreter exits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from bchook_studio.core.background_import import import_in_background

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

logger = logging.getLogger(__name__)

MAX_WORKERS = 2
"""At most this many processes run jobs at once. A second one starts only while
the first is busy."""

START_METHOD = "spawn"

IDLE_SECONDS = 300.0
"""Seconds without work after which the pool stops its processes."""

EXIT_SECONDS = 5.0
"""Seconds a stopped process gets to exit after SIGTERM before it is killed."""

_POOL_MODULE = "multiprocessing.connection"
"""The module `warm_up` imports off the loop's thread. It loads most of
multiprocessing."""

# The kinds of outcome a job thread hands to the event loop. The first two are
# also the kinds of reply a worker process sends.
_RETURNED = "returned"
_RAISED = "raised"
_FAILED_HERE = "failed here"
"""Pickling the call or unpickling the reply failed in the app's process."""
_BROKEN = "broken"
"""The worker process ended before it replied."""
_PIPE_FAILED = "pipe failed"
"""Sending or receiving failed with an error other than OSError or EOFError, so
the pipe may contain part of a message and the worker process cannot be reused."""
_STOPPED = "stopped"
"""`shutdown` or `aclose` stopped the worker process."""

_T = TypeVar("_T")
_Outcome = tuple[str, Any, str]
"""A kind, then the result or exception, then a worker's traceback text or ''."""


class _Worker:
    """A worker process, the pool's end of its pipe, and its current job."""

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self.job: asyncio.Future[_Outcome] | None = None
        self.thread: threading.Thread | None = None
        """The thread of the latest job, which may still read the connection."""
        self.stopping = threading.Event()
        """Set before the pool terminates the process. The job thread then drops
        any reply it has not unpickled yet."""

    @property
    def pid(self) -> int | None:
        """The process id of the worker process."""
        return self.process.pid


class WorkerPool:
    """Worker processes for the event loop, started on first need.

    Call `run`, `warm_up`, `shutdown` and `aclose` from the thread that runs the
    event loop. After `shutdown` the pool is back to its first state: the next
    `run` or `warm_up` starts new processes.
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
        self._workers: set[_Worker] = set()
        """Processes started and not stopped, busy or idle."""
        self._idle: list[_Worker] = []
        self._waiters: deque[asyncio.Future[bool]] = deque()
        """Jobs waiting for a process. True lets one try again, False fails it."""
        self._pending_warm_up: asyncio.Task[None] | None = None
        self._running_jobs = 0
        self._idle_timer: asyncio.TimerHandle | None = None
        self._announced = False
        """True once the start of the pool is logged, until `shutdown`."""

    def is_started(self) -> bool:
        """True while the pool has a process, from its start until `shutdown`."""
        return bool(self._workers)

    def warm_up(self) -> None:
        """Start a worker process in the background and return at once.

        Call it when a large result may come soon, such as when a send starts,
        so the work finds a process that has already imported its modules. Once
        a process runs, calling it again costs nothing. On a running event loop
        the first call imports multiprocessing on a worker thread first,
        because on the loop's thread that import took about 25 ms.
        """
        self._drop_dead_idle_workers()
        if self._workers:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: the idle timer starts after the first run
            self._start_spare()
            return

        if _POOL_MODULE in sys.modules:
            self._start_spare()
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
        if not self._workers:
            self._start_spare()
            self._start_idle_timer(asyncio.get_running_loop())

    def _start_idle_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._running_jobs == 0 and self._idle_timer is None and self._workers:
            self._idle_timer = loop.call_later(self._idle_seconds, self._stop_idle)

    async def run(self, function: Callable[..., _T], *args: Any) -> _T:
        """Run `function(*args)` in a worker process and return its result.

        Exceptions raised by the function are raised here, with the worker's
        traceback as their `__cause__`. A worker process that ended abruptly
        raises concurrent.futures.process.BrokenProcessPool, and the next call
        starts a new process. `shutdown` and `aclose` make the calls they stop,
        running or waiting for a process, raise BrokenProcessPool too.

        Cancelling the call drops a job that has not started. A running job's
        process is terminated and a new process starts in the background for
        the next job. Its result is dropped without being unpickled, unless
        unpickling had already begun.
        """
        loop = asyncio.get_running_loop()
        self._job_started()
        try:
            worker = await self._acquire_worker(loop)
            job = self._submit(worker, function, args, loop)
            try:
                outcome = await job
            except asyncio.CancelledError:
                if job.cancelled():
                    self._stop_cancelled_job(worker, function)
                else:  # the job ended before the cancellation reached this task
                    self._settle(worker, job.result(), function)
                raise
            self._settle(worker, outcome, function)
            return _unwrap(outcome, function)
        finally:
            self._job_ended(loop)

    async def _acquire_worker(self, loop: asyncio.AbstractEventLoop) -> _Worker:
        """Return an idle worker, start one, or wait until one is free."""
        while True:
            worker = self._take_idle_worker()
            if worker is None and len(self._workers) < self._max_workers:
                worker = self._start_worker()
            if worker is not None:
                return worker

            waiter: asyncio.Future[bool] = loop.create_future()
            self._waiters.append(waiter)
            try:
                may_retry = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result():
                    # This job was woken for a free process: wake the next one.
                    self._wake_waiter()
                raise
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if not may_retry:
                from concurrent.futures.process import BrokenProcessPool

                raise BrokenProcessPool(
                    "the worker pool was shut down before the job started"
                )

    def _submit(
        self,
        worker: _Worker,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
    ) -> asyncio.Future[_Outcome]:
        """Start a thread that runs `function(*args)` on `worker`."""
        job: asyncio.Future[_Outcome] = loop.create_future()
        thread = threading.Thread(
            target=_exchange,
            args=(worker, job, loop, function, args),
            name=f"worker-job-{worker.pid}",
            daemon=True,
        )
        worker.job = job
        worker.thread = thread
        try:
            thread.start()
        except BaseException:
            worker.job = None
            self._idle.append(worker)
            self._wake_waiter()
            raise
        return job

    def _settle(
        self, worker: _Worker, outcome: _Outcome, function: Callable[..., Any]
    ) -> None:
        """Put `worker` back in the pool after its job, or drop it if it ended."""
        worker.job = None
        if worker not in self._workers:
            # `shutdown` or `aclose` ran meanwhile and stopped the process.
            return
        kind = outcome[0]
        if kind == _PIPE_FAILED:
            logger.error(
                "sending %s to worker process %s or reading its reply failed, so "
                "the process is terminated: %r",
                _name_of(function),
                worker.pid,
                outcome[1],
            )
            self._stop(worker)
            self._wake_waiter()
        elif kind == _BROKEN:
            worker.process.join(0)  # sets exitcode if the process has ended
            logger.error(
                "worker process %s ended abruptly (exit code %s) while running "
                "%s, so the next run starts a new process",
                worker.pid,
                worker.process.exitcode,
                _name_of(function),
            )
            self._stop(worker)
            self._wake_waiter()
        elif kind != _STOPPED:
            self._idle.append(worker)
            self._wake_waiter()

    def _stop_cancelled_job(
        self, worker: _Worker, function: Callable[..., Any]
    ) -> None:
        """Terminate the process of a cancelled job and start a spare one."""
        worker.job = None
        if worker not in self._workers:
            # `shutdown` or `aclose` ran meanwhile and stopped the process: the
            # pool starts no spare until it is needed again.
            return
        logger.info(
            "terminating worker process %s, because its job %s was cancelled",
            worker.pid,
            _name_of(function),
        )
        self._stop(worker)
        if not self._idle:
            self._start_spare()
        self._wake_waiter()

    def shutdown(self, *, wait: bool = True) -> None:
        """Terminate the processes, ending their running jobs.

        Calls to `run` that were running or waiting for a process raise
        BrokenProcessPool. With `wait`, return once the processes have exited,
        which takes milliseconds unless a process ignores SIGTERM and is killed
        after EXIT_SECONDS. Without `wait`, a background thread waits for them.
        """
        workers = self._close()
        if not workers:
            return
        if wait:
            _reap(workers)
        else:
            _reap_in_background(workers)
        logger.info("shut down the worker pool")

    async def aclose(self) -> None:
        """Terminate the processes as `shutdown` does, and wait for them to exit
        without blocking the event loop."""
        workers = self._close()
        if not workers:
            return

        # A thread of its own rather than the loop's default executor: qasync's
        # default executor starts QThreads that must be stopped before the
        # process exits, which a loop that is never closed does not do.
        loop = asyncio.get_running_loop()
        stopped = loop.create_future()

        def reap() -> None:
            _reap(workers)
            _call_soon_threadsafe(loop, _set_done, stopped)

        threading.Thread(target=reap, name="worker-pool-shutdown").start()
        await stopped
        logger.info("stopped the worker pool")

    def _close(self) -> list[_Worker]:
        """Terminate every process and fail every job; return the workers."""
        self._cancel_pending_warm_up()
        self._cancel_idle_timer()
        workers = list(self._workers)
        for worker in workers:
            if worker.job is not None and not worker.job.done():
                worker.job.set_result((_STOPPED, None, ""))
            _terminate(worker)
        self._workers.clear()
        self._idle.clear()
        self._announced = False
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(False)
        return workers

    def _cancel_pending_warm_up(self) -> None:
        if self._pending_warm_up is not None:
            self._pending_warm_up.cancel()
            self._pending_warm_up = None

    def _start_worker(self) -> _Worker:
        """Start a worker process, which counts as busy until it is put idle."""
        # Imported here: multiprocessing costs start-up time and memory that an
        # app which never meets a large body does not need to pay.
        import multiprocessing

        context = multiprocessing.get_context(self._start_method)
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(
            target=_serve, args=(theirs,), name="bchook-worker", daemon=True
        )
        try:
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            # The process has its own copy now. Without this one a read on `ours`
            # would not see the end of the pipe when the process ends.
            theirs.close()

        if not self._announced:
            logger.info(
                "started the worker pool: up to %d %s processes",
                self._max_workers,
                self._start_method,
            )
            self._announced = True
        worker = _Worker(process, ours)
        self._workers.add(worker)
        logger.debug("started worker process %s", worker.pid)
        return worker

    def _start_spare(self) -> None:
        """Start an idle process, if the pool has room for one."""
        if len(self._workers) >= self._max_workers:
            return
        try:
            worker = self._start_worker()
        except Exception as error:
            logger.warning("starting a worker process failed: %s", error)
            return
        self._idle.append(worker)

    def _take_idle_worker(self) -> _Worker | None:
        self._drop_dead_idle_workers()
        return self._idle.pop() if self._idle else None

    def _drop_dead_idle_workers(self) -> None:
        """Drop idle workers whose process has ended, such as one killed from outside
        the app."""
        for worker in list(self._idle):
            if worker.process.is_alive():
                continue
            logger.warning(
                "worker process %s ended while idle (exit code %s); the next run "
                "starts a new process",
                worker.pid,
                worker.process.exitcode,
            )
            self._idle.remove(worker)
            self._stop(worker)

    def _stop(self, worker: _Worker) -> None:
        """Remove `worker` from the pool, terminate it, and reap it in the
        background."""
        self._workers.discard(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        _terminate(worker)
        _reap_in_background([worker])

    def _wake_waiter(self) -> None:
        """Let the first job waiting for a process try again."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return

    def _job_started(self) -> None:
        self._running_jobs += 1
        self._cancel_idle_timer()

    def _job_ended(self, loop: asyncio.AbstractEventLoop) -> None:
        self._running_jobs -= 1
        self._start_idle_timer(loop)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _stop_idle(self) -> None:
        self._idle_timer = None
        if self._running_jobs == 0 and self._workers:
            logger.info("the worker pool was idle for %.0f s", self._idle_seconds)
            self.shutdown(wait=False)


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process, as text."""

    def __str__(self) -> str:
        return str(self.args[0])


def _unwrap(outcome: _Outcome, function: Callable[..., _T]) -> _T:
    """Return the result in `outcome`, or raise its exception."""
    kind, value, remote_traceback = outcome
    if kind == _RETURNED:
        return value  # type: ignore[no-any-return]
    if kind == _RAISED:
        value.__cause__ = _RemoteTraceback(remote_traceback)
        raise value
    if kind in (_FAILED_HERE, _PIPE_FAILED):
        raise value

    from concurrent.futures.process import BrokenProcessPool

    if kind == _BROKEN:
        raise BrokenProcessPool(
            f"the worker process ended abruptly while running {_name_of(function)}"
        )
    raise BrokenProcessPool(
        f"the worker pool was shut down while {_name_of(function)} ran"
    )


def _name_of(function: Callable[..., Any]) -> str:
    return str(getattr(function, "__name__", function))


def _exchange(
    worker: _Worker,
    job: asyncio.Future[_Outcome],
    loop: asyncio.AbstractEventLoop,
    function: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    """Run one job on `worker` and hand its outcome to `loop` (a job thread)."""
    outcome = _exchange_outcome(worker, function, args)
    if outcome is not None:
        _call_soon_threadsafe(loop, _set_outcome, job, outcome)


def _exchange_outcome(
    worker: _Worker, function: Callable[..., Any], args: tuple[Any, ...]
) -> _Outcome | None:
    """Send the call, wait for the reply and unpickle it. Return None if the
    pool stopped the worker meanwhile."""
    import pickle
    from multiprocessing.connection import wait

    try:
        request = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        return (_FAILED_HERE, error, "")

    connection = worker.connection
    try:
        connection.send_bytes(request)
        del request
        ready = wait([connection, worker.process.sentinel])
        if worker.stopping.is_set():
            return None
        if connection not in ready:
            return (_BROKEN, None, "")
        reply = connection.recv_bytes()
    except (EOFError, OSError):
        return None if worker.stopping.is_set() else (_BROKEN, None, "")
    except Exception as error:
        return (_PIPE_FAILED, error, "")

    # A reply that arrived just before the pool stopped the worker is dropped
    # here, so a cancelled job's result is not unpickled.
    if worker.stopping.is_set():
        return None
    try:
        outcome: _Outcome = pickle.loads(reply)
    except Exception as error:
        return (_FAILED_HERE, error, "")
    return outcome


def _set_outcome(job: asyncio.Future[_Outcome], outcome: _Outcome) -> None:
    if not job.done():
        job.set_result(outcome)


def _set_done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _call_soon_threadsafe(
    loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any
) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop is closed, so nothing awaits the outcome
        logger.debug("dropped a worker outcome for a closed event loop")


def _terminate(worker: _Worker) -> None:
    """Ask the process to end now: SIGTERM on POSIX, TerminateProcess on Windows."""
    worker.stopping.set()
    if worker.process.exitcode is None:
        worker.process.terminate()


def _reap(workers: Iterable[_Worker]) -> None:
    """Wait for terminated workers to exit, kill any that do not, and close
    their pipes."""
    for worker in workers:
        process = worker.process
        process.join(EXIT_SECONDS)
        if process.exitcode is None:
            logger.warning(
                "worker process %s did not exit %.0f s after SIGTERM; killing it",
                worker.pid,
                EXIT_SECONDS,
            )
            process.kill()
            process.join(EXIT_SECONDS)
        # The job thread gets EOFError from the pipe once the process has exited.
        thread = worker.thread
        if thread is not None:
            thread.join(EXIT_SECONDS)
        if thread is None or not thread.is_alive():
            worker.connection.close()


def _reap_in_background(workers: list[_Worker]) -> None:
    threading.Thread(
        target=_reap, args=(workers,), name="worker-reaper", daemon=True
    ).start()


def _serve(connection: Connection) -> None:
    """Run the jobs that arrive on `connection`, one at a time, until the pool
    closes its end (the main function of a worker process)."""
    _initialize_worker()
    while True:
        try:
            request = connection.recv_bytes()
        except (EOFError, OSError):
            return
        reply = _run_request(request)
        del request
        # Other errors than OSError end the process with a traceback on stderr,
        # and the pool reports BrokenProcessPool.
        try:
            connection.send_bytes(reply)
        except OSError:  # the pool closed its end
            return
        del reply


def _run_request(request: bytes) -> bytes:
    """Unpickle a call, run it, and return the pickled reply."""
    import pickle

    try:
        function, args = pickle.loads(request)
        result = function(*args)
    except BaseException as error:
        return _error_reply(error)
    try:
        return pickle.dumps((_RETURNED, result, ""), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # the result does not pickle
        return _error_reply(error)


def _error_reply(error: BaseException) -> bytes:
    import pickle

    text = "".join(traceback.format_exception(error))
    try:
        return pickle.dumps((_RAISED, error, text), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        stand_in = RuntimeError(
            f"{type(error).__name__}: {error} (the exception does not pickle)"
        )
        return pickle.dumps((_RAISED, stand_in, text))


def _initialize_worker() -> None:
    """Prepare a new worker process: ignore Ctrl+C, end with the app, import."""
    # Ctrl+C in a terminal reaches the whole process group, but the app decides
    # when its workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    # A worker in a long job would run it to its end after the app was killed,
    # and only then see the end of its pipe. This thread ends it at once.
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
