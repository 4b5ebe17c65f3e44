"""The store: saved webhooks survive a reopen, names stay unique, secrets stay out
of the database file, and damaged, locked and newer databases are handled."""

import dataclasses
import os
import sqlite3
import threading

import pytest

from bchook_studio.core.store import (
    DuplicateNameError,
    InvalidNameError,
    NoticeKind,
    ReadOnlyReason,
    ReadOnlyStoreError,
    SecretStorageError,
    SecretStorePolicy,
    Store,
    StoreCorruptError,
    WebhookNotFoundError,
)
from bchook_studio.core.store.database import WAL_CHECKPOINT_PAGES
from bchook_studio.core.store.migrations import MIGRATIONS, SCHEMA_VERSION
from bchook_studio.core.store.settings import HISTORY_RETENTION, RECEIVER_PORT
from bchook_studio.core.store.webhooks import MAX_NAME_LENGTH
from bchook_studio.core.webhook import HeaderRow, Webhook
from tests.memory_keyring import LockedKeyring
from tests.store_fixtures import CANARY, full_webhook, use_keyring


@pytest.fixture
def keychain():
    with use_keyring() as backend:
        yield backend


@pytest.fixture
def database(tmp_path):
    return tmp_path / "studio.sqlite3"


def _fields_at_default(value: object, path: str) -> list[str]:
    """Return the paths of fields that still hold their default value."""
    defaults = []
    for item in dataclasses.fields(value):
        current = getattr(value, item.name)
        if dataclasses.is_dataclass(current):
            defaults += _fields_at_default(current, f"{path}.{item.name}")
            continue
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        else:
            continue
        if current == default:
            defaults.append(f"{path}.{item.name}")
    return defaults


def _database_bytes(path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            data += side.read_bytes()
    return data


def test_sample_webhook_sets_every_field():
    assert _fields_at_default(full_webhook(), "webhook") == []


def test_save_reopen_keeps_every_field(database, keychain):
    webhook = full_webhook()
    rules = [{"status": 503, "delay_ms": 250, "body": "busy"}]
    with Store.open(database) as store:
        webhook_id = store.save_webhook(webhook, receiver_rules=rules)

    with Store.open(database) as store:
        saved = store.get_webhook(webhook_id)

    assert saved.webhook == webhook
    assert saved.receiver_rules == rules
    assert saved.missing_secrets == ()
    assert saved.created_at == saved.updated_at


def test_secrets_go_to_keychain_not_file(database, keychain):
    with Store.open(database) as store:
        webhook_id = store.save_webhook(full_webhook())
        locations = store.get_webhook(webhook_id).secret_locations

    assert set(locations.values()) == {SecretStorePolicy.KEYCHAIN}
    assert set(locations) == {
        "password",
        "tls.client_cert_password",
        "header:0",
        "url",
        "proxy.url",
    }
    assert CANARY.encode() not in _database_bytes(database)
    assert any(CANARY in value for value in keychain.values.values())


def test_rule_password_goes_to_keychain(database, keychain):
    rule = {
        "path_prefix": "/",
        "status": 200,
        "credentials": {"username": "bot", "password": "rule-" + CANARY},
    }
    with Store.open(database) as store:
        webhook_id = store.save_webhook(Webhook(name="rules"), receiver_rules=[rule])
        store.save_webhook(Webhook(name="rules", url="receiver:/x"), webhook_id)
        saved = store.get_webhook(webhook_id)

    assert CANARY.encode() not in _database_bytes(database)
    assert saved.receiver_rules == [rule]
    assert saved.secret_locations["rule-password:0"] is SecretStorePolicy.KEYCHAIN


def test_rule_password_left_out_of_definitions(database, keychain):
    from bchook_studio.core.export.definitions import export_definitions

    rule = {"path_prefix": "/", "credentials": {"username": "bot", "password": CANARY}}
    with Store.open(database) as store:
        store.save_webhook(Webhook(name="rules"), receiver_rules=[rule])
        masked = export_definitions(store)
        full = export_definitions(store, with_secrets=True)

    assert CANARY not in masked
    assert '"username": "bot"' in masked
    assert CANARY in full


def test_summary_lists_masked_url(database, keychain):
    with Store.open(database) as store:
        store.save_webhook(full_webhook())
        summaries = store.list_webhooks()

    assert len(summaries) == 1
    assert summaries[0].name == "Orders → CRM ü"
    assert summaries[0].topic_key == "sale.new"
    assert summaries[0].url == (
        "https://carol:********@example.test/hooks?token=********&x=1"
    )


def test_list_sorted_by_name_ignoring_case(database):
    with Store.open(database) as store:
        for name in ("beta", "Alpha", "gamma"):
            store.save_webhook(Webhook(name=name))
        names = [summary.name for summary in store.list_webhooks()]

    assert names == ["Alpha", "beta", "gamma"]


def test_update_keeps_id_and_rules(database):
    with Store.open(database) as store:
        webhook_id = store.save_webhook(Webhook(name="A"), receiver_rules=[{"x": 1}])
        same_id = store.save_webhook(
            Webhook(name="A", url="http://127.0.0.1/b"), id=webhook_id
        )
        saved = store.get_webhook(webhook_id)

    assert same_id == webhook_id
    assert saved.webhook.url == "http://127.0.0.1/b"
    assert saved.receiver_rules == [{"x": 1}]
    assert saved.updated_at > saved.created_at


def test_update_unknown_id_raises(database):
    with Store.open(database) as store, pytest.raises(WebhookNotFoundError):
        store.save_webhook(Webhook(name="A"), id=99)


def test_names_unique_ignoring_case(database):
    with Store.open(database) as store:
        store.save_webhook(Webhook(name="Orders"))
        with pytest.raises(DuplicateNameError, match="'Orders'"):
            store.save_webhook(Webhook(name="  oRDERS "))
        assert store.unique_name("orders") == "orders (2)"


def test_empty_name_rejected(database):
    with Store.open(database) as store, pytest.raises(InvalidNameError):
        store.save_webhook(Webhook(name="   "))


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Pay\u202eRUE", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("Orders\u2066x", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("Two\u2028lines", "U+2028 (LINE SEPARATOR)"),
        ("Ho\x85ok", "U+0085"),
        ("Hook\x7f1", "U+007F"),
        ("Pro\u200bd", "U+200B (ZERO WIDTH SPACE)"),
        ("Tag\U000e0041", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
    ],
)
def test_hidden_control_in_name_rejected(database, name, named):
    with Store.open(database) as store, pytest.raises(InvalidNameError) as caught:
        store.save_webhook(Webhook(name=name))

    assert named in str(caught.value)
    assert "Remove it." in str(caught.value)
    assert "\\u" in str(caught.value).lower()


