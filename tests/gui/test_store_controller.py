"""The store controller on the qasync loop, against a real SQLite file."""

import dataclasses
import sqlite3
import threading
import time

import pytest

from bchook_studio.core.export.history_entries import ExportKind
from bchook_studio.core.export.masking import MASK
from bchook_studio.core.store import (
    DuplicateNameError,
    HistoryFilter,
    NoticeKind,
    ReadOnlyStoreError,
    SecretStorePolicy,
    Store,
)
from bchook_studio.core.webhook import Webhook
from bchook_studio.gui import store_controller
from bchook_studio.gui.store_controller import (
    ControllerState,
    StoreController,
    StoreUnavailableError,
)
from tests.gui.conftest import run_in_loop
from tests.gui.store_support import (
    PASSWORD,
    Heartbeat,
    close_controller,
    open_controller,
    send_all,
    status_from_path,
    webhook_for,
)
from tests.servers import RawServer
from tests.store_fixtures import sample_result, use_keyring


@pytest.fixture
def database(app_home):
    return app_home / "studio.sqlite3"


@pytest.fixture
def keychain():
    with use_keyring() as backend:
        yield backend


@pytest.fixture
def controller(qtbot, qloop, database, keychain):
    opened = open_controller(qtbot, database)
    yield opened
    close_controller(qtbot, opened)


@pytest.fixture(scope="module")
def server():
    with RawServer(status_from_path) as running:
        yield running


@pytest.fixture
def delivered(qtbot, qloop, server):
    return send_all(qtbot, [webhook_for(server.url, 200)])[0]


def count_deliveries(path) -> int:
    with Store.open(path) as store:
        return store.history.count()


def test_open_signals_in_order(qtbot, qloop, database, keychain):
    controller = StoreController(path=database)
    seen = []
    controller.read_only_changed.connect(lambda value: seen.append(("ro", value)))
    controller.notices_ready.connect(lambda notices: seen.append(("notices", notices)))
    controller.opened.connect(lambda: seen.append(("opened", None)))
    run_in_loop(qtbot, controller.open())
    close_controller(qtbot, controller)

    assert seen == [("ro", False), ("opened", None)]


def test_open_twice_raises(qtbot, controller):
    with pytest.raises(StoreUnavailableError, match="already open"):
        run_in_loop(qtbot, controller.open())


def test_call_before_open_raises(qtbot, qloop, database):
    controller = StoreController(path=database)
    with pytest.raises(StoreUnavailableError, match="not open yet"):
        run_in_loop(qtbot, controller.list_webhooks())
    close_controller(qtbot, controller)


def test_call_after_close_raises(qtbot, qloop, database, keychain):
    controller = open_controller(qtbot, database)
    close_controller(qtbot, controller)
    assert controller.state is ControllerState.CLOSED
    with pytest.raises(StoreUnavailableError, match="closed"):
        run_in_loop(qtbot, controller.list_webhooks())


def test_worker_thread_ends_on_close(qtbot, qloop, database, keychain):
    # Controllers of other tests may still have threads, so only new ones count.
    before = set(threading.enumerate())
    controller = open_controller(qtbot, database)
    run_in_loop(qtbot, controller.list_webhooks())
    started = set(threading.enumerate()) - before
    close_controller(qtbot, controller)
    left = set(threading.enumerate()) & started

    assert [thread.name for thread in started if thread.name.startswith("store")]
    assert not [thread.name for thread in left if thread.name.startswith("store")]


def test_no_keychain_asks_for_choice(qtbot, qloop, database):
    controller = StoreController(path=database)
    with qtbot.waitSignal(controller.secrets_choice_needed, timeout=10_000):
        run_in_loop(qtbot, controller.open())
    close_controller(qtbot, controller)


def test_keychain_needs_no_choice(qtbot, qloop, database, keychain):
    controller = StoreController(path=database)
    asked = []
    controller.secrets_choice_needed.connect(lambda: asked.append(True))
    run_in_loop(qtbot, controller.open())
    close_controller(qtbot, controller)
    assert asked == []


def test_choice_is_stored(qtbot, qloop, database):
    controller = open_controller(qtbot, database)
    run_in_loop(qtbot, controller.choose_secret_storage(SecretStorePolicy.DATABASE))
    close_controller(qtbot, controller)

    with Store.open(database) as store:
        assert store.secrets.chosen_fallback is SecretStorePolicy.DATABASE
        assert not store.secrets.needs_choice


def test_damaged_file_gives_notice(qtbot, qloop, database, keychain):
    database.write_bytes(b"this is not a database" * 100)
    controller = StoreController(path=database)
    with qtbot.waitSignal(controller.notices_ready, timeout=10_000) as blocker:
        run_in_loop(qtbot, controller.open())
    close_controller(qtbot, controller)

    notices = blocker.args[0]
    assert [notice.kind for notice in notices] == [NoticeKind.MOVED_ASIDE]
    assert notices[0].moved_to is not None
    assert notices[0].moved_to.exists()


