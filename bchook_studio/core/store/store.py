"""The store: saved webhooks, settings, secrets and history in one database.

All methods are synchronous and thread-safe (one lock per store). Most take
well under a millisecond on a small database and are fine to call from the GUI
thread. These can take longer and belong on a worker thread
(`asyncio.to_thread`):

- `Store.open`: retries a locked file for up to `lock_wait` seconds and runs
  `PRAGMA quick_check`, whose time grows with the file.
- Anything that reads or writes secrets, because the keychain can block:
  `get_webhook`, `save_webhook`, `duplicate`, `delete`, `restore`,
  `resend_request`.
- `history.query` and `history.count` with a text filter, which read every
  stored body; `history.record` of large bodies.
"""

import functools
import json
import logging
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bchook_studio.core.caps import SizeCaps
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.store.connection import StoreConnection
from bchook_studio.core.store.database import (
    DATABASE_FILE_NAME,
    DEFAULT_LOCK_WAIT,
    open_database,
)
from bchook_studio.core.store.errors import (
    DuplicateNameError,
    ReadOnlyReason,
    WebhookNotFoundError,
)
from bchook_studio.core.store.notices import StoreNotice
from bchook_studio.core.store.secrets import (
    SecretStore,
    describe_field,
    merge_rule_secrets,
    merge_secrets,
    rule_secrets,
    split_rule_secrets,
    split_secrets,
)
from bchook_studio.core.store.settings import (
    read_setting,
    read_size_caps,
    write_setting,
)
from bchook_studio.core.store.webhooks import (
    DeletedWebhook,
    ReceiverRules,
    SavedWebhook,
    WebhookSummary,
    clean_name,
    decode_definition,
    decode_rules,
    encode_definition,
    encode_rules,
    name_key,
    now_text,
    parse_time,
    summary_from_row,
    unique_name,
)
from bchook_studio.core.webhook import Webhook

if TYPE_CHECKING:
    from bchook_studio.core.store.history import History

logger = logging.getLogger(__name__)


def default_database_path() -> Path:
    """Return the database path in the app home folder (created if needed)."""
    from bchook_studio.core.home import app_home

    return app_home() / DATABASE_FILE_NAME


