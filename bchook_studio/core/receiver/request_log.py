"""The in-memory store of received requests, bounded by count and by bytes.

Everything here runs on the event loop's thread; nothing is locked.
"""

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from bchook_studio.core.caps import MIB
from bchook_studio.core.receiver.records import ReceivedRequest

logger = logging.getLogger(__name__)

Listener = Callable[[ReceivedRequest], None]

DEFAULT_MAX_COUNT = 1000
DEFAULT_MAX_BYTES = 64 * MIB

_KEPT_CHANGES = 1000
"""Changes kept for readers, which poll long before this many pile up."""


class RequestLog:
    """Received requests, oldest dropped first once a limit is passed.

    Consumers learn about new requests in two ways: a listener is called
    synchronously for each request as it is added, and a `LogReader` hands
    out, in one batch, every request added since its previous call.
    """

    def __init__(
        self, max_count: int = DEFAULT_MAX_COUNT, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self._entries: deque[tuple[ReceivedRequest, int]] = deque()
        self._listeners: list[Listener] = []
        self._last_id = 0
        self.max_count = 0
        self.max_bytes = 0
        self.total_bytes = 0
        """Approximate bytes held by the kept requests (`stored_size` summed)."""

        self.dropped_count = 0
        """Requests dropped so far to stay within the limits; `clear` keeps it."""

        self._changes: deque[tuple[int, int]] = deque(maxlen=_KEPT_CHANGES)
        """(change number, request id) of kept requests changed after they were
        added, newest last."""
        self._change_count = 0
        self.set_limits(max_count, max_bytes)

    def set_limits(self, max_count: int, max_bytes: int) -> None:
        """Change the limits and drop the oldest requests now if they are passed."""
        if max_count < 1:
            raise ValueError(
                f"invalid maximum request count {max_count}; use 1 or more"
            )
        if max_bytes < 1:
            raise ValueError(f"invalid maximum byte count {max_bytes}; use 1 or more")
        self.max_count = max_count
        self.max_bytes = max_bytes
        self._drop_over_limits()

    def next_id(self) -> int:
        """Reserve and return the id for the next request to be added."""
        self._last_id += 1
        return self._last_id

    def add(self, request: ReceivedRequest) -> None:
        """Keep `request`, drop the oldest ones over the limits, call the listeners.

        The request just added is always kept, even when it alone is larger
        than `max_bytes`.
        """
        size = request.stored_size
        self._entries.append((request, size))
        self.total_bytes += size
        self._drop_over_limits()

        for listener in self._listeners:
            try:
                listener(request)
            except Exception:
                logger.exception(
                    "a request log listener failed on request %d", request.id
                )

    def _drop_over_limits(self) -> None:
        entries = self._entries
        while len(entries) > 1 and (
            len(entries) > self.max_count or self.total_bytes > self.max_bytes
        ):
            _, size = entries.popleft()
            self.total_bytes -= size
            self.dropped_count += 1

    def mark_unanswered(self, request_id: int) -> None:
        """Record that a kept request got no complete response after all.

        Its status was set when it arrived. A delayed or slow response that
        the client did not wait for has none, so the status becomes None.
        """
        for index in range(len(self._entries) - 1, -1, -1):
            request, size = self._entries[index]
            if request.id == request_id:
                self._entries[index] = (replace(request, status=None), size)
                self._change_count += 1
                self._changes.append((self._change_count, request_id))
                return
            if request.id < request_id:
                return

    @property
    def change_count(self) -> int:
        """Return the number of changes to kept requests so far."""
        return self._change_count

    def changed_after(self, change: int) -> list[ReceivedRequest]:
        """Return the kept requests changed after change number `change`."""
        changed_ids = [
            request_id for number, request_id in self._changes if number > change
        ]
        found = (self.get(request_id) for request_id in dict.fromkeys(changed_ids))
        return [request for request in found if request is not None]

    def clear(self) -> None:
        """Forget every kept request. Ids keep increasing afterwards."""
        self._entries.clear()
        self.total_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def requests(self) -> list[ReceivedRequest]:
        """Return the kept requests, newest first."""
        return [request for request, _ in reversed(self._entries)]

    def get(self, request_id: int) -> ReceivedRequest | None:
        """Return the kept request with this id, or None once it is dropped."""
        for request, _ in reversed(self._entries):
            if request.id == request_id:
                return request
            if request.id < request_id:
                break
        return None

    @property
    def oldest_id(self) -> int | None:
        """Return the id of the oldest kept request, or None when none is kept.

        A view that shows older ids drops them: they were evicted or cleared.
        """
        return self._entries[0][0].id if self._entries else None

    def added_after(self, request_id: int) -> list[ReceivedRequest]:
        """Return the kept requests with an id above `request_id`, oldest first."""
        newer = []
        for request, _ in reversed(self._entries):
            if request.id <= request_id:
                break
            newer.append(request)
        newer.reverse()
        return newer

    @property
    def last_id(self) -> int:
        """Return the id most recently handed out, or 0 before the first."""
        return self._last_id

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(request)` for every request added from now on.

        A listener runs inside the receiver's handling of the request, so it
        should be quick: record the arrival and do the work later. An
        exception it raises is logged and otherwise ignored.
        """
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        """Stop calling `listener`; an unknown listener is ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def reader(self) -> "LogReader":
        """Return a reader whose first `take_new` returns requests added from now on."""
        return LogReader(self, self._last_id)


class LogReader:
    """A cursor into a RequestLog that hands out new requests in batches.

    Each reader has its own position, so several views can batch independently.
    Requests dropped from the log before a reader took them are skipped.
    """

    def __init__(self, log: RequestLog, after_id: int = 0) -> None:
        self._log = log
        self._after_id = after_id
        self._after_change = log.change_count

    def take_new(self) -> list[ReceivedRequest]:
        """Return the requests added since the previous call, oldest first."""
        new = self._log.added_after(self._after_id)
        if new:
            self._after_id = new[-1].id
        return new

    def take_changed(self) -> list[ReceivedRequest]:
        """Return the kept requests changed since the previous call, as now."""
        if self._log.change_count == self._after_change:
            return []
        changed = self._log.changed_after(self._after_change)
        self._after_change = self._log.change_count
        return changed
