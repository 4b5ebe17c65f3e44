"""Delivery history: masking, queries, retention, results for display, resend."""

import asyncio
import base64
import dataclasses
from datetime import UTC, datetime

import pytest

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.redirects import RedirectHop
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.result import Failure
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.store import (
    DeliveryRecord,
    HistoryEntryNotFoundError,
    HistoryFilter,
    ReadOnlyStoreError,
    Store,
    StoreError,
    new_run_id,
    record_delivery_quietly,
)
from bchook_studio.core.store.migrations import SCHEMA_VERSION
from bchook_studio.core.store.resend import ResendError, build_resend_request
from bchook_studio.core.store.settings import HISTORY_CAP, HISTORY_RETENTION
from bchook_studio.core.webhook import HeaderRow, Webhook
from tests.servers import RawServer, respond
from tests.store_fixtures import CANARY, failed_result, sample_result, use_keyring


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "studio.sqlite3") as opened:
        yield opened


def _send(request: OutgoingRequest):
    async def send_once():
        pool = ClientPool()
        try:
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    return asyncio.run(send_once())


def test_record_masks_request(store):
    result = sample_result(
        url="http://carol:url-pass@127.0.0.1:9/hook?token=tok-value&x=1",
        headers=(("X-Signature", "sig-value"), ("X-Open", "open-value")),
        secret_headers=frozenset({"authorization", "x-signature"}),
    )
    entry_id = store.history.record(
        result, 7, "Orders", "sale.new", secret_query_parameters=["TOKEN"]
    )
    entry = store.history.get(entry_id)
    headers = dict(entry.request.headers)

    assert entry.request.url == (
        "http://carol:********@127.0.0.1:9/hook?token=********&x=1"
    )
    assert headers["Authorization"] == "Basic ********"
    assert headers["X-Signature"] == "********"
    assert headers["X-Open"] == "open-value"
    assert entry.request.basic_username == "carol"
    assert entry.webhook_id == 7
    assert entry.webhook_name == "Orders"
    assert entry.topic_key == "sale.new"


def test_record_masks_cookie_always(store):
    result = sample_result(
        headers=(("Cookie", "session=abc123"),), secret_headers=frozenset()
    )
    entry = store.history.get(store.history.record(result, None, None, "user.created"))

    assert dict(entry.request.headers)["Cookie"] == "********"
    assert dict(entry.request.headers)["Authorization"] == "Basic ********"


def test_failure_text_scrubbed(store):
    failure = Failure(
        FailureKind.PROTOCOL,
        "The server at 127.0.0.1 broke off after seeing tok-value.",
        "detail mentions tok-value and password=hunter22",
    )
    result = sample_result(status=None, failure=failure)
    entry = store.history.get(
        store.history.record(result, None, None, "x", secret_query_parameters=["token"])
    )

    assert "tok-value" not in entry.failure_message
    assert "tok-value" not in entry.failure_detail
    assert "hunter22" not in entry.failure_detail


def test_entry_round_trips_result(store):
    result = sample_result()
    entry = store.history.get(store.history.record(result, 1, "A", "user.created"))
    displayed = entry.to_result()

    assert displayed.started_at == result.started_at
    assert displayed.elapsed_ms == result.elapsed_ms
    assert displayed.headers_ms == result.headers_ms
    assert displayed.response == result.response
    assert displayed.request.body == result.request.body
    assert displayed.request.method == "POST"
    assert displayed.failure is None
    assert displayed.ok is True


def test_failed_entry_has_kind(store):
    entry = store.history.get(store.history.record(failed_result(), None, None, "x"))
    displayed = entry.to_result()

    assert entry.response is None
    assert entry.status is None
    assert displayed.failure.kind is FailureKind.REFUSED
    assert displayed.failure.message == "Connection refused."
    assert displayed.failure.detail == "errno 111"


