"""The worker process pool: started on first need, results, errors, shutdown."""

import asyncio
import math
import multiprocessing
import operator
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from bchook_studio.core.workers import WorkerPool

pytestmark = pytest.mark.slow


@pytest.fixture
def pool():
    worker_pool = WorkerPool(max_workers=1)
    yield worker_pool
    worker_pool.shutdown()


def _child_pids() -> set[int]:
    return {child.pid for child in multiprocessing.active_children()}


def test_pool_starts_nothing_until_needed(pool):
    before = _child_pids()
    assert not pool.is_started()
    assert _child_pids() == before


def test_run_returns_result(pool):
    result = asyncio.run(pool.run(math.factorial, 20))
    assert result == 2432902008176640000
    assert pool.is_started()


def test_run_in_other_process(pool):
    worker_pid = asyncio.run(pool.run(os.getpid))
    assert worker_pid != os.getpid()


def test_run_raises_function_error(pool):
    with pytest.raises(ZeroDivisionError) as raised:
        asyncio.run(pool.run(operator.truediv, 1, 0))
    assert "ZeroDivisionError" in str(raised.value.__cause__)


def test_unpicklable_argument_keeps_worker(pool):
    worker_pid = asyncio.run(pool.run(os.getpid))
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        asyncio.run(pool.run(operator.add, lambda: 1, 2))
    assert asyncio.run(pool.run(os.getpid)) == worker_pid


def test_warm_up_returns_at_once(pool):
    started = time.perf_counter()
    pool.warm_up()
    elapsed = time.perf_counter() - started
    assert pool.is_started()
    assert elapsed < 0.5


WARM_UP_ON_LOOP = textwrap.dedent(
    """
    import asyncio, operator, sys
    from bchook_studio.core.workers import WorkerPool

    async def main():
        pool = WorkerPool(max_workers=1)
        pool.warm_up()
        print("loaded on call:", "multiprocessing.connection" in sys.modules)
        for _ in range(200):
            if pool.is_started():
                break
            await asyncio.sleep(0.05)
        print("started:", pool.is_started())
        print("sum:", await pool.run(operator.add, 2, 3))
        await pool.aclose()

    if __name__ == "__main__":
        asyncio.run(main())
    """
)


def test_warm_up_on_loop_imports_off_thread(tmp_path):
    script = tmp_path / "warm_up.py"
    script.write_text(WARM_UP_ON_LOOP)

    completed = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "loaded on call: False" in completed.stdout
    assert "started: True" in completed.stdout
    assert "sum: 5" in completed.stdout


def test_warm_up_process_serves_run(pool):
    pool.warm_up()
    assert asyncio.run(pool.run(operator.add, 2, 3)) == 5


def test_shutdown_stops_processes(pool):
    worker_pid = asyncio.run(pool.run(os.getpid))
    pool.shutdown()
    assert not pool.is_started()
    assert worker_pid not in _child_pids()


def test_run_after_shutdown_starts_again(pool):
    first = asyncio.run(pool.run(os.getpid))
    pool.shutdown()
    second = asyncio.run(pool.run(os.getpid))
    assert second != first


def test_killed_worker_raises_then_recovers(pool):
    worker_pid = asyncio.run(pool.run(os.getpid))

    async def run_while_killed():
        job = asyncio.ensure_future(pool.run(time.sleep, 5))
        await asyncio.sleep(0.5)
        os.kill(worker_pid, signal.SIGKILL)
        return await job

    with pytest.raises(BrokenProcessPool):
        asyncio.run(run_while_killed())
    assert asyncio.run(pool.run(operator.mul, 6, 7)) == 42


def test_worker_killed_while_idle_replaced(pool):
    worker_pid = asyncio.run(pool.run(os.getpid))
    os.kill(worker_pid, signal.SIGKILL)
    # The pool notices the lost process within a few ms of its exit.
    time.sleep(1.0)
    new_pid = asyncio.run(pool.run(os.getpid))
    assert new_pid != worker_pid


