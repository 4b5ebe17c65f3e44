"""Connects the saved webhooks panel to the store controller.

The binding keeps the list current and carries out Duplicate, Rename, Delete
and Undo delete. New, Save and choosing a webhook involve the editor, so the
window handles those itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from bchook_studio.core.store.errors import StoreError
from bchook_studio.core.unsafe_text import escaped_for_display
from bchook_studio.gui.placeholders import fill
from bchook_studio.gui.store_controller import StoreController
from bchook_studio.gui.webhooks_panel import WebhooksPanel

if TYPE_CHECKING:
    from bchook_studio.core.store import DeletedWebhook, WebhookSummary

logger = logging.getLogger(__name__)

MAX_UNDO_DELETES = 20
"""Deleted webhooks kept in memory for Undo delete. Older ones cannot come back."""


class WebhooksBinding(QObject):
    """Carries out a WebhooksPanel's requests through a StoreController.

    Store errors become `error_occurred` messages, and nothing here opens a
    dialog.
    """

    webhooks_listed = Signal(list)
    """The list of WebhookSummary after each refresh (for the history filter)."""

    webhook_duplicated = Signal(int)
    """The id of a new copy, which the window may open and select."""

    webhook_deleted = Signal(int)
    """The id of a deleted webhook, which the window closes or detaches if open."""

    webhook_renamed = Signal(int, str)
    """The id and new name of a webhook renamed in the list."""

    webhook_restored = Signal(int)
    """The id of a webhook brought back by Undo delete."""

    error_occurred = Signal(str)
    """A sentence for the status bar or a message box: what failed and why."""

    def __init__(
        self,
        panel: WebhooksPanel,
        controller: StoreController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._panel = panel
        self._controller = controller
        self._deleted: list[DeletedWebhook] = []
        self._tasks: set[asyncio.Future[Any]] = set()
        self._refreshing = False
        self._refresh_again = False

        controller.opened.connect(self.refresh)
        controller.webhooks_changed.connect(self.refresh)
        controller.read_only_changed.connect(panel.set_read_only)
        panel.set_read_only(controller.read_only)
        panel.duplicate_requested.connect(self._on_duplicate_requested)
        panel.rename_requested.connect(self._on_rename_requested)
        panel.delete_requested.connect(self._on_delete_requested)
        panel.undo_delete_requested.connect(self._on_undo_requested)

    @property
    def deleted(self) -> list[DeletedWebhook]:
        """The deleted webhooks Undo delete can restore, oldest first."""
        return list(self._deleted)

    # Slots: each starts a task and returns.

    def refresh(self) -> None:
        """Reload the list soon. Requests made while one runs are merged."""
        if self._refreshing:
            self._refresh_again = True
            return
        self._start(self._refresh_loop())

    def _on_duplicate_requested(self, webhook_id: int) -> None:
        self._start(self.duplicate(webhook_id))

    def _on_rename_requested(self, webhook_id: int, name: str) -> None:
        self._start(self.rename(webhook_id, name))

    def _on_delete_requested(self, webhook_id: int) -> None:
        self._start(self.delete(webhook_id))

    def _on_undo_requested(self) -> None:
        self._start(self.undo_delete())

    # Coroutines, also for callers that want the outcome.

    async def refresh_now(self) -> list[WebhookSummary]:
        """Read the list from the store, show it and return it ([] on error)."""
        if not self._controller.is_open:
            return []  # The controller's `opened` signal starts the first load.
        try:
            summaries = await self._controller.list_webhooks()
        except StoreError as exc:
            self._report(fill(self.tr("Could not list the saved webhooks: %1"), exc))
            return []
        self._panel.set_webhooks(summaries)
        self.webhooks_listed.emit(summaries)
        return summaries

    async def duplicate(self, webhook_id: int) -> int | None:
        """Save a copy of a webhook and return its id (None when it failed)."""
        try:
            copy_id = await self._controller.duplicate(webhook_id)
        except StoreError as exc:
            self._report(fill(self.tr("Could not duplicate the webhook: %1"), exc))
            return None
        self.webhook_duplicated.emit(copy_id)
        return copy_id

    async def rename(self, webhook_id: int, name: str) -> bool:
        """Rename a webhook, or report why not and return False."""
        if not name.strip():
            self._report(
                self.tr("Could not rename the webhook: a name cannot be empty.")
            )
            return False
        try:
            await self._controller.rename(webhook_id, name)
        except StoreError as exc:
            template = self.tr("Could not rename the webhook to “%1”: %2")
            self._report(fill(template, escaped_for_display(name), exc))
            return False
        self.webhook_renamed.emit(webhook_id, name)
        return True

    async def delete(self, webhook_id: int) -> DeletedWebhook | None:
        """Delete a webhook, offer Undo, and return what was deleted."""
        try:
            deleted = await self._controller.delete(webhook_id)
        except StoreError as exc:
            self._report(fill(self.tr("Could not delete the webhook: %1"), exc))
            return None
        self._deleted.append(deleted)
        del self._deleted[:-MAX_UNDO_DELETES]
        self._panel.show_undo(deleted.name)
        self.webhook_deleted.emit(deleted.id)
        return deleted

    async def undo_delete(self) -> int | None:
        """Restore the webhook deleted last and return its id (None: nothing to do)."""
        if not self._deleted:
            return None
        deleted = self._deleted.pop()
        self._panel.hide_undo()
        self._panel.set_undo_available(bool(self._deleted))
        try:
            restored_id = await self._controller.restore(deleted)
        except StoreError as exc:
            self._deleted.append(deleted)
            self._panel.set_undo_available(True)
            template = self.tr("Could not restore “%1”: %2")
            self._report(fill(template, deleted.name, exc))
            return None
        self.webhook_restored.emit(restored_id)
        return restored_id

    async def aclose(self) -> None:
        """Wait for the binding's tasks to end (call before closing the store)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # Helpers.

    async def _refresh_loop(self) -> None:
        self._refreshing = True
        try:
            while True:
                self._refresh_again = False
                await self.refresh_now()
                if not self._refresh_again:
                    return
        finally:
            self._refreshing = False

    def _start(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)

    def _on_task_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            logger.error("a saved webhooks task failed", exc_info=error)
            template = self.tr("Unexpected error: %1. The log file has the details.")
            self.error_occurred.emit(fill(template, error))

    def _report(self, message: str) -> None:
        logger.warning("%s", message)
        self.error_occurred.emit(message)
