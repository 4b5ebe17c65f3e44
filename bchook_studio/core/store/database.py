"""Open the SQLite database: damaged, locked and newer files included.

A damaged file is renamed with a UTC timestamp (its -wal and -shm files too)
and a new database takes its place. A file locked by another program is
retried with backoff for a bounded time, then opened read-only. A file written
by a newer version of the app is opened read-only and never changed. Each case
leaves a StoreNotice for the app to show.

Durability: WAL with `synchronous=NORMAL` keeps every committed transaction
when the process crashes or is killed. After a power loss or an operating
system crash the transactions committed since the last checkpoint may be lost,
but the file stays consistent.
"""

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bchook_studio.core.store.errors import (
    ReadOnlyReason,
    StoreCorruptError,
    StoreOpenError,
)
from bchook_studio.core.store.migrations import SCHEMA_VERSION, migrate, user_version
from bchook_studio.core.store.notices import NoticeKind, StoreNotice

logger = logging.getLogger(__name__)

DATABASE_FILE_NAME = "studio.sqlite3"
DEFAULT_LOCK_WAIT = 5.0
"""Seconds to keep retrying a locked database before opening it read-only."""

BUSY_TIMEOUT = 5.0
"""Seconds a statement waits for another program's lock once the store is open."""

WAL_CHECKPOINT_PAGES = 4000
"""Pages (4 KiB each) the write-ahead log grows to before SQLite copies it into
the database file. Each checkpoint syncs the file to disk, which took several
milliseconds on a 2-core VM. At SQLite's default of 1,000 pages a checkpoint
came about every 150 recorded deliveries."""

_OPEN_BUSY_TIMEOUT = 0.25
"""Seconds each attempt waits for a lock while opening, between retries."""

_FIRST_RETRY_DELAY = 0.05
_MAX_RETRY_DELAY = 1.0
_SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal")

_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_NOT_WRITABLE_CODES = frozenset(
    {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN}
)


@dataclass
class OpenedDatabase:
    """An open connection, with the notices from opening it."""

    connection: sqlite3.Connection
    read_only_reason: ReadOnlyReason | None
    notices: tuple[StoreNotice, ...]