def test_warm_up_after_idle_kill(pool):
    worker_pid = asyncio.run(pool.run(os.getpid))
    os.kill(worker_pid, signal.SIGKILL)
    time.sleep(1.0)
    pool.warm_up()
    assert asyncio.run(pool.run(operator.add, 1, 1)) == 2


def test_idle_pool_stops():
    idle_pool = WorkerPool(max_workers=1, idle_seconds=0.2)

    async def run_then_wait():
        worker_pid = await idle_pool.run(os.getpid)
        await asyncio.sleep(0.6)
        return worker_pid

    try:
        worker_pid = asyncio.run(run_then_wait())
        assert not idle_pool.is_started()
        deadline = time.monotonic() + 5
        while worker_pid in _child_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker_pid not in _child_pids()
    finally:
        idle_pool.shutdown()


LONG_JOBS = [
    pytest.param(time.sleep, (30,), id="sleep"),
    pytest.param(sum, (range(10**13),), id="cpu"),
]
"""Jobs that run far longer than any test, unless their process is stopped."""

SECONDS_AFTER_SPAWN = 1.0
"""Seconds a job may take after its process is started, on a busy test machine."""


def _wait_until_ended(pid: int) -> bool:
    """Return True once `pid` is no longer a running child, within 5 s."""
    deadline = time.monotonic() + 5
    while pid in _child_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid not in _child_pids()


async def _start_long_job(pool, function, args):
    job = asyncio.ensure_future(pool.run(function, *args))
    # Long enough for the job to reach the worker and start there.
    await asyncio.sleep(0.5)
    assert not job.done()
    return job


@pytest.mark.parametrize(("function", "args"), LONG_JOBS)
def test_cancel_stops_running_job(pool, function, args):
    async def cancel_then_run():
        started = time.perf_counter()
        first_pid = await pool.run(os.getpid)
        spawn_seconds = time.perf_counter() - started

        job = await _start_long_job(pool, function, args)
        job.cancel()
        cancelled = time.perf_counter()
        next_pid = await pool.run(os.getpid)
        elapsed = time.perf_counter() - cancelled
        with pytest.raises(asyncio.CancelledError):
            await job
        return first_pid, next_pid, spawn_seconds, elapsed

    first_pid, next_pid, spawn_seconds, elapsed = asyncio.run(cancel_then_run())

    assert elapsed < spawn_seconds + SECONDS_AFTER_SPAWN
    assert next_pid != first_pid
    assert _wait_until_ended(first_pid)
    assert pool.is_started()


def test_cancel_starts_spare_process(pool):
    async def cancel_then_wait():
        first_pid = await pool.run(os.getpid)
        job = await _start_long_job(pool, time.sleep, (30,))
        job.cancel()
        await asyncio.sleep(0)
        return first_pid

    first_pid = asyncio.run(cancel_then_wait())
    assert _wait_until_ended(first_pid)
    assert pool.is_started()
    assert _child_pids() - {first_pid}


def test_waiting_job_runs_after_cancel(pool):
    async def queue_behind_cancelled():
        first_pid = await pool.run(os.getpid)
        job = await _start_long_job(pool, time.sleep, (30,))
        waiting = asyncio.ensure_future(pool.run(os.getpid))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        job.cancel()
        cancelled = time.perf_counter()
        next_pid = await asyncio.wait_for(waiting, 30)
        return first_pid, next_pid, time.perf_counter() - cancelled

    first_pid, next_pid, elapsed = asyncio.run(queue_behind_cancelled())
    assert next_pid != first_pid
    assert elapsed < 5