def test_newer_file_opens_read_only(qtbot, qloop, database, keychain, delivered):
    Store.open(database).close()
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA user_version = 999")
    connection.close()

    controller = StoreController(path=database)
    with qtbot.waitSignal(controller.read_only_changed, timeout=10_000) as blocker:
        run_in_loop(qtbot, controller.open())
    controller.record_delivery(delivered, None, "Orders", "sale.new")
    pending = controller.pending_records
    with pytest.raises(ReadOnlyStoreError):
        run_in_loop(qtbot, controller.save(Webhook(name="Blocked")))
    close_controller(qtbot, controller)

    assert blocker.args == [True]
    assert controller.read_only
    assert [n.kind for n in controller.notices] == [NoticeKind.READ_ONLY_NEWER]
    assert pending == 0


def test_webhook_lifecycle_reaches_database(qtbot, controller, database):
    changes = []
    controller.webhooks_changed.connect(lambda: changes.append(True))
    webhook = Webhook(
        name="Orders",
        url="http://127.0.0.1:9/hook",
        auth_enabled=True,
        username="carol",
        password=PASSWORD,
    )

    first = run_in_loop(qtbot, controller.save(webhook))
    run_in_loop(qtbot, controller.rename(first, "Orders CRM"))
    copy = run_in_loop(qtbot, controller.duplicate(first))
    deleted = run_in_loop(qtbot, controller.delete(first))
    loaded_copy = run_in_loop(qtbot, controller.load(copy))
    close_controller(qtbot, controller)

    with use_keyring(), Store.open(database) as store:
        names = [summary.name for summary in store.list_webhooks()]
    assert names == ["Orders CRM (2)"]
    assert deleted.name == "Orders CRM"
    assert loaded_copy.webhook.password == PASSWORD
    assert len(changes) == 4


def test_restore_reaches_database(qtbot, controller, database, keychain):
    first = run_in_loop(qtbot, controller.save(Webhook(name="Keep me")))
    deleted = run_in_loop(qtbot, controller.delete(first))
    restored = run_in_loop(qtbot, controller.restore(deleted))
    close_controller(qtbot, controller)

    with Store.open(database) as store:
        summaries = store.list_webhooks()
    assert restored == first
    assert [summary.name for summary in summaries] == ["Keep me"]


def test_save_duplicate_name_raises(qtbot, controller):
    run_in_loop(qtbot, controller.save(Webhook(name="Same")))
    with pytest.raises(DuplicateNameError, match="already exists"):
        run_in_loop(qtbot, controller.save(Webhook(name="same")))


def test_record_returns_at_once(qtbot, controller, database, delivered):
    heartbeat = Heartbeat()
    durations = []
    entry_ids = []
    for _ in range(200):
        started = time.perf_counter()
        entry_ids.append(
            controller.record_delivery(delivered, None, "Orders", "sale.new")
        )
        durations.append(time.perf_counter() - started)
    # The worker thread hands ids back through the event loop, which has not
    # run since the first call.
    waiting = [entry_id for entry_id in entry_ids if not entry_id.done()]
    heartbeat.start()
    try:
        run_in_loop(qtbot, controller.flush_history(), timeout_ms=60_000)
    finally:
        heartbeat.stop()
    close_controller(qtbot, controller)

    # Each call appends to a queue, while the writes happen on the worker
    # thread. The median ignores the few calls that a busy machine stalls. A
    # record written on the calling thread takes about 150 µs.
    assert len(waiting) == 200
    assert sorted(durations)[100] < 0.0001
    # A generous bound for a shared 2-core machine, where this test measured
    # about 6 ms.
    assert heartbeat.longest_gap < 0.25
    assert heartbeat.ticks > 0
    assert count_deliveries(database) == 200


def test_aclose_writes_pending(qtbot, qloop, database, keychain, delivered):
    controller = open_controller(qtbot, database)
    for _ in range(60):
        controller.record_delivery(delivered, None, "Orders", "sale.new")
    pending = controller.pending_records
    close_controller(qtbot, controller)

    assert pending == 60
    assert count_deliveries(database) == 60


def test_records_before_open_kept(qtbot, qloop, database, keychain, delivered):
    controller = StoreController(path=database)
    controller.record_delivery(delivered, None, "Orders", "sale.new")
    run_in_loop(qtbot, controller.open())
    run_in_loop(qtbot, controller.flush_history())
    close_controller(qtbot, controller)

    assert count_deliveries(database) == 1


def test_history_changed_after_write(qtbot, controller, delivered):
    with qtbot.waitSignal(controller.history_changed, timeout=10_000):
        controller.record_delivery(delivered, None, "Orders", "sale.new")
    rows = run_in_loop(qtbot, controller.history(HistoryFilter(), 10))
    assert [row.webhook_name for row in rows] == ["Orders"]