def test_unsent_request_kept_as_url(store):
    result = sample_result(status=None, failure=Failure(FailureKind.INVALID_URL, "bad"))
    result = type(result)(
        url="htp:/bad?token=secret-q",
        started_at=result.started_at,
        elapsed_ms=0.5,
        failure=result.failure,
    )
    entry = store.history.get(
        store.history.record(result, None, None, "x", secret_query_parameters=["token"])
    )

    assert entry.request.sent is False
    assert entry.request.url == "htp:/bad?token=********"
    assert entry.to_result().request is None


def test_redirects_and_notes_kept(store):
    hop = RedirectHop(
        "POST",
        "http://127.0.0.1:9/a?token=tok-value",
        302,
        "/b",
        "GET",
        "http://127.0.0.1:9/b?token=tok-value",
        ("authorization",),
        True,
    )
    result = sample_result()
    result = type(result)(
        **{
            **result.__dict__,
            "redirects": (hop,),
            "notes": ("TLS verification is off.",),
            "proxy": "http://p:********@proxy.test:3128",
            "tls_verified": False,
        }
    )
    entry = store.history.get(
        store.history.record(result, None, None, "x", secret_query_parameters=["token"])
    )

    assert len(entry.redirects) == 1
    assert entry.redirects[0].url == "http://127.0.0.1:9/a?token=********"
    assert entry.redirects[0].next_url == "http://127.0.0.1:9/b?token=********"
    assert entry.redirects[0].dropped_headers == ("authorization",)
    assert entry.notes == ("TLS verification is off.",)
    assert entry.proxy == "http://p:********@proxy.test:3128"
    assert entry.tls_verified is False
    assert entry.to_result().redirects == entry.redirects


def test_bodies_cut_at_history_cap(store):
    store.set_setting(HISTORY_CAP, 100)
    big = bytes(range(256)) * 4
    result = sample_result(body=big, request_body=b"r" * 300)
    entry = store.history.get(store.history.record(result, None, None, "x"))

    assert entry.response.body == big[:100]
    assert entry.response.size == len(big)
    assert entry.response.truncated is True
    assert entry.request.body == b"r" * 100
    assert entry.request.body_size == 300
    assert entry.request.body_truncated is True


def test_retention_keeps_newest(store):
    store.set_setting(HISTORY_RETENTION, 5)
    ids = [store.history.record(sample_result(), None, None, "x") for _ in range(8)]
    listed = [entry.id for entry in store.history.query()]
    bodies = store._database.connection.execute(
        "SELECT count(*) FROM delivery_bodies"
    ).fetchone()[0]

    assert listed == ids[::-1][:5]
    assert store.history.count() == 5
    assert bodies == 5


def test_record_many_matches_one_by_one(store):
    result = sample_result(headers=(("X-Api-Key", "key-value"),))
    records = [
        DeliveryRecord(result, None, "one", "user.created", "run-1"),
        DeliveryRecord(
            result, 7, "two", "course.created", secret_query_parameters=("x",)
        ),
    ]

    ids = store.history.record_many(records)
    single = store.history.record(
        result, 7, "two", "course.created", secret_query_parameters=("x",)
    )

    assert ids[1] == ids[0] + 1
    first = store.history.get(ids[0])
    second = store.history.get(ids[1])
    alone = store.history.get(single)
    assert (first.webhook_name, first.topic_key, first.run_id) == (
        "one",
        "user.created",
        "run-1",
    )
    assert second.webhook_id == 7
    assert second.request.url == alone.request.url
    assert "x=1" not in second.request.url
    assert second.request.headers == alone.request.headers
    assert ("X-Api-Key", "key-value") not in second.request.headers


def test_record_many_applies_retention_once(store):
    store.set_setting(HISTORY_RETENTION, 3)
    records = [DeliveryRecord(sample_result(), None, None, "x") for _ in range(5)]

    ids = store.history.record_many(records)
    listed = [entry.id for entry in store.history.query()]

    assert listed == ids[::-1][:3]
    assert store.history.count() == 3


def test_unwritable_database_error_says_why(store):
    # query_only makes SQLite reject writes as it does for a read-only file.
    store._database.connection.execute("PRAGMA query_only = ON")

    with pytest.raises(StoreError) as raised:
        store.history.record(sample_result(), None, None, "x")

    message = str(raised.value)
    assert message.startswith(f"cannot save to the database {store.path}, because")
    assert message.endswith("cannot be written. Check their permissions.")


