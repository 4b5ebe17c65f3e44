"""The result line a probe prints, and the process memory it reads."""

import json
import os
import sys
from pathlib import Path

RESULT_PREFIX = "BENCH-RESULT "


def emit(result: dict[str, object]) -> None:
    """Print `result` as the probe's one result line and flush it."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def process_tree(pid: int) -> list[int]:
    """Return `pid` and the ids of all its descendants (Linux /proc)."""
    found = [pid]
    index = 0
    while index < len(found):
        found.extend(_children(found[index]))
        index += 1
    return found


def rss_kib(pid: int) -> int:
    """Return the resident set size of one process in KiB, 0 once it has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_rss_kib(pid: int | None = None) -> tuple[int, int]:
    """Return the summed RSS in KiB of a process and its descendants, and their
    count."""
    pids = process_tree(os.getpid() if pid is None else pid)
    return sum(rss_kib(member) for member in pids), len(pids)


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "children").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.extend(int(child) for child in text.split())
    return children