def test_record_masks_secrets(qtbot, controller, delivered):
    controller.record_delivery(
        delivered, None, "Orders", "sale.new", secret_query_parameters=["token"]
    )
    run_in_loop(qtbot, controller.flush_history())
    row = run_in_loop(qtbot, controller.history())[0]
    entry = run_in_loop(qtbot, controller.history_entry(row.id))
    authorization = dict(entry.request.headers)["Authorization"]

    assert f"token={MASK}" in row.url
    assert "tok-200" not in row.url
    assert PASSWORD not in authorization


def test_resend_fills_password(qtbot, controller, server):
    webhook = webhook_for(server.url, 201)
    webhook_id = run_in_loop(qtbot, controller.save(webhook))
    result = send_all(qtbot, [webhook])[0]
    controller.record_delivery(
        result,
        webhook_id,
        webhook.name,
        webhook.topic_key,
        secret_query_parameters=webhook.secret_query_parameters,
    )
    run_in_loop(qtbot, controller.flush_history())
    row = run_in_loop(qtbot, controller.history())[0]
    request = run_in_loop(qtbot, controller.resend_request(row.id))

    assert request.auth is not None
    assert request.auth.password == PASSWORD
    assert request.url.endswith("/201?token=tok-201")


def test_export_masks_unless_asked(qtbot, controller, server):
    webhook = webhook_for(server.url, 200)
    webhook_id = run_in_loop(qtbot, controller.save(webhook))
    result = send_all(qtbot, [webhook])[0]
    controller.record_delivery(result, webhook_id, webhook.name, webhook.topic_key)
    run_in_loop(qtbot, controller.flush_history())
    row = run_in_loop(qtbot, controller.history())[0]

    masked = run_in_loop(qtbot, controller.export_entry(row.id, ExportKind.CURL))
    shown = run_in_loop(
        qtbot, controller.export_entry(row.id, ExportKind.CURL, show_secrets=True)
    )
    assert f"-u 'carol:{MASK}'" in masked.text
    assert PASSWORD not in masked.text
    assert f"-u 'carol:{PASSWORD}'" in shown.text
    assert masked.suggested_name == f"delivery-{row.id}.sh"


def test_clear_and_delete_history(qtbot, controller, delivered):
    for _ in range(3):
        controller.record_delivery(delivered, None, "Orders", "sale.new")
    run_in_loop(qtbot, controller.flush_history())
    first = run_in_loop(qtbot, controller.history())[0]

    deleted = run_in_loop(qtbot, controller.delete_history([first.id]))
    cleared = run_in_loop(qtbot, controller.clear_history())
    assert deleted == 1
    assert cleared == 2
    assert run_in_loop(qtbot, controller.history_count()) == 0


def test_broken_record_reported(qtbot, controller, database, delivered):
    broken = dataclasses.replace(delivered, started_at=None)
    failures = []
    controller.history_record_failed.connect(failures.append)
    for result in (delivered, broken, delivered):
        controller.record_delivery(result, None, "Orders", "sale.new")
    run_in_loop(qtbot, controller.flush_history())
    close_controller(qtbot, controller)

    assert count_deliveries(database) == 2
    assert len(failures) == 1
    assert failures[0].startswith("The delivery to http://127.0.0.1:")
    assert "was not recorded in the history" in failures[0]


def hold_write_lock(database, seconds: float) -> threading.Thread:
    """Hold an exclusive lock on the database from another connection."""
    locked = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    return thread


@pytest.fixture
def short_busy_timeout(controller, monkeypatch):
    """Make a locked database fail in 50 ms instead of SQLite's 5 s, retried fast."""
    monkeypatch.setattr(store_controller, "LOCKED_RETRY_DELAY", 0.2)
    controller._store._database.connection.execute("PRAGMA busy_timeout = 50")


def test_locked_record_retried(
    qtbot, controller, database, delivered, short_busy_timeout
):
    failures = []
    controller.history_record_failed.connect(failures.append)
    holder = hold_write_lock(database, 0.4)
    controller.record_delivery(delivered, None, "Orders", "sale.new")
    run_in_loop(qtbot, controller.flush_history())
    holder.join()
    close_controller(qtbot, controller)

    assert failures == []
    assert count_deliveries(database) == 1


def test_locked_record_gives_up(
    qtbot, controller, delivered, database, short_busy_timeout
):
    holder = hold_write_lock(database, 2.0)
    with qtbot.waitSignal(controller.history_record_failed, timeout=5000) as blocker:
        controller.record_delivery(delivered, None, "Orders", "sale.new")
    holder.join()
    assert "stayed locked" in blocker.args[0]


def test_record_delivery_gives_entry_id(qtbot, controller):
    entry_id = controller.record_delivery(sample_result(), None, "Orders", "sale.new")
    qtbot.waitUntil(entry_id.done, timeout=5000)
    entries = run_in_loop(qtbot, controller.history(HistoryFilter()))

    assert entry_id.result() == entries[0].id