@pytest.mark.parametrize(
    "name", ["طلب جديد", "سفارش\u200cها", "Kurs \U0001f469\u200d\U0001f4bb", "Zoë"]
)
def test_script_names_accepted(database, name):
    with Store.open(database) as store:
        saved = store.get_webhook(store.save_webhook(Webhook(name=name)))

    assert saved.webhook.name == name


def test_unique_name_counts_on(database):
    with Store.open(database) as store:
        store.save_webhook(Webhook(name="Hook"))
        store.save_webhook(Webhook(name="Hook (2)"))

        assert store.unique_name("Hook") == "Hook (3)"
        assert store.unique_name("Hook (2)") == "Hook (3)"
        assert store.unique_name("Other") == "Other"


def test_duplicate_of_longest_name_fits(database):
    name = "n" * MAX_NAME_LENGTH
    with Store.open(database) as store:
        original = store.save_webhook(Webhook(name=name))
        copy = store.get_webhook(store.duplicate(original))

    assert copy.webhook.name == "n" * (MAX_NAME_LENGTH - 4) + " (2)"


def test_rename_checks_duplicates(database):
    with Store.open(database) as store:
        first = store.save_webhook(Webhook(name="One"))
        store.save_webhook(Webhook(name="Two"))
        store.rename(first, "Uno")
        with pytest.raises(DuplicateNameError):
            store.rename(first, "two")
        saved = store.get_webhook(first)

    assert saved.webhook.name == "Uno"


def test_duplicate_copies_secrets_and_rules(database, keychain):
    with Store.open(database) as store:
        original = store.save_webhook(full_webhook(), receiver_rules=[{"a": 1}])
        copy_id = store.duplicate(original)
        copy = store.get_webhook(copy_id)

    assert copy_id != original
    assert copy.webhook.name == "Orders → CRM ü (2)"
    assert copy.webhook.password == CANARY
    assert copy.receiver_rules == [{"a": 1}]


def test_delete_then_restore(database, keychain):
    webhook = full_webhook()
    with Store.open(database) as store:
        webhook_id = store.save_webhook(webhook)
        deleted = store.delete(webhook_id)

        assert store.list_webhooks() == []
        assert keychain.values == {}
        with pytest.raises(WebhookNotFoundError):
            store.get_webhook(webhook_id)

        restored_id = store.restore(deleted)
        restored = store.get_webhook(restored_id)

    assert restored_id == webhook_id
    assert restored.webhook == webhook


