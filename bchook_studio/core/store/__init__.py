"""Saved webhooks, settings, secrets and delivery history in one SQLite database.

`Store.open()` opens the database in the app home folder; see `store.py` for
which calls may block and belong on a worker thread. Secrets go to the OS
keychain through `keyring`, imported only when a secret is read or written.
"""

from bchook_studio.core.store.database import DATABASE_FILE_NAME
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

__all__ = [
    "DATABASE_FILE_NAME",
    "STATUS_CLASSES",
    "DeletedWebhook",
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
