"""The app's asyncio loop: qasync's Qt loop with ready callbacks run in batches.

qasync starts a Qt timer for every `call_soon`, so each socket event and each
finished future costs a timer start, a timer event and a timer kill. Under a
receiver's load that bookkeeping, not the request handling, sets the
throughput. This loop queues `call_soon` callbacks instead and runs everything
queued in one pass from a single zero-interval timer, as asyncio's own loop
does. Callbacks queued during a pass run in the next pass, after Qt has
handled the events that arrived meanwhile, so a busy loop never starves
painting or input. The timer stays armed while a pass runs, so a nested Qt
event loop (a modal dialog opened by a callback) runs the rest of the queue.

While it runs, the loop also installs asyncio's async generator hooks, which
qasync leaves out. An async generator dropped before its end, such as an HTTP
body read up to a cap, is then closed by a task on the loop.
`shutdown_asyncgens` closes the rest at exit. Without the hooks the garbage
collector closes them later, when no loop runs.
"""

import asyncio
import collections
import sys
import time
from collections.abc import Callable
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import QSocketNotifier, Qt, QTimer

PASS_BUDGET_SECONDS = 0.008
"""Seconds of socket callbacks after which the rest of the ready sockets wait for
the next pass of Qt's event loop, so that timers, painting and input run in
between. With 100 busy receiver connections, running every ready socket in one
pass held the loop for about 40 to 70 ms on a 2-core VM, and about 20 ms with
this budget."""


_Deferred = tuple[dict[Any, QSocketNotifier], Any, QSocketNotifier]
"""A notifier's table, its file descriptor and the notifier, waiting for a pass."""


class BatchingEventLoop(qasync.QEventLoop):
    """A qasync loop whose `call_soon` callbacks share one Qt timer per pass."""

    def __init__(self, app: object = None, **options: Any) -> None:
        self._soon: collections.deque[asyncio.Handle] = collections.deque()
        self._soon_timer = QTimer()
        self._soon_timer.setSingleShot(True)
        self._soon_timer.setInterval(0)
        self._soon_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._soon_timer.timeout.connect(self._run_soon)
        # Armed by the first socket callback of a pass of Qt's event loop. It
        # fires once that pass has handled its sockets.
        self._pass_timer = QTimer()
        self._pass_timer.setSingleShot(True)
        self._pass_timer.setInterval(0)
        self._pass_timer.timeout.connect(self._end_pass)
        self._pass_started = 0.0
        self._deferred: list[_Deferred] = []
        super().__init__(app, **options)

    def call_soon(
        self,
        callback: Callable[..., object],
        *args: object,
        context: Context | None = None,
    ) -> asyncio.Handle:
        """Queue `callback(*args)` for the next pass; return its handle.

        On a closed loop the handle comes back cancelled and never runs, as
        with qasync: callbacks that other threads sent before `close` still
        arrive through a queued Qt signal afterwards.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")

        handle = asyncio.Handle(callback, args, self, context=context)
        if self.is_closed():
            handle.cancel()
            return handle

        self._soon.append(handle)
        if not self._soon_timer.isActive():
            self._soon_timer.start()
        return handle

    def _add_reader(
        self, fd: Any, callback: Callable[..., object], *args: object
    ) -> None:
        """Run `callback(*args)` whenever `fd` is readable."""
        self._watch(self._read_notifiers, QSocketNotifier.Type.Read, fd, callback, args)

    def _add_writer(
        self, fd: Any, callback: Callable[..., object], *args: object
    ) -> None:
        """Run `callback(*args)` whenever `fd` is writable."""
        self._watch(
            self._write_notifiers, QSocketNotifier.Type.Write, fd, callback, args
        )

    def _watch(
        self,
        notifiers: dict[Any, QSocketNotifier],
        kind: QSocketNotifier.Type,
        fd: Any,
        callback: Callable[..., object],
        args: tuple[object, ...],
    ) -> None:
        """Replace the notifier of `fd` with one that runs the callback directly.

        qasync disables the notifier, queues the callback and enables the
        notifier again once it ran: two notifier calls and a Qt timer per event.
        Running the callback inside the notifier's signal reads the socket
        before Qt polls it again, so the notifier can stay enabled.
        """
        self._check_closed()
        existing = notifiers.pop(fd, None)
        if existing is not None:
            existing.setEnabled(False)
            existing.activated["int"].disconnect()

        handle = asyncio.Handle(callback, args, self)
        notifier = QSocketNotifier(_descriptor(fd), kind)
        running = False
        paused = False

        def ready() -> None:
            nonlocal running, paused
            if notifiers.get(fd) is not notifier:
                return
            if running:
                # A nested Qt event loop inside the callback: the socket stays
                # ready until the callback returns, so wait for that.
                notifier.setEnabled(False)
                paused = True
                return

            if self._over_budget():
                # The socket stays ready, so it runs in the next pass.
                notifier.setEnabled(False)
                self._deferred.append((notifiers, fd, notifier))
                return

            running = True
            try:
                handle._run()
            finally:
                running = False
                if paused:
                    paused = False
                    if notifiers.get(fd) is notifier and not self.is_closed():
                        notifier.setEnabled(True)

        notifier.activated["int"].connect(ready)
        notifiers[fd] = notifier

    def _over_budget(self) -> bool:
        """Start timing a pass at its first socket callback; True once the pass
        has run PASS_BUDGET_SECONDS of them."""
        now = time.perf_counter()
        if not self._pass_timer.isActive():
            self._pass_started = now
            self._pass_timer.start()
            return False
        return now - self._pass_started > PASS_BUDGET_SECONDS

    def _end_pass(self) -> None:
        """Let the sockets that waited for this pass to end run again."""
        deferred, self._deferred = self._deferred, []
        if self.is_closed():
            return
        for notifiers, fd, notifier in deferred:
            if notifiers.get(fd) is notifier:
                notifier.setEnabled(True)

    def _before_run_forever(self) -> None:
        """Install asyncio's async generator hooks, as asyncio's run_forever does."""
        super()._before_run_forever()
        self._saved_asyncgen_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )

    def _after_run_forever(self) -> None:
        """Put back the async generator hooks that were set before the loop ran."""
        super()._after_run_forever()
        saved = getattr(self, "_saved_asyncgen_hooks", None)
        if saved is not None:
            sys.set_asyncgen_hooks(*saved)
            self._saved_asyncgen_hooks = None

    def close(self) -> None:
        """Drop queued callbacks, then close as qasync does."""
        if not self.is_running() and not self.is_closed():
            self._soon_timer.stop()
            self._soon_timer.timeout.disconnect(self._run_soon)
            self._soon.clear()
        super().close()

    def _run_soon(self) -> None:
        """Run the callbacks queued before this pass began."""
        self._soon_timer.start()
        try:
            for _ in range(len(self._soon)):
                # A nested event loop in an earlier callback may have run the rest.
                if not self._soon:
                    break
                handle = self._soon.popleft()
                if not handle.cancelled():
                    handle._run()
        finally:
            if not self._soon:
                self._soon_timer.stop()


def _descriptor(fd: Any) -> int:
    """Return the file descriptor number of `fd`, an int or a file-like object."""
    if isinstance(fd, int):
        return fd
    try:
        return int(fd.fileno())
    except (AttributeError, TypeError, ValueError):
        raise ValueError(f"not a file descriptor or file object: {fd!r}") from None
