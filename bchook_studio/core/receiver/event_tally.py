"""Counts of repeated connection events, logged as one INFO line per kind.

A flood of bad clients would otherwise write one log line per connection. Each
event is logged at DEBUG when it happens, and `flush` logs one INFO line per
kind of event with its count and the latest example.
"""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

SUMMARY_INTERVAL = 10.0
"""Seconds between two INFO summaries of the same receiver."""


@dataclass
class _Count:
    count: int = 0
    latest_client: str = ""
    latest_detail: str = ""


class EventTally:
    """Counts connection events by kind until the next summary."""

    def __init__(self, now: float, interval: float = SUMMARY_INTERVAL) -> None:
        self._interval = interval
        self._since = now
        self._counts: dict[str, _Count] = {}

    def add(self, kind: str, client: str, detail: str = "") -> None:
        """Count one event of `kind`, such as "requests rejected with status 408"."""
        logger.debug("%s: %s %s", kind, client, detail)
        entry = self._counts.setdefault(kind, _Count())
        entry.count += 1
        entry.latest_client = client
        entry.latest_detail = detail

    def flush(self, now: float, force: bool = False) -> None:
        """Log the counts since the last summary once `interval` has passed.

        With `force`, log them now, as when the receiver stops.
        """
        if not force and now - self._since < self._interval:
            return
        seconds = now - self._since
        for kind, entry in self._counts.items():
            detail = f": {entry.latest_detail}" if entry.latest_detail else ""
            logger.info(
                "%s: %d in the last %.0f s, the latest from %s%s",
                kind,
                entry.count,
                seconds,
                entry.latest_client,
                detail,
            )
        self._counts.clear()
        self._since = now
