"""The worker process pool: started on first need, results, errors, shutdown."""

import asyncio
import math
import multiprocessing
import operator
import os
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
    with pytest.raises(ZeroDivisionError):
        asyncio.run(pool.run(operator.truediv, 1, 0))


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
        print("loaded on call:", "concurrent.futures.process" in sys.modules)
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
