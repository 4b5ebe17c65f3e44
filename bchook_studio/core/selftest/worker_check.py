"""Check that a worker process starts and runs the app's code.

The response view pretty-prints large bodies in worker processes started with
the "spawn" method. In a frozen app a spawned worker re-runs the executable,
which must hand the run to multiprocessing (`multiprocessing.freeze_support`,
required on Windows) rather than start a second copy of the app.
"""

import asyncio

from bchook_studio.core.formats.json_text import pretty_json_text
from bchook_studio.core.selftest.cases import CheckFailed
from bchook_studio.core.workers import WorkerPool

SAMPLE = '{"self-test": [1, 2.50, 3e2], "name": "Ünïcode"}'
TIMEOUT_SECONDS = 60.0


def check_worker_process() -> str:
    """Pretty-print a JSON sample in a new worker process and compare the result."""
    return asyncio.run(_check())


async def _check() -> str:
    pool = WorkerPool(max_workers=1)
    try:
        result = await asyncio.wait_for(
            pool.run(pretty_json_text, SAMPLE), TIMEOUT_SECONDS
        )
    except TimeoutError:
        raise CheckFailed(
            f"a worker process returned no result within {TIMEOUT_SECONDS:.0f} s"
        ) from None
    except Exception as exc:
        raise CheckFailed(
            f"a worker process failed: {type(exc).__name__}: {exc}. Large "
            "responses cannot be shown; reinstall the app."
        ) from None
    finally:
        pool.shutdown(wait=True)

    if result != pretty_json_text(SAMPLE):
        raise CheckFailed(
            "a worker process pretty-printed JSON differently from the app itself"
        )
    return "pretty-printed JSON in a spawned process"
