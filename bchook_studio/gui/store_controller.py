"""The window's access to the store: every store call runs off the GUI thread.

`StoreController` owns one `Store` and one worker thread. Every call runs on
that thread in order, so a history query made after `flush_history` returns
includes the deliveries queued before it, and keychain calls never overlap.
The store has one lock, so a second thread would only wait on it.

Delivery records are queued and written in the background: `record_delivery`
returns at once, and `aclose` writes what is still queued before it closes
the database.

The store itself (and SQLite with it) is imported on the worker thread when the
store opens, and the export and import modules when first used.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.export.masking import mask_url
from bchook_studio.core.store.delivery_record import DeliveryRecord
from bchook_studio.core.store.errors import (
    ReadOnlyReason,
    ReadOnlyStoreError,
    StoreError,
    StoreLockedError,
)
from bchook_studio.core.store.notices import StoreNotice
from bchook_studio.core.webhook import Webhook
from bchook_studio.gui.placeholders import fill

if TYPE_CHECKING:
    from bchook_studio.core.delivery.request import OutgoingRequest
    from bchook_studio.core.delivery.result import DeliveryResult
    from bchook_studio.core.export.history_entries import EntryExport, ExportKind
    from bchook_studio.core.export.importing import ImportReport
    from bchook_studio.core.store import (
        DeletedWebhook,
        HistoryEntry,
        HistoryFilter,
        HistorySummary,
        SavedWebhook,
        SecretStorePolicy,
        Store,
        WebhookSummary,
    )
    from bchook_studio.core.store.webhooks import ReceiverRules

logger = logging.getLogger(__name__)

T = TypeVar("T")

RECORD_BATCH_SIZE = 50
"""Records written per trip to the worker thread, in one transaction."""

RECORD_GATHER_SECONDS = 0.05
"""Seconds the writer waits after the first queued record, so that deliveries
made in the meantime share its transaction."""

LOCKED_RETRIES = 3
"""Extra attempts at a batch when another program holds the database lock."""

LOCKED_RETRY_DELAY = 1.0
"""Seconds between those attempts (SQLite itself already waits 5 s per attempt)."""


class ControllerState(StrEnum):
    """The lifecycle state of a controller, which opens once and closes once."""

    NEW = "new"
    OPENING = "opening"
    OPEN = "open"
    FAILED = "failed"
    """Opening raised an error, so nothing can be read or written."""

    CLOSING = "closing"
    CLOSED = "closed"


class StoreUnavailableError(StoreError):
    """A store call came before `open()` finished, after it failed, or after closing."""


@dataclass(frozen=True)
class _BatchOutcome:
    recorded: tuple[tuple[DeliveryRecord, int], ...]
    """Records written, each with its history entry id."""

    failures: tuple[tuple[DeliveryRecord, Exception], ...]
    locked: tuple[DeliveryRecord, ...]
    """Records that found the database locked, to try again."""


class StoreController(QObject):
    """Opens the store on a worker thread and wraps its calls in coroutines.

    Every coroutine raises the store's own errors (StoreError subclasses, whose
    messages are written for users, and ResendError or ImportFileError where
    noted), so the window can show `str(exc)` after saying what failed.
    `lock_wait` bounds the seconds spent retrying a locked database; None keeps
    the store's default.
    """

    opened = Signal()
    """The store is open. Emitted after `read_only_changed` and `notices_ready`."""

    notices_ready = Signal(list)
    """The list of StoreNotice from opening, emitted only when it is not empty."""

    read_only_changed = Signal(bool)
    """True when the store opened read-only. Emitted once after opening."""

    secrets_choice_needed = Signal()
    """No keychain is usable and the user has not chosen where secrets go."""

    webhooks_changed = Signal()
    """A webhook was saved, renamed, duplicated, deleted, restored or imported."""

    history_changed = Signal()
    """Deliveries were recorded or deleted. Emitted once per written batch."""

    history_record_failed = Signal(str)
    """A message for the user when queued deliveries could not be recorded."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        path: Path | None = None,
        lock_wait: float | None = None,
    ) -> None:
        super().__init__(parent)
        self._path = path
        self._lock_wait = lock_wait
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._store: Store | None = None
        self._state = ControllerState.NEW
        self._open_error: BaseException | None = None
        self._open_finished = asyncio.Event()
        self._pending: deque[DeliveryRecord] = deque()
        self._data_version: int | None = None
        self._id_waiters: dict[int, asyncio.Future[int | None]] = {}
        """Futures for the entry ids of queued records, keyed by id(record)."""
        self._wake_writer = asyncio.Event()
        self._history_idle = asyncio.Event()
        self._history_idle.set()
        self._writer: asyncio.Task[None] | None = None
        self._read_only_drops = 0

    # State.

    @property
    def state(self) -> ControllerState:
        """The lifecycle state."""
        return self._state

    @property
    def is_open(self) -> bool:
        """True between a successful `open()` and `aclose()`."""
        return self._state is ControllerState.OPEN

    @property
    def read_only(self) -> bool:
        """True when the open store rejects writes (False before opening)."""
        return self._store is not None and self._store.read_only

    @property
    def read_only_reason(self) -> ReadOnlyReason | None:
        """The reason the store is read-only, or None."""
        return None if self._store is None else self._store.read_only_reason

    @property
    def notices(self) -> tuple[StoreNotice, ...]:
        """The notices from opening (empty before opening)."""
        return () if self._store is None else self._store.notices

    @property
    def database_path(self) -> Path | None:
        """The database file once open, else the path given, else None."""
        return self._store.path if self._store is not None else self._path

    @property
    def pending_records(self) -> int:
        """Deliveries queued for the history and not yet written."""
        return len(self._pending)

    # Opening and closing.

    async def open(self) -> None:
        """Open or create the database on the worker thread, then emit signals.

        Emits `read_only_changed`, `notices_ready` (when there are notices),
        `secrets_choice_needed` (when the user must choose) and `opened`, in
        that order. Raises StoreOpenError or HomeFolderError when the database
        can be neither opened nor created, and StoreUnavailableError when
        called twice.
        """
        if self._state is not ControllerState.NEW:
            raise StoreUnavailableError(
                f"the database is already {self._state.value}, and open() runs "
                "once per controller."
            )
        self._state = ControllerState.OPENING
        try:
            store, needs_choice = await self._run(
                _open_store, self._path, self._lock_wait
            )
        except BaseException as exc:
            self._state = ControllerState.FAILED
            self._open_error = exc
            self._open_finished.set()
            self._drop_pending("the database could not be opened")
            raise

        if self._state is not ControllerState.OPENING:
            # aclose() ran while the file was opening.
            await self._run(store.close)
            self._open_finished.set()
            return
        self._store = store
        self._state = ControllerState.OPEN
        self._open_finished.set()
        self._writer = asyncio.ensure_future(self._write_history())

        self.read_only_changed.emit(store.read_only)
        if store.notices:
            self.notices_ready.emit(list(store.notices))
        if needs_choice:
            self.secrets_choice_needed.emit()
        self.opened.emit()

    async def aclose(self) -> None:
        """Write the queued deliveries, close the database and stop the thread.

        Safe to call in any state and more than once. Deliveries queued
        before the final write are written, and later ones are logged and dropped.
        """
        if self._state in (ControllerState.CLOSING, ControllerState.CLOSED):
            return
        if self._state is ControllerState.OPENING:
            self._state = ControllerState.CLOSING
            await self._open_finished.wait()
        self._state = ControllerState.CLOSING

        if self._writer is not None:
            self._wake_writer.set()
            try:
                await self._writer
            except asyncio.CancelledError:
                if _current_task_cancelling():
                    raise
                logger.warning("the history writer was cancelled before closing")
        if self._store is not None and self._pending:
            # Queued after the writer's last pass, or left by a cancelled writer.
            await self._drain(self._store)

        if self._store is not None:
            await self._run(self._store.close)
        self._state = ControllerState.CLOSED
        self._drop_pending("the database is closed")
        self._executor.shutdown(wait=True)
        logger.info("store controller closed")

    # Saved webhooks.

    async def list_webhooks(self) -> list[WebhookSummary]:
        """Return the saved webhooks by name, without their secrets."""
        store = await self._open_store()
        return await self._run(store.list_webhooks)

    async def load(self, webhook_id: int) -> SavedWebhook:
        """Return a saved webhook with its secrets (may wait on the keychain).

        Raises WebhookNotFoundError or WebhookCodecError.
        """
        store = await self._open_store()
        return await self._run(store.get_webhook, webhook_id)

    async def save(
        self,
        webhook: Webhook,
        webhook_id: int | None = None,
        receiver_rules: ReceiverRules | None = None,
    ) -> int:
        """Save a new webhook (`webhook_id` None) or replace one, and return its id.

        Raises DuplicateNameError, InvalidNameError, WebhookNotFoundError,
        SecretStorageError or ReadOnlyStoreError.
        """
        store = await self._open_store()
        saved_id = await self._run(
            store.save_webhook, webhook, webhook_id, receiver_rules
        )
        self.webhooks_changed.emit()
        return saved_id

    async def rename(self, webhook_id: int, name: str) -> None:
        """Rename a saved webhook, or raise DuplicateNameError or InvalidNameError."""
        store = await self._open_store()
        await self._run(store.rename, webhook_id, name)
        self.webhooks_changed.emit()

    async def duplicate(self, webhook_id: int, name: str | None = None) -> int:
        """Save a copy, secrets included, and return its id.

        The copy is named `name`, or the original's name made unique ("Name (2)").
        """
        store = await self._open_store()
        copy_id = await self._run(store.duplicate, webhook_id, name)
        self.webhooks_changed.emit()
        return copy_id

    async def delete(self, webhook_id: int) -> DeletedWebhook:
        """Delete a webhook and return what `restore` needs to undo it."""
        store = await self._open_store()
        deleted = await self._run(store.delete, webhook_id)
        self.webhooks_changed.emit()
        return deleted

    async def restore(self, deleted: DeletedWebhook) -> int:
        """Put a deleted webhook back under its old id and return the id."""
        store = await self._open_store()
        restored_id = await self._run(store.restore, deleted)
        self.webhooks_changed.emit()
        return restored_id

    async def unique_name(self, name: str) -> str:
        """Return `name`, or "Name (2)"-style when a saved webhook has it."""
        store = await self._open_store()
        return await self._run(store.unique_name, name)

    async def export_definitions(self, *, with_secrets: bool = False) -> str:
        """Return every saved webhook as definitions file text."""
        from bchook_studio.core.export.definitions import export_definitions

        store = await self._open_store()
        return await self._run(
            functools.partial(export_definitions, store, with_secrets=with_secrets)
        )

    async def import_file(self, path: Path) -> ImportReport:
        """Import webhooks from a definitions file or a cURL command file.

        Raises ImportFileError for a file that cannot be read as either.
        """
        from bchook_studio.core.export.importing import import_file

        store = await self._open_store()
        try:
            return await self._run(import_file, store, Path(path))
        finally:
            # A failed import removes what it saved, but the list may have
            # been read while those webhooks existed.
            self.webhooks_changed.emit()

    async def choose_secret_storage(self, policy: SecretStorePolicy) -> None:
        """Record where secrets go when no keychain is usable.

        Takes SESSION_ONLY or DATABASE, and raises ValueError for KEYCHAIN.
        """
        store = await self._open_store()
        await self._run(store.secrets.choose, policy)

    async def secret_locations(self, webhook_id: int) -> dict[str, SecretStorePolicy]:
        """Return where each secret of a saved webhook is kept, by field name.

        Reads the database only, never the keychain.
        """
        store = await self._open_store()
        return await self._run(store.secrets.locations, webhook_id)

    async def size_caps(self) -> SizeCaps:
        """Return the size caps from the settings."""
        store = await self._open_store()
        return await self._run(store.size_caps)

    # History.

    def record_delivery(
        self,
        result: DeliveryResult,
        webhook_id: int | None,
        webhook_name: str | None,
        topic_key: str,
        run_id: str | None = None,
        *,
        secret_query_parameters: Iterable[str] = (),
        secret_headers: Iterable[str] = (),
    ) -> asyncio.Future[int | None]:
        """Queue a delivery for the history and return at once.

        The future returned gets the history entry id once the delivery is
        written, or None when it is not recorded. Pass the webhook's
        `secret_query_parameters` so that their values are masked in the
        stored URL. Records queued before `open()` finishes are written once it
        has. A read-only store records nothing. Failures are logged and
        reported through `history_record_failed`.
        """
        entry_id: asyncio.Future[int | None] = asyncio.get_event_loop().create_future()
        if self._state in (ControllerState.CLOSED, ControllerState.FAILED):
            logger.warning(
                "delivery to %s not recorded: the database is %s",
                mask_url(result.url),
                self._state.value,
            )
            entry_id.set_result(None)
            return entry_id
        if self.read_only:
            self._note_read_only_drop(1)
            entry_id.set_result(None)
            return entry_id
        record = DeliveryRecord(
            result,
            webhook_id,
            webhook_name,
            topic_key,
            run_id,
            tuple(secret_query_parameters),
            tuple(secret_headers),
        )
        self._pending.append(record)
        self._id_waiters[id(record)] = entry_id
        self._history_idle.clear()
        self._wake_writer.set()
        return entry_id

    async def flush_history(self) -> None:
        """Wait until every delivery queued so far has been written (or dropped)."""
        if self._state in (ControllerState.NEW, ControllerState.OPENING):
            await self._open_finished.wait()
        if self._state is ControllerState.FAILED:
            return
        await self._history_idle.wait()

    async def history(
        self, where: HistoryFilter | None = None, limit: int = 200, offset: int = 0
    ) -> list[HistorySummary]:
        """Return matching deliveries, newest first, without their bodies."""
        store = await self._open_store()
        return await self._run(store.history.query, where, limit, offset)

    async def changed_elsewhere(self) -> bool:
        """Return True when another program wrote to the database since the last
        call (the first call only notes the state and returns False)."""
        store = await self._open_store()
        version = await self._run(store.data_version)
        changed = self._data_version is not None and version != self._data_version
        self._data_version = version
        return changed

    async def history_count(self, where: HistoryFilter | None = None) -> int:
        """Return how many deliveries match `where`."""
        store = await self._open_store()
        return await self._run(store.history.count, where)

    async def history_entry(self, entry_id: int) -> HistoryEntry:
        """Return one delivery in full, or raise HistoryEntryNotFoundError."""
        store = await self._open_store()
        return await self._run(store.history.get, entry_id)

    async def delete_history(self, entry_ids: Iterable[int]) -> int:
        """Delete deliveries by id and return how many were deleted."""
        store = await self._open_store()
        deleted = await self._run(store.history.delete, list(entry_ids))
        self.history_changed.emit()
        return deleted

    async def clear_history(self) -> int:
        """Delete every delivery and return how many there were."""
        store = await self._open_store()
        deleted = await self._run(store.history.clear)
        self.history_changed.emit()
        return deleted

    async def resend_request(self, entry_id: int) -> OutgoingRequest:
        """Return a delivery's request with its secrets filled in from its webhook.

        Raises HistoryEntryNotFoundError, or ResendError when the webhook or
        one of its secrets is gone or the body was cut at the history cap.
        """
        store = await self._open_store()
        return await self._run(store.resend_request, entry_id)

    async def export_entry(
        self,
        entry_id: int,
        kind: ExportKind,
        *,
        body_file: str | None = None,
        show_secrets: bool = False,
    ) -> EntryExport:
        """Return a delivery as a cURL or PowerShell command, HAR or a text report.

        `body_file` names the file a command reads a binary or large body
        from. Secrets stay masked unless `show_secrets`, which reads them from
        the webhook that sent the delivery and raises ResendError when it
        no longer has them.
        """
        from bchook_studio.core.export.history_entries import ExportKind, render_entry

        store = await self._open_store()
        return await self._run(
            functools.partial(
                render_entry,
                store,
                entry_id,
                ExportKind(kind),
                body_file=body_file,
                show_secrets=show_secrets,
            )
        )

    # Internals.

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        call = functools.partial(function, *args)
        return await loop.run_in_executor(self._executor, call)

    async def _open_store(self) -> Store:
        if self._state is ControllerState.OPENING:
            await self._open_finished.wait()
        if self._state is ControllerState.OPEN and self._store is not None:
            return self._store
        raise StoreUnavailableError(self._unavailable_message())

    def _unavailable_message(self) -> str:
        if self._state is ControllerState.NEW:
            return "the database is not open yet. Wait for Hook Studio to open it."
        if self._state is ControllerState.FAILED:
            return (
                f"the database could not be opened ({self._open_error}). Restart "
                "Hook Studio after fixing the problem."
            )
        return "the database is closed because Hook Studio is shutting down."

    async def _write_history(self) -> None:
        """Write queued deliveries whenever some arrive, until closing."""
        store = self._store
        assert store is not None
        while True:
            await self._wake_writer.wait()
            if self._state is ControllerState.OPEN:
                await asyncio.sleep(RECORD_GATHER_SECONDS)
            self._wake_writer.clear()
            await self._drain(store)
            if self._state is not ControllerState.OPEN:
                return

    async def _drain(self, store: Store) -> None:
        written = 0
        failures: list[tuple[DeliveryRecord, Exception]] = []
        attempts = 0
        while self._pending:
            batch = [
                self._pending.popleft()
                for _ in range(min(RECORD_BATCH_SIZE, len(self._pending)))
            ]
            try:
                outcome = await self._run(_write_records, store, batch)
            except asyncio.CancelledError:
                # The worker thread finishes the batch regardless.
                self._history_idle.set()
                raise
            written += len(outcome.recorded)
            for record, entry_id in outcome.recorded:
                self._settle_waiter(record, entry_id)
            failures += outcome.failures
            if outcome.locked:
                attempts += 1
                if attempts > LOCKED_RETRIES:
                    error = StoreLockedError(
                        "the database stayed locked by another program. Close "
                        "that program so that later deliveries are recorded."
                    )
                    failures += [(record, error) for record in outcome.locked]
                else:
                    self._pending.extendleft(reversed(outcome.locked))
                    await asyncio.sleep(LOCKED_RETRY_DELAY)
        self._history_idle.set()
        if written:
            self.history_changed.emit()
        if failures:
            self._report_failures(failures)

    def _settle_waiter(self, record: DeliveryRecord, entry_id: int | None) -> None:
        waiter = self._id_waiters.pop(id(record), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(entry_id)

    def _report_failures(
        self, failures: list[tuple[DeliveryRecord, Exception]]
    ) -> None:
        for record, _error in failures:
            self._settle_waiter(record, None)
        read_only = [
            item for item in failures if isinstance(item[1], ReadOnlyStoreError)
        ]
        if read_only:
            self._note_read_only_drop(len(read_only))
        others = [
            item for item in failures if not isinstance(item[1], ReadOnlyStoreError)
        ]
        if not others:
            return

        for failed, failed_error in others:
            logger.warning(
                "delivery to %s not recorded in the history: %s",
                mask_url(failed.result.url),
                failed_error,
            )
        record, error = others[0]
        if len(others) == 1:
            template = self.tr("The delivery to %1 was not recorded in the history: %2")
            message = fill(template, mask_url(record.result.url), error)
        else:
            template = self.tr("%1 deliveries were not recorded in the history: %2")
            message = fill(template, len(others), error)
        self.history_record_failed.emit(message)

    def _note_read_only_drop(self, count: int) -> None:
        if self._read_only_drops == 0:
            logger.info("the database is read-only, so deliveries are not recorded")
        self._read_only_drops += count

    def _drop_pending(self, reason: str) -> None:
        if self._pending:
            logger.warning(
                "%d queued deliveries not recorded: %s", len(self._pending), reason
            )
            self._pending.clear()
        for waiter in self._id_waiters.values():
            if not waiter.done():
                waiter.set_result(None)
        self._id_waiters.clear()
        self._history_idle.set()


def _open_store(path: Path | None, lock_wait: float | None) -> tuple[Store, bool]:
    """Open the store and check the keychain, both of which may block.

    The keychain check runs in a child process, so that keyring is imported
    here only when a secret is first read or written.
    """
    from bchook_studio.core.store.secrets import keychain_usable
    from bchook_studio.core.store.store import Store

    if lock_wait is None:
        store = Store.open(path)
    else:
        store = Store.open(path, lock_wait=lock_wait)
    try:
        keychain_usable(in_child=True)
        needs_choice = store.secrets.needs_choice
    except BaseException:
        store.close()
        raise
    return store, needs_choice


def _write_records(store: Store, records: list[DeliveryRecord]) -> _BatchOutcome:
    """Record the deliveries in one transaction (on the worker thread).

    When that fails for another reason than a lock, each delivery is tried in
    a transaction of its own, so that one that cannot be written does not
    keep the others out.
    """
    try:
        entry_ids = store.history.record_many(records)
    except StoreLockedError:
        return _BatchOutcome((), (), tuple(records))
    except Exception as exc:
        logger.info("writing %d deliveries at once failed: %s", len(records), exc)
        return _write_each(store, records)
    return _BatchOutcome(tuple(zip(records, entry_ids, strict=True)), (), ())


def _write_each(store: Store, records: list[DeliveryRecord]) -> _BatchOutcome:
    """Record each delivery in its own transaction (on the worker thread)."""
    recorded: list[tuple[DeliveryRecord, int]] = []
    failures: list[tuple[DeliveryRecord, Exception]] = []
    locked: list[DeliveryRecord] = []
    for index, record in enumerate(records):
        try:
            entry_id = store.history.record(
                record.result,
                record.webhook_id,
                record.webhook_name,
                record.topic_key,
                record.run_id,
                secret_query_parameters=record.secret_query_parameters,
                secret_headers=record.secret_headers,
            )
        except StoreLockedError:
            locked += records[index:]
            break
        except StoreError as exc:
            failures.append((record, exc))
            continue
        except Exception as exc:
            logger.exception(
                "recording the delivery to %s failed", mask_url(record.result.url)
            )
            failures.append((record, exc))
            continue
        recorded.append((record, entry_id))
    return _BatchOutcome(tuple(recorded), tuple(failures), tuple(locked))


def _current_task_cancelling() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