class _CorruptDatabase(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _NewerDatabase(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def primary_error_code(exc: sqlite3.Error) -> int | None:
    """Return the primary SQLite result code of `exc` (extended bits removed)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_busy(exc: sqlite3.Error) -> bool:
    """True when `exc` means another connection holds a lock."""
    return primary_error_code(exc) in _BUSY_CODES


def is_not_writable(exc: sqlite3.Error) -> bool:
    """True when `exc` means the file or its folder cannot be written."""
    return primary_error_code(exc) in _NOT_WRITABLE_CODES


def is_corrupt(exc: sqlite3.Error) -> bool:
    """True when `exc` means the file is not a usable SQLite database."""
    return primary_error_code(exc) in _CORRUPT_CODES


def open_database(
    path: Path, *, lock_wait: float = DEFAULT_LOCK_WAIT, repair: bool = True
) -> OpenedDatabase:
    """Open or create the database at `path`, migrated to the current schema.

    With `repair=False` a damaged file raises StoreCorruptError instead of
    being moved aside. Raises StoreOpenError when the file can be neither
    opened nor created. May take `lock_wait` seconds plus a full
    `PRAGMA quick_check`, so GUI callers run it on a worker thread.
    """
    path = Path(path)
    deadline = time.monotonic() + lock_wait
    delay = _FIRST_RETRY_DELAY
    while True:
        try:
            connection = _open_writable(path)
            return OpenedDatabase(connection, None, ())
        except _NewerDatabase as newer:
            return _open_newer(path, newer.version)
        except _CorruptDatabase as corrupt:
            if not repair:
                raise StoreCorruptError(
                    f"the database {path} is damaged ({corrupt.detail}). Start Hook "
                    "Studio to move it aside and create a new one."
                ) from None
            return _replace_corrupt(path, corrupt.detail)
        except sqlite3.Error as exc:
            if is_busy(exc):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return _open_locked(path)
                logger.info("database %s is locked; retrying", path)
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, _MAX_RETRY_DELAY)
                continue
            if primary_error_code(exc) in _NOT_WRITABLE_CODES and path.exists():
                return _open_not_writable(path, exc)
            raise StoreOpenError(
                f"cannot open the database {path}: {exc}. Check that the folder "
                "exists and that you may write to it."
            ) from exc


def _open_writable(path: Path) -> sqlite3.Connection:
    if path.exists() and path.stat().st_size > 0:
        _inspect(path)

    connection = _connect(path)
    try:
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            logger.warning("database %s stays in journal mode %s", path, mode)
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
        connection.execute("PRAGMA foreign_keys = ON")
        migrate(connection)
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    except sqlite3.DatabaseError as exc:
        connection.close()
        if is_corrupt(exc):
            raise _CorruptDatabase(str(exc)) from exc
        raise
    except BaseException:
        connection.close()
        raise
    return connection


def _inspect(path: Path) -> None:
    """Check an existing file read-only: its version, then `PRAGMA quick_check`."""
    connection = _connect_read_only(path)
    try:
        version = user_version(connection)
        if version > SCHEMA_VERSION:
            raise _NewerDatabase(version)
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_corrupt(exc):
            raise _CorruptDatabase(str(exc)) from exc
        raise
    finally:
        connection.close()

    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if problems:
        raise _CorruptDatabase("quick_check: " + "; ".join(problems[:3]))


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        path, timeout=_OPEN_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )


def _connect_read_only(
    path: Path, timeout: float = _OPEN_BUSY_TIMEOUT
) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(
        uri,
        uri=True,
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
    )
    connection.execute("PRAGMA query_only = ON")
    return connection


def _open_newer(path: Path, version: int) -> OpenedDatabase:
    logger.warning(
        "database %s has schema version %d, newer than %d; opening it read-only",
        path,
        version,
        SCHEMA_VERSION,
    )
    notice = StoreNotice(
        NoticeKind.READ_ONLY_NEWER,
        f"The database {path} was written by a newer version of Hook Studio "
        f"(schema {version}; this version knows up to {SCHEMA_VERSION}). It is "
        "open read-only and will not be changed. Update Hook Studio to edit it.",
        path,
    )
    return OpenedDatabase(
        _connect_read_only(path, BUSY_TIMEOUT), ReadOnlyReason.NEWER_VERSION, (notice,)
    )


def _open_locked(path: Path) -> OpenedDatabase:
    logger.warning("database %s stayed locked; opening it read-only", path)
    notice = StoreNotice(
        NoticeKind.READ_ONLY_LOCKED,
        f"The database {path} is locked by another program, so Hook Studio "
        "opened it read-only. Close the other program (another Hook Studio, a "
        "database browser) and restart Hook Studio to save changes.",
        path,
    )
    connection = _connect_read_only(path, BUSY_TIMEOUT)
    return OpenedDatabase(connection, ReadOnlyReason.LOCKED, (notice,))


def _open_not_writable(path: Path, exc: sqlite3.Error) -> OpenedDatabase:
    logger.warning("database %s cannot be written (%s); opening read-only", path, exc)
    notice = StoreNotice(
        NoticeKind.READ_ONLY_NOT_WRITABLE,
        f"The database {path} cannot be written ({exc}), so Hook Studio opened "
        "it read-only. Check the permissions of the file and its folder.",
        path,
    )
    return OpenedDatabase(
        _connect_read_only(path, BUSY_TIMEOUT), ReadOnlyReason.NOT_WRITABLE, (notice,)
    )


def _replace_corrupt(path: Path, detail: str) -> OpenedDatabase:
    moved_to = move_aside(path)
    logger.error(
        "database %s is damaged (%s); moved it to %s and created a new one",
        path,
        detail,
        moved_to,
    )
    connection = _open_writable(path)
    notice = StoreNotice(
        NoticeKind.MOVED_ASIDE,
        f"The database {path} was damaged ({detail}). It was moved to "
        f"{moved_to} and a new, empty database was created. Saved webhooks and "
        "history from the old file are not in the new one.",
        path,
        moved_to,
    )
    return OpenedDatabase(connection, None, (notice,))


def move_aside(path: Path) -> Path:
    """Rename a damaged database and its side files with a UTC timestamp suffix.

    `studio.sqlite3` becomes `studio.sqlite3.corrupt-20261204T161200Z`, and its
    `-wal` file becomes that name plus `-wal`, so SQLite can still open the set.
    A side file that cannot be renamed is deleted, because a new database
    would otherwise replay the old write-ahead log. Raises StoreOpenError when
    neither works.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 2
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1

    try:
        os.replace(path, target)
    except OSError as exc:
        raise StoreOpenError(
            f"the database {path} is damaged and cannot be moved aside: "
            f"{exc.strerror}. Close other programs using it, or move it yourself."
        ) from exc

    for suffix in _SIDE_FILE_SUFFIXES:
        side = path.with_name(path.name + suffix)
        if not side.exists():
            continue
        try:
            os.replace(side, target.with_name(target.name + suffix))
        except OSError:
            try:
                side.unlink()
            except OSError as exc:
                raise StoreOpenError(
                    f"cannot move or delete {side} beside the damaged database: "
                    f"{exc.strerror}. Delete it yourself and start again."
                ) from exc
    return target
