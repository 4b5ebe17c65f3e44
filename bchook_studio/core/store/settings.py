"""Settings about the work, stored as JSON values in the database.

Window geometry and other settings about the window live in QSettings, not here.
"""

import json
import sqlite3
from typing import Any

from bchook_studio.core.caps import DEFAULT_CAPS, SizeCaps

HISTORY_RETENTION = "history.retention"
"""How many deliveries the history keeps; older ones are deleted on insert."""

CAPTURE_CAP = "caps.capture"
DISPLAY_CAP = "caps.display"
HIGHLIGHT_CAP = "caps.highlight"
HISTORY_CAP = "caps.history"
RECEIVER_PORT = "receiver.port"
SECRET_STORAGE = "secrets.storage"
"""The storage for secrets when no keychain is usable: "session" or "database"."""

DATABASE_UID = "database.uid"
"""A random id written when the database is created; keychain entries carry it."""

DEFAULT_HISTORY_RETENTION = 1000
DEFAULT_RECEIVER_PORT = 8765

DEFAULTS: dict[str, Any] = {
    HISTORY_RETENTION: DEFAULT_HISTORY_RETENTION,
    CAPTURE_CAP: DEFAULT_CAPS.capture,
    DISPLAY_CAP: DEFAULT_CAPS.display,
    HIGHLIGHT_CAP: DEFAULT_CAPS.highlight,
    HISTORY_CAP: DEFAULT_CAPS.history,
    RECEIVER_PORT: DEFAULT_RECEIVER_PORT,
}
"""Values returned for settings that were never set. Sizes are in bytes."""


def read_setting(connection: sqlite3.Connection, key: str, default: Any = None) -> Any:
    """Return the value stored under `key`, else `default`, else the known default."""
    row = connection.execute(
        "SELECT value FROM settings WHERE key = ?", (key,)
    ).fetchone()
    if row is None:
        return DEFAULTS.get(key) if default is None else default
    return json.loads(row[0])


def write_setting(connection: sqlite3.Connection, key: str, value: Any) -> None:
    """Store `value` (anything `json.dumps` accepts) under `key`, in the caller's
    transaction."""
    connection.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )


def read_size_caps(connection: sqlite3.Connection) -> SizeCaps:
    """Return the size caps, with any that were never set at their defaults."""
    return SizeCaps(
        capture=_positive_int(read_setting(connection, CAPTURE_CAP), CAPTURE_CAP),
        display=_positive_int(read_setting(connection, DISPLAY_CAP), DISPLAY_CAP),
        highlight=_positive_int(read_setting(connection, HIGHLIGHT_CAP), HIGHLIGHT_CAP),
        history=_positive_int(read_setting(connection, HISTORY_CAP), HISTORY_CAP),
    )


def read_history_limits(connection: sqlite3.Connection) -> tuple[int, int]:
    """Return the history's body cap in bytes and its retention, in one query."""
    rows = connection.execute(
        "SELECT key, value FROM settings WHERE key IN (?, ?)",
        (HISTORY_CAP, HISTORY_RETENTION),
    ).fetchall()
    stored = {key: json.loads(value) for key, value in rows}
    cap = _positive_int(stored.get(HISTORY_CAP), HISTORY_CAP)
    retention = _positive_int(stored.get(HISTORY_RETENTION), HISTORY_RETENTION)
    return cap, max(retention, 1)


def read_history_retention(connection: sqlite3.Connection) -> int:
    """Return how many deliveries the history keeps (at least 1)."""
    value = read_setting(connection, HISTORY_RETENTION)
    return max(_positive_int(value, HISTORY_RETENTION), 1)


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return int(DEFAULTS[key])
