"""Import a module on a worker thread, so the event loop keeps running meanwhile.

Importing httpx took about 100 ms and h11 about 13 ms on a 2-core VM. Done on
a window's event loop thread, such an import freezes the window. The worker
thread still holds the GIL while it runs Python code, but Python switches
threads every 5 ms (`sys.getswitchinterval()`), so the loop keeps ticking.
"""

import asyncio
import importlib
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType

_imports: dict[str, Future[ModuleType]] = {}
"""Each import started here, by module name, finished ones included."""


async def import_in_background(name: str) -> ModuleType:
    """Return module `name`, importing it on a worker thread if need be.

    Callers that ask while the import runs wait for the same import. A
    cancelled caller leaves it to finish for the others, and an import that
    failed is tried again by the next caller.
    """
    job = _imports.get(name)
    if job is None:
        module = sys.modules.get(name)
        if module is not None:
            return module
    elif job.done() and not job.cancelled() and not _failed(job):
        # Every send calls this, so a finished import returns without a wait.
        return job.result()

    if job is None or job.cancelled() or _failed(job):
        executor = ThreadPoolExecutor(1, thread_name_prefix="import")
        job = executor.submit(importlib.import_module, name)
        executor.shutdown(wait=False)
        _imports[name] = job

    return await asyncio.shield(asyncio.wrap_future(job))


def _failed(job: Future[ModuleType]) -> bool:
    """Return True if `job` finished by raising."""
    return job.done() and job.exception() is not None