def test_record_many_of_nothing(store):
    assert store.history.record_many([]) == []
    assert store.history.count() == 0


def test_retention_counts_rows_across_deleted_ids(store):
    store.set_setting(HISTORY_RETENTION, 3)
    first = [store.history.record(sample_result(), None, None, "x") for _ in range(3)]
    store.history.delete([first[1]])
    later = [store.history.record(sample_result(), None, None, "x") for _ in range(2)]
    listed = [entry.id for entry in store.history.query()]

    assert listed == [later[1], later[0], first[2]]


def test_prune_after_lowering_retention_keeps_newest(store):
    ids = [store.history.record(sample_result(), None, None, "x") for _ in range(10)]
    store.history.delete([ids[8]])
    store.set_setting(HISTORY_RETENTION, 3)

    deleted = store.history.prune()
    listed = [entry.id for entry in store.history.query()]

    assert deleted == 6
    assert listed == [ids[9], ids[7], ids[6]]
    assert store.history.prune() == 0


def test_retention_deletes_earliest_started(store):
    store.set_setting(HISTORY_RETENTION, 2)

    def started(minute: int, status: int):
        start = datetime(2026, 1, 1, 9, minute, tzinfo=UTC)
        return dataclasses.replace(sample_result(status=status), started_at=start)

    store.history.record(started(1, 201), None, None, "x")
    store.history.record(started(3, 203), None, None, "x")
    store.history.record(started(0, 200), None, None, "x")
    store.history.record(started(2, 202), None, None, "x")

    statuses = [entry.status for entry in store.history.query()]

    assert statuses == [203, 202]


def test_query_orders_by_start_time(store):
    early = dataclasses.replace(
        sample_result(status=201), started_at=datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    )
    late = dataclasses.replace(
        sample_result(status=202), started_at=datetime(2026, 1, 1, 9, 1, tzinfo=UTC)
    )
    store.history.record(late, None, None, "x")
    store.history.record(early, None, None, "x")

    statuses = [entry.status for entry in store.history.query()]

    assert statuses == [202, 201]


def test_query_filters(store):
    run = new_run_id()
    store.history.record(sample_result(status=200), 1, "A", "user.created", run)
    store.history.record(sample_result(status=404), 1, "A", "course.created", run)
    store.history.record(failed_result(), 2, "B", "user.created")
    store.history.record(
        sample_result(status=500, body=b'{"error": "Needle in body"}'), 2, "B", "x"
    )

    def ids(**where):
        return [entry.status for entry in store.history.query(HistoryFilter(**where))]

    assert ids() == [500, None, 404, 200]
    assert ids(webhook_id=1) == [404, 200]
    assert ids(topic_key="user.created") == [None, 200]
    assert ids(status_class="2xx") == [200]
    assert ids(status_class="4xx") == [404]
    assert ids(status_class="failed") == [None]
    assert ids(run_id=run) == [404, 200]
    assert ids(text="needle") == [500]
    assert ids(text="refused") == [None]
    assert ids(text="127.0.0.1") == [500, None, 404, 200]
    assert ids(text="100%_") == []
    assert store.history.count(HistoryFilter(webhook_id=2)) == 2
    assert [e.status for e in store.history.query(limit=2, offset=1)] == [None, 404]


def test_status_class_skips_cut_off_response(store):
    reset = Failure(FailureKind.RESET, "The connection was reset.", "errno 104")
    store.history.record(sample_result(status=200), None, None, "x")
    store.history.record(sample_result(status=200, failure=reset), None, None, "x")

    def kinds(status_class):
        where = HistoryFilter(status_class=status_class)
        return [entry.failure_kind for entry in store.history.query(where)]

    assert kinds("2xx") == [None]
    assert kinds("failed") == ["reset"]


def test_unknown_status_class_rejected(store):
    with pytest.raises(ValueError, match="2xx"):
        store.history.query(HistoryFilter(status_class="ok"))


