"""A 5 ms precise Qt timer that measures how long the event loop stalls."""

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

from benchmarks.clock import now

INTERVAL_MS = 5


class Heartbeat(QObject):
    """Records the longest gap between ticks, and notices when the loop is idle.

    The loop counts as idle once `quiet_seconds` pass with no gap over
    `quiet_gap_seconds`. `on_idle` is then called once, with the time (`now()`)
    at which the quiet stretch began.
    """

    def __init__(
        self,
        *,
        quiet_seconds: float = 0.1,
        quiet_gap_seconds: float = 0.010,
        on_idle: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__()
        self.max_gap = 0.0
        self._quiet_seconds = quiet_seconds
        self._quiet_gap = quiet_gap_seconds
        self._on_idle = on_idle
        self._last = 0.0
        self._quiet_since = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self._tick)

    def start(self, since: float | None = None) -> None:
        """Start ticking; gaps count from `since` (default: now)."""
        self._last = now() if since is None else since
        self._quiet_since = self._last
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def watch_idle(self, on_idle: Callable[[float], None]) -> None:
        """Call `on_idle` once the loop has been quiet, counting from now."""
        self._on_idle = on_idle
        self._quiet_since = now()

    def _tick(self) -> None:
        tick = now()
        gap = tick - self._last
        self._last = tick
        self.max_gap = max(self.max_gap, gap)
        if gap > self._quiet_gap:
            self._quiet_since = tick
        elif self._on_idle is not None and tick - self._quiet_since >= (
            self._quiet_seconds
        ):
            on_idle, self._on_idle = self._on_idle, None
            on_idle(self._quiet_since)
