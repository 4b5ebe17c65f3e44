"""Record a check run's deliveries from the command line, one store for the run.

Like `record_delivery_quietly`, a history that cannot be written costs one
warning, not the run: a read-only, locked or damaged database, or a home
folder that cannot be created, stops the recording and the check goes on.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.store.recording import CLI_LOCK_WAIT
from bchook_studio.core.topics import Topic

logger = logging.getLogger(__name__)


class QuietHistoryRecorder:
    """A check Recorder that writes each delivery to the app home's history.

    Call `open()` and `close()` on a worker thread, around the run. After the
    first problem it records nothing more and reports the problem once
    through `on_problem`.
    """

    def __init__(
        self,
        webhook_id: int | None,
        webhook_name: str | None,
        secret_query_parameters: Iterable[str] = (),
        *,
        on_problem: Callable[[str], None],
        path: Path | None = None,
    ) -> None:
        self._webhook_id = webhook_id
        self._webhook_name = webhook_name
        self._secret_query_parameters = tuple(secret_query_parameters)
        self._on_problem = on_problem
        self._path = path
        self._store = None
        self._failed = False

    def open(self) -> None:
        """Open the database; a problem is reported and recording is skipped."""
        from bchook_studio.core.home import HomeFolderError
        from bchook_studio.core.store import Store, StoreError

        try:
            self._store = Store.open(
                self._path, lock_wait=CLI_LOCK_WAIT, repair=False, interactive=False
            )
        except (StoreError, HomeFolderError, OSError) as exc:
            self._give_up(exc)

    def close(self) -> None:
        """Close the database once every delivery has been recorded."""
        store, self._store = self._store, None
        if store is not None:
            store.close()

    async def __call__(
        self, result: DeliveryResult, topic: Topic, run_id: str
    ) -> int | None:
        """Record one delivery on a worker thread; return its history id or None."""
        from bchook_studio.core.store import StoreError

        store = self._store
        if store is None or self._failed:
            return None
        try:
            return await asyncio.to_thread(
                store.history.record,
                result,
                self._webhook_id,
                self._webhook_name,
                topic.key,
                run_id,
                secret_query_parameters=self._secret_query_parameters,
            )
        except (StoreError, OSError) as exc:
            if not self._failed:
                self._give_up(exc)
            return None

    def _give_up(self, exc: Exception) -> None:
        # The store stays open until close(), because other deliveries may be
        # writing to it on other threads right now.
        self._failed = True
        logger.warning("check deliveries not recorded in the history: %s", exc)
        self._on_problem(f"the deliveries were not recorded in the history: {exc}")