def test_restore_renames_when_taken(database):
    with Store.open(database) as store:
        webhook_id = store.save_webhook(Webhook(name="Hook"))
        deleted = store.delete(webhook_id)
        store.save_webhook(Webhook(name="Hook"))
        store.restore(deleted)
        names = sorted(summary.name for summary in store.list_webhooks())

    assert names == ["Hook", "Hook (2)"]


def test_deleted_repr_hides_secrets(database, keychain):
    with Store.open(database) as store:
        deleted = store.delete(store.save_webhook(full_webhook()))

    assert CANARY not in repr(deleted)


def test_settings_defaults_and_values(database):
    with Store.open(database) as store:
        assert store.get_setting(HISTORY_RETENTION) == 1000
        assert store.get_setting(RECEIVER_PORT) == 8765
        assert store.get_setting("unknown.key") is None
        assert store.get_setting("unknown.key", "fallback") == "fallback"
        store.set_setting(HISTORY_RETENTION, 50)
        store.set_setting("ui.list", [1, "two"])

    with Store.open(database) as store:
        assert store.get_setting(HISTORY_RETENTION) == 50
        assert store.get_setting("ui.list") == [1, "two"]


def test_no_keychain_needs_choice(database):
    # conftest points keyring at the null backend, which stores nothing.
    with Store.open(database) as store:
        assert store.secrets.keychain_available is False
        assert store.secrets.needs_choice is True
        assert store.secrets.policy is SecretStorePolicy.SESSION_ONLY

        store.secrets.choose(SecretStorePolicy.DATABASE)

        assert store.secrets.needs_choice is False
        assert store.secrets.policy is SecretStorePolicy.DATABASE


def test_session_secrets_end_with_store(database):
    webhook = Webhook(name="A", auth_enabled=True, username="u", password=CANARY)
    with Store.open(database) as store:
        webhook_id = store.save_webhook(webhook)
        assert store.get_webhook(webhook_id).webhook.password == CANARY

    with Store.open(database) as store:
        saved = store.get_webhook(webhook_id)

    assert saved.webhook.password == ""
    assert saved.missing_secrets == ("password",)
    assert CANARY.encode() not in _database_bytes(database)


def test_database_choice_stores_secret(database):
    webhook = Webhook(name="A", auth_enabled=True, username="u", password=CANARY)
    with Store.open(database) as store:
        store.secrets.choose(SecretStorePolicy.DATABASE)
        webhook_id = store.save_webhook(webhook)

    with Store.open(database) as store:
        saved = store.get_webhook(webhook_id)

    assert saved.webhook.password == CANARY
    assert saved.secret_locations == {"password": SecretStorePolicy.DATABASE}


def test_command_line_ignores_database_choice(database):
    webhook = Webhook(name="A", auth_enabled=True, username="u", password=CANARY)
    with Store.open(database) as store:
        store.secrets.choose(SecretStorePolicy.DATABASE)
    with Store.open(database, interactive=False) as store:
        assert store.secrets.needs_choice is False
        webhook_id = store.save_webhook(webhook)
        locations = store.get_webhook(webhook_id).secret_locations

    assert locations == {"password": SecretStorePolicy.SESSION_ONLY}
    assert CANARY.encode() not in _database_bytes(database)


def test_removed_secret_leaves_keychain(database, keychain):
    webhook = Webhook(name="A", auth_enabled=True, username="u", password=CANARY)
    with Store.open(database) as store:
        webhook_id = store.save_webhook(webhook)
        store.save_webhook(webhook.with_changes(password=""), id=webhook_id)
        locations = store.get_webhook(webhook_id).secret_locations

    assert locations == {}
    assert keychain.values == {}


def test_keychain_rejection_rolls_back(database):
    webhook = Webhook(name="A", auth_enabled=True, username="u", password=CANARY)
    with use_keyring(LockedKeyring()), Store.open(database) as store:
        with pytest.raises(SecretStorageError, match="password"):
            store.save_webhook(webhook)
        assert store.list_webhooks() == []


def test_header_secret_by_row(database, keychain):
    webhook = Webhook(
        name="A",
        headers=(
            HeaderRow("X-Open", "visible"),
            HeaderRow("X-Token", "tok-1", secret=True),
            HeaderRow("X-Token-2", "tok-2", secret=True),
        ),
    )
    with Store.open(database) as store:
        webhook_id = store.save_webhook(webhook)
        saved = store.get_webhook(webhook_id)

    assert saved.webhook.headers == webhook.headers
    assert b"tok-1" not in _database_bytes(database)
    assert b"visible" in _database_bytes(database)


