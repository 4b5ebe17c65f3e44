"""Notices about the database that the app shows to the user once it is open."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class NoticeKind(StrEnum):
    """What happened to the database while it was opened."""

    MOVED_ASIDE = "moved_aside"
    """The file was damaged, was renamed, and a new empty database replaced it."""

    READ_ONLY_LOCKED = "read_only_locked"
    READ_ONLY_NEWER = "read_only_newer"
    READ_ONLY_NOT_WRITABLE = "read_only_not_writable"


@dataclass(frozen=True)
class StoreNotice:
    """One thing the user should know about the database, in a sentence."""

    kind: NoticeKind
    message: str
    path: Path
    """The database file the notice is about."""

    moved_to: Path | None = None
    """Where a damaged file went, for MOVED_ASIDE."""