def test_get_unknown_id_raises(store):
    with pytest.raises(HistoryEntryNotFoundError, match="42"):
        store.history.get(42)


def test_delete_and_clear(store):
    first = store.history.record(sample_result(), None, None, "x")
    store.history.record(sample_result(), None, None, "x")

    assert store.history.delete([first, 999]) == 1
    assert store.history.count() == 1
    assert store.history.clear() == 1
    assert store.history.count() == 0


def test_quiet_record_in_app_home(app_home):
    message = record_delivery_quietly(
        sample_result(), webhook_name=None, topic_key="user.created"
    )

    with Store.open() as store:
        entries = store.history.query()

    assert message is None
    assert len(entries) == 1
    assert entries[0].webhook_name is None


def test_quiet_record_reports_read_only(app_home):
    import sqlite3

    Store.open().close()
    database = app_home / "studio.sqlite3"
    connection = sqlite3.connect(database)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    message = record_delivery_quietly(sample_result(), webhook_name="A", topic_key="x")

    assert message is not None
    assert message.startswith("the delivery was not recorded in the history")
    assert "newer version" in message


def test_quiet_record_leaves_damaged_file(app_home):
    database = app_home / "studio.sqlite3"
    database.write_bytes(b"garbage" * 1000)

    message = record_delivery_quietly(sample_result(), webhook_name="A", topic_key="x")

    assert message is not None
    assert "damaged" in message
    assert database.read_bytes() == b"garbage" * 1000


def test_record_on_read_only_raises(tmp_path):
    import sqlite3

    database = tmp_path / "studio.sqlite3"
    Store.open(database).close()
    connection = sqlite3.connect(database)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    with Store.open(database) as store, pytest.raises(ReadOnlyStoreError):
        store.history.record(sample_result(), None, None, "x")


def test_resend_fills_secrets(store):
    body = b'{"order": 1}'
    with use_keyring(), RawServer(respond("200 OK", b"ok")) as server:
        webhook = Webhook(
            name="Orders",
            url=server.url + f"?token={CANARY}",
            auth_enabled=True,
            username="carol",
            password=CANARY,
            headers=(HeaderRow("X-Signature", "sig-" + CANARY, secret=True),),
            secret_query_parameters=("token",),
        )
        webhook_id = store.save_webhook(webhook)
        result = _send(webhook.outgoing_request(body))
        entry_id = store.history.record(
            result,
            webhook_id,
            webhook.name,
            "sale.new",
            secret_query_parameters=["token"],
        )

        rebuilt = store.resend_request(entry_id)
        again = _send(rebuilt)

        first, second = server.requests

    assert again.ok
    assert second.request_line == first.request_line
    assert second.body == first.body == body
    assert second.headers == first.headers
    expected = base64.b64encode(f"carol:{CANARY}".encode()).decode()
    assert second.headers["authorization"] == f"Basic {expected}"
    assert second.headers["x-signature"] == "sig-" + CANARY


def test_resend_without_webhook_explains(store):
    entry_id = store.history.record(sample_result(), 99, "Gone", "x")
    entry = store.history.get(entry_id)

    with pytest.raises(ResendError, match="'Gone' was deleted"):
        build_resend_request(entry, None)


def test_resend_without_secret_explains(store):
    result = sample_result()
    webhook = Webhook(name="A", url=result.url, auth_enabled=True, username="carol")
    webhook_id = store.save_webhook(webhook)
    entry_id = store.history.record(result, webhook_id, "A", "x")

    with pytest.raises(ResendError, match="no longer has it"):
        store.resend_request(entry_id)


def test_resend_from_command_line_explains(store):
    entry_id = store.history.record(sample_result(), None, None, "x")

    with pytest.raises(ResendError, match="command line"):
        store.resend_request(entry_id)


def test_resend_cut_body_rejected(store):
    store.set_setting(HISTORY_CAP, 4)
    entry_id = store.history.record(
        sample_result(headers=(), secret_headers=frozenset()), None, None, "x"
    )

    with pytest.raises(ResendError, match="history cap"):
        store.resend_request(entry_id)
