"""Starting probes and helper servers in fresh processes."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.clock import now
from benchmarks.probes.output import RESULT_PREFIX

ROOT = Path(__file__).resolve().parent.parent


class ProbeError(RuntimeError):
    """A probe process failed or printed no result."""


class ProbeRunner:
    """Runs probes from the repository root, each with a fresh app home folder.

    Probes write and read compiled bytecode in a folder of the run's own, even
    where PYTHONDONTWRITEBYTECODE is set, so after a first run both sides load
    bytecode as an installed app does, and the source tree gets no caches.
    """

    def __init__(self, work_folder: Path, timeout: float) -> None:
        self.work_folder = work_folder
        self.timeout = timeout
        self.bytecode_folder = work_folder / "bytecode"

    def environment(self) -> dict[str, str]:
        """Return the environment of one probe: offscreen Qt, a new app home."""
        environment = dict(os.environ)
        home = tempfile.mkdtemp(prefix="home-", dir=self.work_folder)
        environment["BCHOOK_STUDIO_HOME"] = home
        environment["QT_QPA_PLATFORM"] = "offscreen"
        environment["PYTHONPATH"] = str(ROOT)
        environment["PYTHONPYCACHEPREFIX"] = str(self.bytecode_folder)
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            environment.pop(name, None)
            environment.pop(name.lower(), None)
        return environment

    def run(self, probe: str, *arguments: str, launched: bool = False) -> dict:
        """Run `benchmarks.probes.<probe>` and return its result.

        With `launched`, the probe gets `--launched T`, T being the system-wide
        monotonic time just before the process starts.
        """
        command = [sys.executable, "-m", f"benchmarks.probes.{probe}", *arguments]
        environment = self.environment()
        if launched:
            command += ["--launched", repr(now())]
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        return _result(completed, command)


def _result(completed: subprocess.CompletedProcess[str], command: list[str]) -> dict:
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            if completed.returncode != 0:
                break
            return json.loads(line[len(RESULT_PREFIX) :])
    raise ProbeError(
        f"{' '.join(command[2:4])} exited with status {completed.returncode} "
        f"and no result.\nstdout: {completed.stdout[-2000:]}\n"
        f"stderr: {completed.stderr[-4000:]}"
    )


@contextmanager
def loopback_server() -> Iterator[str]:
    """Run benchmarks.loopback_server in its own process; yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.loopback_server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise ProbeError(f"the loopback server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
