"""One SQLite connection shared by the parts of a store, with its lock.

Every read and write goes through `reading()` or `writing()`, which hold the
store's lock (the GUI calls the store from worker threads) and turn sqlite3
errors into StoreError subclasses with messages for users.
"""

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bchook_studio.core.store.database import is_busy, is_corrupt, is_not_writable
from bchook_studio.core.store.errors import (
    ReadOnlyReason,
    ReadOnlyStoreError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
)

logger = logging.getLogger(__name__)

_READ_ONLY_MESSAGES = {
    ReadOnlyReason.LOCKED: (
        "another program held a lock on it when Hook Studio started. Close the "
        "other program and restart Hook Studio to save changes."
    ),
    ReadOnlyReason.NEWER_VERSION: (
        "a newer version of Hook Studio wrote it. Update Hook Studio to save changes."
    ),
    ReadOnlyReason.NOT_WRITABLE: (
        "the file or its folder cannot be written. Check their permissions."
    ),
}


class StoreConnection:
    """A connection, its lock, and whether writes are allowed."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path,
        read_only_reason: ReadOnlyReason | None,
    ) -> None:
        connection.row_factory = sqlite3.Row
        self.connection = connection
        self.path = path
        self.read_only_reason = read_only_reason
        self.lock = threading.RLock()
        self._closed = False

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and yield the connection for queries."""
        with self.lock:
            self._check_open()
            try:
                yield self.connection
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and yield the connection inside one write transaction.

        The transaction commits when the block ends and rolls back when it
        raises. Raises ReadOnlyStoreError for a read-only store.
        """
        if self.read_only_reason is not None:
            raise ReadOnlyStoreError(
                self.read_only_reason,
                f"cannot save to the database {self.path}: it is open read-only "
                f"because {_READ_ONLY_MESSAGES[self.read_only_reason]}",
            )
        with self.lock:
            self._check_open()
            try:
                self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc
            try:
                yield self.connection
                self.connection.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                if isinstance(exc, sqlite3.Error):
                    raise self._translate(exc) from exc
                raise

    def close(self) -> None:
        """Close the connection; later calls raise StoreError."""
        with self.lock:
            if not self._closed:
                self._closed = True
                self.connection.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the database {self.path} is closed.")

    def _rollback(self) -> None:
        if not self.connection.in_transaction:
            return
        try:
            self.connection.execute("ROLLBACK")
        except sqlite3.Error as exc:
            logger.warning("rollback on %s failed: %s", self.path, exc)

    def _translate(self, exc: sqlite3.Error) -> StoreError:
        if is_busy(exc):
            return StoreLockedError(
                f"the database {self.path} is locked by another program. Try "
                "again in a moment."
            )
        if is_corrupt(exc):
            logger.error("database %s is damaged: %s", self.path, exc)
            return StoreCorruptError(
                f"the database {self.path} is damaged ({exc}). Restart Hook "
                "Studio to move it aside and create a new one."
            )
        if is_not_writable(exc):
            # Opening a current database in WAL mode writes nothing, so a file
            # that cannot be written is found only by the first write.
            logger.error("database %s cannot be written: %s", self.path, exc)
            return StoreError(
                f"cannot save to the database {self.path}, because "
                f"{_READ_ONLY_MESSAGES[ReadOnlyReason.NOT_WRITABLE]}"
            )
        logger.error("database error on %s: %s", self.path, exc)
        return StoreError(f"the database {self.path} reported an error: {exc}.")
