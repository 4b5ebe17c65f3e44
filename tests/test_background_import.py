"""Imports on a worker thread: shared by callers, kept when one is cancelled."""

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bchook_studio.core import background_import
from bchook_studio.core.background_import import import_in_background


class BusyExecutor(ThreadPoolExecutor):
    """A thread pool whose one thread is busy for 0.1 s before each job."""

    def submit(self, fn, /, *args, **kwargs):
        super().submit(time.sleep, 0.1)
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def module_file(monkeypatch, tmp_path):
    """Return the path of a module named `deferred_module`, not yet imported."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(background_import._imports, "deferred_module", raising=False)
    yield tmp_path / "deferred_module.py"
    sys.modules.pop("deferred_module", None)
    background_import._imports.pop("deferred_module", None)


def test_import_runs_on_worker_thread(module_file):
    module_file.write_text(
        "import threading\nTHREAD = threading.current_thread().name\n"
    )

    module = asyncio.run(import_in_background("deferred_module"))

    assert module.THREAD.startswith("import")
    assert sys.modules["deferred_module"] is module


def test_concurrent_callers_share_import(module_file):
    runs = module_file.with_name("runs.txt")
    module_file.write_text(
        "import time\n"
        "from pathlib import Path\n"
        f"runs = Path({str(runs)!r})\n"
        "runs.write_text(runs.read_text() + 'x' if runs.exists() else 'x')\n"
        "time.sleep(0.1)\n"
    )

    async def scenario():
        return await asyncio.gather(
            import_in_background("deferred_module"),
            import_in_background("deferred_module"),
        )

    first, second = asyncio.run(scenario())

    assert first is second
    assert runs.read_text() == "x"


def test_import_survives_cancelled_caller(monkeypatch, module_file):
    module_file.write_text("LOADED = True\n")
    monkeypatch.setattr(background_import, "ThreadPoolExecutor", BusyExecutor)

    async def scenario():
        first = asyncio.create_task(import_in_background("deferred_module"))
        await asyncio.sleep(0.02)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        return await import_in_background("deferred_module")

    assert asyncio.run(scenario()).LOADED is True


def test_import_retried_after_failure(module_file):
    marker = module_file.with_name("failed-once")
    module_file.write_text(
        "from pathlib import Path\n"
        f"marker = Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.touch()\n"
        "    raise RuntimeError('first import fails')\n"
        "LOADED = True\n"
    )

    async def scenario():
        with pytest.raises(RuntimeError, match="first import fails"):
            await import_in_background("deferred_module")
        return await import_in_background("deferred_module")

    assert asyncio.run(scenario()).LOADED is True


def test_loaded_module_returned_at_once():
    module = asyncio.run(import_in_background("json"))

    assert module is sys.modules["json"]
    assert "json" not in background_import._imports
