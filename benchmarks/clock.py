"""The clock every benchmark process reads, without importing Qt."""

import time


def now() -> float:
    """Return seconds on the system-wide monotonic clock, which every process
    on the machine shares, so a parent's launch time compares with a child's."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)
