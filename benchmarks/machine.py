"""The machine and software versions a run measured, for the record."""

import os
import platform
import sys
from importlib import metadata
from pathlib import Path


def describe_machine() -> dict[str, object]:
    """Return the CPU model, core count, RAM and the versions that matter here."""
    from PySide6 import QtCore

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(_memory_kib() / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyside6": _version("PySide6-Essentials"),
        "qt": QtCore.qVersion(),
        "qasync": _version("qasync"),
        "httpx": _version("httpx"),
        "lxml": _version("lxml"),
        "uvicorn": _version("uvicorn"),
        "executable": sys.executable,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_kib() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"
