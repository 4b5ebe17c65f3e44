"""Saved webhooks, settings, secrets and delivery history in one SQLite database.

`Store.open()` opens the database in the app home folder; see `store.py` for
which calls may block and belong on a worker thread. Secrets go to the OS
keychain through `keyring`, imported only when a secret is read or written.

Names are imported from their submodules on first access, so importing one
light submodule (errors, for example) does not load SQLite and the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bchook_studio.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from bchook_studio.core.store.database import DATABASE_FILE_NAME
    from bchook_studio.core.store.delivery_record import DeliveryRecord
    from bchook_studio.core.store.errors import (
        DuplicateNameError,
        HistoryEntryNotFoundError,
        InvalidNameError,
        ReadOnlyReason,
        ReadOnlyStoreError,
        SecretStorageError,
        StoreCorruptError,
        StoreError,
        StoreLockedError,
        StoreOpenError,
        WebhookNotFoundError,
    )
    from bchook_studio.core.store.history import (
        STATUS_CLASSES,
        History,
        HistoryEntry,
        HistoryFilter,
        HistorySummary,
        StoredRequest,
        StoredResponse,
        new_run_id,
    )
    from bchook_studio.core.store.notices import NoticeKind, StoreNotice
    from bchook_studio.core.store.recording import record_delivery_quietly
    from bchook_studio.core.store.secrets import (
        SecretStore,
        SecretStorePolicy,
        keychain_usable,
    )
    from bchook_studio.core.store.store import Store, default_database_path
    from bchook_studio.core.store.webhooks import (
        DeletedWebhook,
        SavedWebhook,
        WebhookSummary,
        unique_name,
    )

_SUBMODULES = {
    "DATABASE_FILE_NAME": "bchook_studio.core.store.database",
    "DeletedWebhook": "bchook_studio.core.store.webhooks",
    "DeliveryRecord": "bchook_studio.core.store.delivery_record",
    "DuplicateNameError": "bchook_studio.core.store.errors",
    "History": "bchook_studio.core.store.history",
    "HistoryEntry": "bchook_studio.core.store.history",
    "HistoryEntryNotFoundError": "bchook_studio.core.store.errors",
    "HistoryFilter": "bchook_studio.core.store.history",
    "HistorySummary": "bchook_studio.core.store.history",
    "InvalidNameError": "bchook_studio.core.store.errors",
    "NoticeKind": "bchook_studio.core.store.notices",
    "ReadOnlyReason": "bchook_studio.core.store.errors",
    "ReadOnlyStoreError": "bchook_studio.core.store.errors",
    "STATUS_CLASSES": "bchook_studio.core.store.history",
    "SavedWebhook": "bchook_studio.core.store.webhooks",
    "SecretStorageError": "bchook_studio.core.store.errors",
    "SecretStore": "bchook_studio.core.store.secrets",
    "SecretStorePolicy": "bchook_studio.core.store.secrets",
    "Store": "bchook_studio.core.store.store",
    "StoreCorruptError": "bchook_studio.core.store.errors",
    "StoreError": "bchook_studio.core.store.errors",
    "StoreLockedError": "bchook_studio.core.store.errors",
    "StoreNotice": "bchook_studio.core.store.notices",
    "StoreOpenError": "bchook_studio.core.store.errors",
    "StoredRequest": "bchook_studio.core.store.history",
    "StoredResponse": "bchook_studio.core.store.history",
    "WebhookNotFoundError": "bchook_studio.core.store.errors",
    "WebhookSummary": "bchook_studio.core.store.webhooks",
    "default_database_path": "bchook_studio.core.store.store",
    "keychain_usable": "bchook_studio.core.store.secrets",
    "new_run_id": "bchook_studio.core.store.history",
    "record_delivery_quietly": "bchook_studio.core.store.recording",
    "unique_name": "bchook_studio.core.store.webhooks",
}
"""The submodule that defines each name of `__all__`."""

__all__ = [
    "DATABASE_FILE_NAME",
    "STATUS_CLASSES",
    "DeletedWebhook",
    "DeliveryRecord",
    "DuplicateNameError",
    "History",
    "HistoryEntry",
    "HistoryEntryNotFoundError",
    "HistoryFilter",
    "HistorySummary",
    "InvalidNameError",
    "NoticeKind",
    "ReadOnlyReason",
    "ReadOnlyStoreError",
    "SavedWebhook",
    "SecretStorageError",
    "SecretStore",
    "SecretStorePolicy",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreNotice",
    "StoreOpenError",
    "StoredRequest",
    "StoredResponse",
    "WebhookNotFoundError",
    "WebhookSummary",
    "default_database_path",
    "keychain_usable",
    "new_run_id",
    "record_delivery_quietly",
    "unique_name",
]


__getattr__, __dir__ = lazy_exports(__name__, _SUBMODULES)
