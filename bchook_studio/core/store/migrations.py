"""Schema migrations, keyed on `PRAGMA user_version`.

`MIGRATIONS[n]` takes a database from version n to n + 1. Each step runs in its
own transaction together with the new `user_version`, so a crash leaves the
database at the last completed version. Steps are never edited once released;
a change to the schema is a new step at the end.
"""

import logging
import os
import sqlite3
from collections.abc import Callable

logger = logging.getLogger(__name__)

Migration = Callable[[sqlite3.Connection], None]


def _create_schema(connection: sqlite3.Connection) -> None:
    _run_statements(
        connection,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE webhooks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            definition TEXT NOT NULL,
            receiver_rules TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE secrets (
            webhook_id INTEGER NOT NULL
                REFERENCES webhooks (id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            location TEXT NOT NULL
                CHECK (location IN ('keychain', 'session', 'database')),
            value TEXT,
            PRIMARY KEY (webhook_id, field)
        );

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT,
            webhook_id INTEGER,
            webhook_name TEXT,
            topic_key TEXT NOT NULL,
            started_at TEXT NOT NULL,
            elapsed_ms REAL NOT NULL,
            headers_ms REAL,
            request_sent INTEGER NOT NULL,
            method TEXT NOT NULL,
            url TEXT NOT NULL,
            request_headers TEXT NOT NULL,
            basic_username TEXT,
            request_body_size INTEGER NOT NULL,
            status INTEGER,
            reason TEXT,
            http_version TEXT,
            response_headers TEXT,
            response_body_size INTEGER,
            response_truncated INTEGER,
            failure_kind TEXT,
            failure_message TEXT,
            failure_detail TEXT,
            extra TEXT NOT NULL DEFAULT '{}'
        );

        CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id);
        CREATE INDEX deliveries_by_topic ON deliveries (topic_key, id);
        CREATE INDEX deliveries_by_run ON deliveries (run_id, id);

        CREATE TABLE delivery_bodies (
            delivery_id INTEGER PRIMARY KEY
                REFERENCES deliveries (id) ON DELETE CASCADE,
            request_body BLOB NOT NULL,
            response_body BLOB
        );
        """,
    )
    # Keychain entries carry this id, so two databases never share secrets.
    # os.urandom is what secrets.token_hex reads; importing secrets would load
    # OpenSSL's libcrypto (through hmac) long before a send needs it.
    connection.execute(
        "INSERT INTO settings (key, value) VALUES ('database.uid', ?)",
        ('"' + os.urandom(8).hex() + '"',),
    )


def _run_statements(connection: sqlite3.Connection, script: str) -> None:
    # executescript() would commit the open transaction first, so the
    # statements run one by one. No statement here has a ';' inside a literal.
    for statement in script.split(";"):
        if statement.strip():
            connection.execute(statement)


def _index_only_set_webhook_and_run(connection: sqlite3.Connection) -> None:
    # Sends from the command line or from an unsaved webhook have no webhook id,
    # and only endpoint checks have a run id. Partial indexes skip those rows,
    # so recording such a send writes two index pages less. A filter on
    # `webhook_id = ?` or `run_id = ?` still uses them.
    _run_statements(
        connection,
        """
        DROP INDEX deliveries_by_webhook;
        DROP INDEX deliveries_by_run;
        CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id)
            WHERE webhook_id IS NOT NULL;
        CREATE INDEX deliveries_by_run ON deliveries (run_id, id)
            WHERE run_id IS NOT NULL;
        """,
    )


def _index_start_time(connection: sqlite3.Connection) -> None:
    # The history lists deliveries by start time and retention deletes the
    # oldest by start time, so both read this index instead of sorting.
    connection.execute(
        "CREATE INDEX deliveries_by_start ON deliveries (started_at, id)"
    )


MIGRATIONS: tuple[Migration, ...] = (
    _create_schema,
    _index_only_set_webhook_and_run,
    _index_start_time,
)
SCHEMA_VERSION = len(MIGRATIONS)
"""The `user_version` this app writes and understands."""


def user_version(connection: sqlite3.Connection) -> int:
    """Return the database's `PRAGMA user_version`."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the database up to SCHEMA_VERSION, one transaction per step.

    Takes the write lock even when there is nothing to do, so the caller learns
    at once when another program holds it: sqlite3 raises "database is locked".
    The connection must be in autocommit mode (isolation_level None).
    """
    while True:
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(connection)
            if version >= SCHEMA_VERSION:
                connection.execute("COMMIT")
                return
            logger.info("migrating the database from version %d", version)
            MIGRATIONS[version](connection)
            connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