def test_cancel_waiting_job_keeps_running_one(pool):
    async def cancel_waiting():
        first_pid = await pool.run(os.getpid)
        running = asyncio.ensure_future(pool.run(operator.add, 2, 3))
        waiting = asyncio.ensure_future(pool.run(os.getpid))
        await asyncio.sleep(0)
        assert not running.done()
        waiting.cancel()
        result = await running
        return first_pid, result, await pool.run(os.getpid)

    first_pid, result, last_pid = asyncio.run(cancel_waiting())
    assert result == 5
    assert last_pid == first_pid


def test_aclose_stops_running_job(pool):
    async def close_while_running():
        worker_pid = await pool.run(os.getpid)
        job = await _start_long_job(pool, time.sleep, (30,))
        started = time.perf_counter()
        await pool.aclose()
        elapsed = time.perf_counter() - started
        with pytest.raises(BrokenProcessPool):
            await job
        return worker_pid, elapsed

    worker_pid, elapsed = asyncio.run(close_while_running())
    assert elapsed < 2
    assert not pool.is_started()
    assert worker_pid not in _child_pids()


def test_cancel_then_aclose_starts_no_spare(pool):
    # Pools of other tests may still have children, so only new ones count.
    before = _child_pids()

    async def cancel_then_close():
        worker_pid = await pool.run(os.getpid)
        job = await _start_long_job(pool, time.sleep, (30,))
        # The window cancels a preparation, then closes the pool before the
        # cancelled task has run again.
        job.cancel()
        await pool.aclose()
        with pytest.raises(asyncio.CancelledError):
            await job
        await asyncio.sleep(0.2)
        return worker_pid

    worker_pid = asyncio.run(cancel_then_close())
    assert not pool.is_started()
    assert _wait_until_ended(worker_pid)
    assert _child_pids() - before == set()


def test_shutdown_stops_running_job(pool):
    async def shut_down_while_running():
        worker_pid = await pool.run(os.getpid)
        job = await _start_long_job(pool, time.sleep, (30,))
        started = time.perf_counter()
        pool.shutdown()
        elapsed = time.perf_counter() - started
        ended = worker_pid not in _child_pids()
        with pytest.raises(BrokenProcessPool):
            await job
        return ended, elapsed

    ended, elapsed = asyncio.run(shut_down_while_running())
    assert elapsed < 2
    assert ended
    assert asyncio.run(pool.run(operator.add, 1, 2)) == 3


def test_shutdown_fails_waiting_job(pool):
    async def shut_down_while_waiting():
        running = await _start_long_job(pool, time.sleep, (30,))
        waiting = asyncio.ensure_future(pool.run(os.getpid))
        await asyncio.sleep(0.1)
        pool.shutdown(wait=False)
        results = await asyncio.gather(running, waiting, return_exceptions=True)
        return results

    results = asyncio.run(shut_down_while_waiting())
    assert isinstance(results[0], BrokenProcessPool)
    assert isinstance(results[1], BrokenProcessPool)


def test_aclose_waits_for_processes(pool):
    async def run_then_close():
        worker_pid = await pool.run(os.getpid)
        await pool.aclose()
        return worker_pid

    worker_pid = asyncio.run(run_then_close())
    assert not pool.is_started()
    assert worker_pid not in _child_pids()


KILLED_APP = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from bchook_studio.core.workers import WorkerPool

    async def main():
        pool = WorkerPool(max_workers=1)
        worker_pid = await pool.run(os.getpid)
        print(worker_pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    if __name__ == "__main__":
        asyncio.run(main())
    """
)


def _process_ended(pid: int) -> bool:
    """True when `pid` is gone or a zombie that is not reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_worker_ends_with_killed_app(tmp_path):
    script = tmp_path / "killed_app.py"
    script.write_text(KILLED_APP)
    # The worker inherits stdout, so the test reads one line and waits for the
    # app only, not for the end of its output.
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True
    ) as app:
        worker_pid = int(app.stdout.readline())
        returncode = app.wait(timeout=60)

    deadline = time.monotonic() + 10
    while not _process_ended(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    ended = _process_ended(worker_pid)
    if not ended:
        os.kill(worker_pid, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    assert ended
