"""A qasync loop for GUI tests: asyncio tasks run whenever Qt processes events."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bchook_studio.gui.event_loop import BatchingEventLoop


@pytest.fixture(scope="session")
def session_loop(qapp):
    """One qasync loop for the whole session, marked as running from the start.

    It is never stopped: stopping calls QCoreApplication.exit(), which leaves
    Qt's quit flag set, so every later QEventLoop.exec() (qtbot.waitSignal)
    would return at once.
    """
    loop = BatchingEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    yield loop


@pytest.fixture
def thread_executor():
    """Return the Python thread pool that asyncio.to_thread uses in a GUI test.

    qasync's default executor starts QThreads that nothing stops in a loop
    that is never closed, and Qt aborts the process at exit over them.
    """
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-executor")
    yield executor
    executor.shutdown()


@pytest.fixture
def qloop(qapp, session_loop, thread_executor):
    """Make the qasync loop the running loop for one test.

    Afterwards tasks the test left behind are cancelled and awaited, and no loop
    is left running, so tests that call asyncio.run() still work.
    """
    asyncio.events._set_running_loop(session_loop)
    asyncio.set_event_loop(session_loop)
    session_loop.set_default_executor(thread_executor)
    yield session_loop

    pending = [task for task in asyncio.all_tasks(session_loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        gathered = asyncio.gather(*pending, return_exceptions=True)
        deadline = session_loop.time() + 5
        while not gathered.done() and session_loop.time() < deadline:
            qapp.processEvents()
    session_loop.set_default_executor(None)
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)


def run_in_loop(qtbot, coroutine, timeout_ms: int = 10_000):
    """Run `coroutine` as a task on the current qasync loop and return its result."""
    task = asyncio.ensure_future(coroutine)
    qtbot.waitUntil(task.done, timeout=timeout_ms)
    return task.result()