class Store:
    """Saved webhooks, settings, secrets and delivery history.

    Open it with `Store.open`, then read `notices` and `read_only_reason`
    and show them to the user. Writes to a read-only store raise
    ReadOnlyStoreError naming the reason.
    """

    def __init__(
        self,
        database: StoreConnection,
        notices: tuple[StoreNotice, ...],
        interactive: bool,
    ) -> None:
        self._database = database
        self.notices = notices
        """Notices from opening, such as a damaged file moved aside or read-only."""

        self.secrets = SecretStore(database, interactive)
        """The secret storage; the GUI prompts the user when `secrets.needs_choice`."""

    @functools.cached_property
    def history(self) -> "History":
        """The delivery history, with its module imported on first use.

        The app opens the store at every start, but records or lists
        deliveries only later. The module and the result types it reads take
        about 0.15 MiB.
        """
        from bchook_studio.core.store.history import History

        return History(self._database)

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        lock_wait: float = DEFAULT_LOCK_WAIT,
        repair: bool = True,
        interactive: bool = True,
    ) -> "Store":
        """Open or create the database; `path` defaults to the app home folder's.

        `lock_wait` bounds the seconds spent retrying a locked file before it
        is opened read-only. `repair=False` raises StoreCorruptError for a
        damaged file instead of moving it aside. `interactive=False` (the
        command line) keeps new secrets for this run only when no keychain
        exists, whatever the user chose in the app. Raises StoreOpenError when
        the database can be neither opened nor created.
        """
        path = default_database_path() if path is None else Path(path)
        opened = open_database(path, lock_wait=lock_wait, repair=repair)
        database = StoreConnection(opened.connection, path, opened.read_only_reason)
        logger.info(
            "opened database %s%s",
            path,
            f" read-only ({opened.read_only_reason})"
            if opened.read_only_reason
            else "",
        )
        return cls(database, opened.notices, interactive)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._database.path

    @property
    def read_only_reason(self) -> ReadOnlyReason | None:
        """The reason the store is read-only, or None when it can be written."""
        return self._database.read_only_reason

    @property
    def read_only(self) -> bool:
        """True when writes raise ReadOnlyStoreError."""
        return self._database.read_only_reason is not None

    def close(self) -> None:
        """Close the database. Session-only secrets are forgotten with the store."""
        self._database.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Saved webhooks

    def list_webhooks(self) -> list[WebhookSummary]:
        """Return every saved webhook, by name (case ignored), without secrets."""
        with self._database.reading() as connection:
            rows = connection.execute(
                "SELECT id, name, definition, created_at, updated_at FROM webhooks "
                "ORDER BY name_key, id"
            ).fetchall()
        return [summary_from_row(row) for row in rows]

    def get_webhook(self, webhook_id: int) -> SavedWebhook:
        """Return a saved webhook with its secrets, or raise WebhookNotFoundError.

        Secrets that cannot be read are listed in `missing_secrets`; the
        webhook then has an empty password or header value, or a masked URL.
        Raises WebhookCodecError when the stored definition is damaged.
        """
        with self._database.reading() as connection:
            row = connection.execute(
                "SELECT * FROM webhooks WHERE id = ?", (webhook_id,)
            ).fetchone()
            if row is None:
                raise _not_found(webhook_id)
            secrets, missing = self.secrets.read(webhook_id)
            locations = self.secrets.locations(webhook_id)

        webhook = merge_secrets(
            decode_definition(row["name"], row["definition"]), secrets
        )
        receiver_rules = merge_rule_secrets(
            decode_rules(row["receiver_rules"]), secrets
        )
        for field in missing:
            logger.warning(
                "the %s of webhook %d is not available",
                describe_field(field),
                webhook_id,
            )
        return SavedWebhook(
            id=row["id"],
            webhook=webhook,
            receiver_rules=receiver_rules,
            created_at=parse_time(row["created_at"]),
            updated_at=parse_time(row["updated_at"]),
            missing_secrets=missing,
            secret_locations=locations,
        )

    def save_webhook(
        self,
        webhook: Webhook,
        id: int | None = None,
        receiver_rules: ReceiverRules | None = None,
    ) -> int:
        """Save a new webhook (id None) or replace a saved one; return its id.

        `receiver_rules` None keeps a saved webhook's rules (none for a new
        one). Raises DuplicateNameError when another webhook has the name,
        InvalidNameError for an empty name, WebhookNotFoundError for an
        unknown id, SecretStorageError when the keychain rejects a secret.
        """
        name = clean_name(webhook.name)
        stripped, secrets = split_secrets(webhook.with_changes(name=name))
        definition = encode_definition(stripped)
        rules = None
        if receiver_rules is not None:
            cleaned_rules, passwords = split_rule_secrets(list(receiver_rules))
            rules = encode_rules(cleaned_rules)
            secrets.update(passwords)
        now = now_text()

        with self._database.writing() as connection:
            self._check_name_free(connection, name, id)
            if receiver_rules is None and id is not None:
                # The saved rules stay, so their passwords must stay too.
                kept, _missing = self.secrets.read(id)
                secrets.update(rule_secrets(kept))
            if id is None:
                cursor = connection.execute(
                    "INSERT INTO webhooks (name, name_key, definition, "
                    "receiver_rules, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, name_key(name), definition, rules or "[]", now, now),
                )
                webhook_id = int(cursor.lastrowid or 0)
            else:
                webhook_id = id
                cursor = connection.execute(
                    "UPDATE webhooks SET name = ?, name_key = ?, definition = ?, "
                    "receiver_rules = coalesce(?, receiver_rules), updated_at = ? "
                    "WHERE id = ?",
                    (name, name_key(name), definition, rules, now, webhook_id),
                )
                if cursor.rowcount == 0:
                    raise _not_found(webhook_id)
            stale = self.secrets.replace_all(webhook_id, secrets)
        self.secrets.forget(stale)
        logger.info("saved webhook %d %r", webhook_id, name)
        return webhook_id

    def rename(self, webhook_id: int, name: str) -> None:
        """Rename a saved webhook, or raise DuplicateNameError or InvalidNameError."""
        name = clean_name(name)
        with self._database.writing() as connection:
            self._check_name_free(connection, name, webhook_id)
            cursor = connection.execute(
                "UPDATE webhooks SET name = ?, name_key = ?, updated_at = ? "
                "WHERE id = ?",
                (name, name_key(name), now_text(), webhook_id),
            )
            if cursor.rowcount == 0:
                raise _not_found(webhook_id)

    def duplicate(self, webhook_id: int, name: str | None = None) -> int:
        """Save a copy of a webhook, secrets and rules included; return its id.

        The copy is named `name`, or the original's name made unique ("Name (2)").
        """
        original = self.get_webhook(webhook_id)
        requested = original.webhook.name if name is None else name
        copy = original.webhook.with_changes(name=self.unique_name(requested))
        return self.save_webhook(copy, receiver_rules=original.receiver_rules)

    def delete(self, webhook_id: int) -> DeletedWebhook:
        """Delete a webhook and its secrets; return what `restore` needs to undo it.

        Its history entries stay, and keep pointing at the id.
        """
        with self._database.writing() as connection:
            row = connection.execute(
                "SELECT * FROM webhooks WHERE id = ?", (webhook_id,)
            ).fetchone()
            if row is None:
                raise _not_found(webhook_id)
            secrets, _missing = self.secrets.read(webhook_id)
            stale = self.secrets.all_values(webhook_id)
            connection.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
        self.secrets.forget(stale)
        logger.info("deleted webhook %d %r", webhook_id, row["name"])
        return DeletedWebhook(
            id=row["id"],
            name=row["name"],
            definition=row["definition"],
            receiver_rules=row["receiver_rules"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            secrets=secrets,
        )

    def restore(self, deleted: DeletedWebhook) -> int:
        """Put a deleted webhook back under its old id and return the id.

        The name gets a " (n)" suffix when another webhook took it meanwhile.
        Secrets go where new secrets go now.
        """
        with self._database.writing() as connection:
            taken_names = [
                row[0] for row in connection.execute("SELECT name FROM webhooks")
            ]
            name = unique_name(deleted.name, taken_names)
            exists = connection.execute(
                "SELECT 1 FROM webhooks WHERE id = ?", (deleted.id,)
            ).fetchone()
            if exists is not None:
                raise DuplicateNameError(
                    f"webhook {deleted.id} already exists, so the deleted webhook "
                    f"{deleted.name!r} cannot be restored under that id."
                )
            connection.execute(
                "INSERT INTO webhooks (id, name, name_key, definition, "
                "receiver_rules, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    deleted.id,
                    name,
                    name_key(name),
                    deleted.definition,
                    deleted.receiver_rules,
                    deleted.created_at,
                    now_text(),
                ),
            )
            stale = self.secrets.replace_all(deleted.id, deleted.secrets)
        self.secrets.forget(stale)
        return deleted.id

    def unique_name(self, name: str) -> str:
        """Return `name`, or "Name (2)"-style when a saved webhook has it."""
        with self._database.reading() as connection:
            taken_names = [
                row[0] for row in connection.execute("SELECT name FROM webhooks")
            ]
        return unique_name(name.strip(), taken_names)

    def _check_name_free(
        self, connection: Any, name: str, webhook_id: int | None
    ) -> None:
        row = connection.execute(
            "SELECT id, name FROM webhooks WHERE name_key = ?", (name_key(name),)
        ).fetchone()
        if row is not None and row["id"] != webhook_id:
            raise DuplicateNameError(
                f"a webhook named {row['name']!r} already exists (names ignore "
                f"case). Choose another name, such as {self.unique_name(name)!r}."
            )

    # Settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        """Return a setting's value, `default` when unset, else its known default."""
        with self._database.reading() as connection:
            return read_setting(connection, key, default)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting; `value` is anything `json.dumps` accepts."""
        json.dumps(value)
        with self._database.writing() as connection:
            write_setting(connection, key, value)

    def size_caps(self) -> SizeCaps:
        """Return the size caps from the settings."""
        with self._database.reading() as connection:
            return read_size_caps(connection)

    def data_version(self) -> int:
        """Return SQLite's data_version, which changes when another connection
        (another program, such as the command line) commits to the database."""
        with self._database.reading() as connection:
            return int(connection.execute("PRAGMA data_version").fetchone()[0])

    # History

    def resend_request(self, entry_id: int) -> OutgoingRequest:
        """Return a history entry's request with its secrets filled in, or raise.

        Raises HistoryEntryNotFoundError or ResendError (webhook or secret gone,
        body cut at the history cap).
        """
        from bchook_studio.core.store.resend import build_resend_request

        entry = self.history.get(entry_id)
        saved = None
        if entry.webhook_id is not None:
            try:
                saved = self.get_webhook(entry.webhook_id)
            except WebhookNotFoundError:
                saved = None
        return build_resend_request(entry, saved, self.size_caps())


def _not_found(webhook_id: int) -> WebhookNotFoundError:
    return WebhookNotFoundError(
        f"no saved webhook has id {webhook_id}; it may have been deleted. "
        "Reload the webhook list."
    )