def test_corrupt_file_moved_aside(database):
    garbage = b"this is not a database " * 400
    database.write_bytes(garbage)
    wal = database.with_name(database.name + "-wal")
    wal.write_bytes(b"old log")

    with Store.open(database) as store:
        notices = store.notices
        store.save_webhook(Webhook(name="fresh"))

    assert len(notices) == 1
    assert notices[0].kind is NoticeKind.MOVED_ASIDE
    moved = notices[0].moved_to
    assert moved is not None
    assert moved.name.startswith("studio.sqlite3.corrupt-")
    assert moved.name.endswith("Z")
    assert moved.read_bytes() == garbage
    assert moved.with_name(moved.name + "-wal").read_bytes() == b"old log"
    assert str(moved) in notices[0].message


def test_damaged_page_moved_aside(database):
    with Store.open(database) as store:
        for index in range(200):
            store.save_webhook(Webhook(name=f"hook {index}", body="x" * 500))
    size = database.stat().st_size
    assert size > 16 * 4096
    with database.open("r+b") as stream:
        stream.seek(4096 * 3)
        stream.write(b"\xff" * 4096 * 4)

    with Store.open(database) as store:
        notices = store.notices
        remaining = store.list_webhooks()

    assert [notice.kind for notice in notices] == [NoticeKind.MOVED_ASIDE]
    assert remaining == []


def test_corrupt_without_repair_raises(database):
    database.write_bytes(b"garbage" * 1000)

    with pytest.raises(StoreCorruptError, match="damaged"):
        Store.open(database, repair=False)

    assert database.read_bytes() == b"garbage" * 1000


def test_locked_database_opens_read_only(database):
    with Store.open(database) as store:
        store.save_webhook(Webhook(name="kept"))
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = Store.open(database, lock_wait=0.5)
        with store:
            names = [summary.name for summary in store.list_webhooks()]
            with pytest.raises(ReadOnlyStoreError, match="locked") as raised:
                store.save_webhook(Webhook(name="new"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert store.read_only_reason is ReadOnlyReason.LOCKED
    assert [notice.kind for notice in store.notices] == [NoticeKind.READ_ONLY_LOCKED]
    assert raised.value.reason is ReadOnlyReason.LOCKED
    assert names == ["kept"]
    assert list(database.parent.glob("*.corrupt-*")) == []


def test_lock_released_during_retry(database):
    Store.open(database).close()
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        with Store.open(database, lock_wait=5.0) as store:
            read_only = store.read_only
            store.save_webhook(Webhook(name="after the lock"))
    finally:
        release.join()
        holder.close()

    assert read_only is False


def test_newer_database_left_untouched(database):
    with Store.open(database) as store:
        store.save_webhook(Webhook(name="from the future"))
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = database.read_bytes()
    modified = database.stat().st_mtime_ns

    with Store.open(database) as store:
        names = [summary.name for summary in store.list_webhooks()]
        with pytest.raises(ReadOnlyStoreError, match="newer version"):
            store.set_setting(HISTORY_RETENTION, 5)
        notices = store.notices
        reason = store.read_only_reason

    assert names == ["from the future"]
    assert reason is ReadOnlyReason.NEWER_VERSION
    assert [notice.kind for notice in notices] == [NoticeKind.READ_ONLY_NEWER]
    assert database.read_bytes() == before
    assert database.stat().st_mtime_ns == modified


def test_wal_and_pragmas(database):
    with Store.open(database) as store:
        connection = store._database.connection
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        foreign_keys = connection.execute("PRAGMA foreign_keys").fetchone()[0]
        synchronous = connection.execute("PRAGMA synchronous").fetchone()[0]
        busy = connection.execute("PRAGMA busy_timeout").fetchone()[0]
        checkpoint = connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]

    assert journal == "wal"
    assert foreign_keys == 1
    assert synchronous == 1  # NORMAL
    assert busy >= 1000
    assert checkpoint == WAL_CHECKPOINT_PAGES
    assert version == SCHEMA_VERSION


def test_version_1_database_migrated(database):
    connection = sqlite3.connect(database)
    MIGRATIONS[0](connection)
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()

    with Store.open(database) as store:
        connection = store._database.connection
        indexes = dict(
            connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'deliveries'"
            ).fetchall()
        )
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM deliveries AS d "
            "WHERE d.webhook_id = ? ORDER BY d.id DESC",
            (1,),
        ).fetchall()

    assert "WHERE webhook_id IS NOT NULL" in indexes["deliveries_by_webhook"]
    assert "WHERE run_id IS NOT NULL" in indexes["deliveries_by_run"]
    assert "deliveries_by_webhook" in " ".join(row[3] for row in plan)


def test_closed_store_raises(database):
    store = Store.open(database)
    store.close()

    with pytest.raises(Exception, match="closed"):
        store.list_webhooks()


def test_default_path_in_app_home(app_home):
    with Store.open() as store:
        path = store.path

    assert path == app_home / "studio.sqlite3"
    assert os.path.exists(path)
