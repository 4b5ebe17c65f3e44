"""Errors the store raises, each with a message a user can act on."""

from enum import StrEnum


class StoreError(Exception):
    """The database could not do what was asked."""


class ReadOnlyReason(StrEnum):
    """The reason a store was opened read-only."""

    LOCKED = "locked"
    """Another program held a write lock on the database for the whole retry window."""

    NEWER_VERSION = "newer_version"
    """A newer version of Hook Studio wrote the database; this one leaves it as is."""

    NOT_WRITABLE = "not_writable"
    """The file or its folder cannot be written (permissions, read-only media)."""


class ReadOnlyStoreError(StoreError):
    """A write was asked of a store that was opened read-only."""

    def __init__(self, reason: ReadOnlyReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StoreLockedError(StoreError):
    """Another program held the database lock longer than the busy timeout."""


class StoreCorruptError(StoreError):
    """The database file is damaged; opening it again moves it aside."""


class StoreOpenError(StoreError):
    """The database could not be opened or created at all."""


class WebhookNotFoundError(StoreError, LookupError):
    """No saved webhook has the given id."""


class DuplicateNameError(StoreError, ValueError):
    """Another saved webhook already has this name (names ignore case)."""


class InvalidNameError(StoreError, ValueError):
    """A webhook name that cannot be saved, such as an empty one."""


class SecretStorageError(StoreError):
    """The keychain rejected a read or write of a secret."""


class HistoryEntryNotFoundError(StoreError, LookupError):
    """No delivery in the history has the given id."""
