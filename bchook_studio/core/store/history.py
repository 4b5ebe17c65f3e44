"""Delivery history: every delivery recorded with its secrets masked.

Each entry keeps the request as sent (URL user-info password, secret query
values and secret header values masked), the response or the failure, and the
timings. Bodies are stored up to the history cap with their true size. Only
the newest deliveries are kept (1,000 by default, a setting); older ones are
deleted on insert. Response headers and both bodies are stored as they were,
unmasked, because they are the record of what the server and the webhook sent.
"""

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.redirects import RedirectHop
from bchook_studio.core.delivery.request import SECRET_HEADERS, is_secret_header
from bchook_studio.core.delivery.result import (
    DeliveryResult,
    Failure,
    ReceivedResponse,
    SentRequest,
    header_value,
)
from bchook_studio.core.export.masking import (
    MASK,
    basic_credentials,
    mask_headers,
    mask_url,
    url_secret_values,
)
from bchook_studio.core.logs import redact
from bchook_studio.core.store.connection import StoreConnection
from bchook_studio.core.store.delivery_record import DeliveryRecord
from bchook_studio.core.store.errors import HistoryEntryNotFoundError
from bchook_studio.core.store.settings import (
    read_history_limits,
    read_history_retention,
)
from bchook_studio.core.store.webhooks import parse_time
from bchook_studio.core.webhook_codec import (
    WebhookCodecError,
    dataclass_from_dict,
    dataclass_to_dict,
)

logger = logging.getLogger(__name__)

Headers = tuple[tuple[str, str], ...]

STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", "failed")
"""Values `HistoryFilter.status_class` accepts.

"failed" matches any failure kind, including a response cut off after its
status. The other classes match only deliveries that did not fail.
"""

_SUMMARY_COLUMNS = (
    "d.id, d.run_id, d.webhook_id, d.webhook_name, d.topic_key, d.started_at, "
    "d.elapsed_ms, d.method, d.url, d.status, d.reason, d.failure_kind, "
    "d.response_body_size"
)


def new_run_id() -> str:
    """Return an id that groups the deliveries of one check run."""
    # Imported here: uuid imports platform, and only a check run needs an id.
    import uuid

    return uuid.uuid4().hex


@dataclass(frozen=True)
class StoredRequest:
    """The request as it went on the wire, with secrets masked."""

    method: str
    url: str
    headers: Headers
    body: bytes = field(repr=False)
    body_size: int
    """Bytes of the body as sent; more than len(body) when the history cap cut it."""

    sent: bool = True
    """False when the request never reached the wire (invalid URL, cancelled)."""

    basic_username: str | None = None
    """The Basic username, kept because the masked Authorization header hides it."""

    @property
    def body_truncated(self) -> bool:
        """True when the stored body is shorter than the body sent."""
        return len(self.body) < self.body_size


@dataclass(frozen=True)
class StoredResponse:
    """The response, with its body cut at the history cap."""

    status: int
    reason: str
    http_version: str
    headers: Headers
    body: bytes = field(repr=False)
    size: int
    """Bytes of the body received after decoding, including any cut off."""

    truncated: bool
    """True when the body was cut at the capture cap or at the history cap."""


@dataclass(frozen=True)
class HistorySummary:
    """One line of the history list, read without the bodies."""

    id: int
    run_id: str | None
    webhook_id: int | None
    webhook_name: str | None
    topic_key: str
    started_at: datetime
    elapsed_ms: float
    method: str
    url: str
    status: int | None
    reason: str | None
    failure_kind: str | None
    response_size: int | None


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded delivery, in full."""

    id: int
    run_id: str | None
    webhook_id: int | None
    webhook_name: str | None
    topic_key: str
    started_at: datetime
    elapsed_ms: float
    headers_ms: float | None
    request: StoredRequest
    response: StoredResponse | None
    failure_kind: str | None
    failure_message: str | None
    failure_detail: str | None
    redirects: tuple[RedirectHop, ...] = ()
    """Redirect responses, with their URLs masked like the request's."""

    proxy: str | None = None
    """The proxy the delivery went through, its password masked, or None."""

    tls_verified: bool | None = None
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> int | None:
        """Return the response status, or None when no response arrived."""
        return None if self.response is None else self.response.status

    def to_result(self) -> DeliveryResult:
        """Return the entry as a DeliveryResult for the response pane.

        The request in it is the masked one; use `resend.build_resend_request`
        to get one that can be sent.
        """
        request = None
        if self.request.sent:
            request = SentRequest(
                method=self.request.method,
                url=self.request.url,
                headers=self.request.headers,
                body=self.request.body,
            )
        response = None
        if self.response is not None:
            response = ReceivedResponse(
                status=self.response.status,
                reason=self.response.reason,
                http_version=self.response.http_version,
                headers=self.response.headers,
                body=self.response.body,
                size=self.response.size,
                truncated=self.response.truncated,
            )
        return DeliveryResult(
            url=self.request.url,
            started_at=self.started_at,
            elapsed_ms=self.elapsed_ms,
            request=request,
            response=response,
            failure=self._failure(),
            headers_ms=self.headers_ms,
            redirects=self.redirects,
            proxy=self.proxy,
            tls_verified=self.tls_verified,
            notes=self.notes,
        )

    def _failure(self) -> Failure | None:
        if self.failure_kind is None:
            return None
        try:
            kind = FailureKind(self.failure_kind)
        except ValueError:
            # A newer version wrote a kind this one does not know.
            logger.info(
                "history entry %d has unknown failure kind %r",
                self.id,
                self.failure_kind,
            )
            kind = FailureKind.PROTOCOL
        message = self.failure_message or ""
        return Failure(kind, message, self.failure_detail or "")


@dataclass(frozen=True)
class HistoryFilter:
    """Conditions on the deliveries a query returns; a None field matches all."""

    webhook_id: int | None = None
    topic_key: str | None = None
    status_class: str | None = None
    """One of STATUS_CLASSES."""

    text: str | None = None
    """Text found in the URL, the webhook name, a body or the failure message.

    Matching ignores case for ASCII letters only (SQLite LIKE), and stops at a
    NUL byte inside a body.
    """

    run_id: str | None = None


class History:
    """The delivery history of one store. Obtain it as `Store.history`."""

    def __init__(self, database: StoreConnection) -> None:
        self._database = database

    def record(
        self,
        result: DeliveryResult,
        webhook_id: int | None,
        webhook_name: str | None,
        topic_key: str,
        run_id: str | None = None,
        *,
        secret_query_parameters: Iterable[str] = (),
        secret_headers: Iterable[str] = (),
    ) -> int:
        """Record one delivery with its secrets masked and return the entry id.

        `secret_query_parameters` are the webhook's secret query names;
        `secret_headers` adds header names to those the request already marks.
        Deletes the oldest entries beyond the retention setting.
        """
        record = DeliveryRecord(
            result,
            webhook_id,
            webhook_name,
            topic_key,
            run_id,
            tuple(secret_query_parameters),
            tuple(secret_headers),
        )
        return self.record_many([record])[0]

    def record_many(self, records: Sequence[DeliveryRecord]) -> list[int]:
        """Record deliveries in one transaction and return their entry ids, in order.

        The entries are the ones `record` writes for each, and the retention
        setting is applied once, after the last. One transaction writes the
        pages the entries share once, where a transaction per delivery writes
        them again for each.
        """
        masked = [
            _MaskedDelivery(
                record.result, record.secret_query_parameters, record.secret_headers
            )
            for record in records
        ]
        with self._database.writing() as connection:
            cap, retention = read_history_limits(connection)
            entry_ids = [
                _insert(connection, record, delivery, cap)
                for record, delivery in zip(records, masked, strict=True)
            ]
            _prune(connection, retention)
        for entry_id, delivery in zip(entry_ids, masked, strict=True):
            logger.info("recorded delivery %d to %s", entry_id, delivery.url)
        return entry_ids

    def query(
        self, where: HistoryFilter | None = None, limit: int = 100, offset: int = 0
    ) -> list[HistorySummary]:
        """Return matching deliveries, newest first by the time each started
        (an endpoint check records them as they finish), without their bodies.

        A text filter reads every stored body, so run it on a worker thread.
        Raises ValueError for a status class not in STATUS_CLASSES.
        """
        where = HistoryFilter() if where is None else where
        clause, parameters = _where_clause(where)
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM deliveries AS d {_join(where)} "
            f"{clause} ORDER BY d.started_at DESC, d.id DESC LIMIT ? OFFSET ?"
        )
        with self._database.reading() as connection:
            rows = connection.execute(sql, (*parameters, limit, offset)).fetchall()
        return [_summary(row) for row in rows]

    def count(self, where: HistoryFilter | None = None) -> int:
        """Return how many deliveries match `where`."""
        where = HistoryFilter() if where is None else where
        clause, parameters = _where_clause(where)
        sql = f"SELECT count(*) FROM deliveries AS d {_join(where)} {clause}"
        with self._database.reading() as connection:
            return int(connection.execute(sql, parameters).fetchone()[0])

    def get(self, entry_id: int) -> HistoryEntry:
        """Return one delivery in full, or raise HistoryEntryNotFoundError."""
        with self._database.reading() as connection:
            row = connection.execute(
                "SELECT d.*, b.request_body, b.response_body FROM deliveries AS d "
                "LEFT JOIN delivery_bodies AS b ON b.delivery_id = d.id "
                "WHERE d.id = ?",
                (entry_id,),
            ).fetchone()
        if row is None:
            raise HistoryEntryNotFoundError(
                f"no delivery with id {entry_id} is in the history. List the "
                "history to see the ids it contains."
            )
        return _entry(row)

    def delete(self, entry_ids: Iterable[int]) -> int:
        """Delete deliveries by id and return how many were deleted."""
        ids = list(entry_ids)
        with self._database.writing() as connection:
            deleted = 0
            for entry_id in ids:
                cursor = connection.execute(
                    "DELETE FROM deliveries WHERE id = ?", (entry_id,)
                )
                deleted += cursor.rowcount
        return deleted

    def clear(self) -> int:
        """Delete every delivery and return how many there were."""
        with self._database.writing() as connection:
            return connection.execute("DELETE FROM deliveries").rowcount

    def prune(self) -> int:
        """Apply the retention setting now and return how many entries went."""
        with self._database.writing() as connection:
            return _prune(connection, read_history_retention(connection))


class _MaskedDelivery:
    """The parts of a delivery result as the history stores them."""

    def __init__(
        self,
        result: DeliveryResult,
        secret_query_parameters: Iterable[str],
        secret_headers: Iterable[str],
    ) -> None:
        self.result = result
        query_names = tuple(secret_query_parameters)
        sent = result.request
        raw_url = sent.url if sent is not None else result.url
        self.query_names = query_names
        self.url = mask_url(raw_url, query_names)
        self.secrets = url_secret_values(raw_url, query_names)

        if sent is None:
            self.method = "POST"
            self.headers: Headers = ()
            self.body = b""
            self.basic_username = None
            return

        names = set(sent.secret_headers) | SECRET_HEADERS
        names |= {name.lower() for name in secret_headers}
        names |= {name.lower() for name, _ in sent.headers if is_secret_header(name)}
        self.method = sent.method
        self.headers = mask_headers(sent.headers, names)
        self.body = sent.body
        self.secrets += [value for name, value in sent.headers if name.lower() in names]

        credentials = basic_credentials(
            header_value(sent.headers, "authorization") or ""
        )
        self.basic_username = None if credentials is None else credentials[0]
        if credentials is not None:
            self.secrets.append(credentials[1])

    def response_columns(self, cap: int) -> tuple[object, ...]:
        response = self.result.response
        if response is None:
            return (None, None, None, None, None, None)
        truncated = response.truncated or len(response.body) > cap
        return (
            response.status,
            response.reason,
            response.http_version,
            json.dumps(list(response.headers), ensure_ascii=False),
            response.size,
            int(truncated),
        )

    def failure_columns(self) -> tuple[object, ...]:
        failure = self.result.failure
        if failure is None:
            return (None, None, None)
        return (
            failure.kind.value,
            self._scrub(failure.message),
            self._scrub(failure.detail),
        )

    def extra_json(self) -> str:
        result = self.result
        hops = [
            dataclass_to_dict(
                replace(
                    hop,
                    url=mask_url(hop.url, self.query_names),
                    location=mask_url(hop.location, self.query_names),
                    next_url=mask_url(hop.next_url, self.query_names),
                )
            )
            for hop in result.redirects
        ]
        extra = {
            "redirects": hops,
            "proxy": None if result.proxy is None else mask_url(result.proxy),
            "tls_verified": result.tls_verified,
            "notes": [self._scrub(note) for note in result.notes],
        }
        return json.dumps(extra, ensure_ascii=False)

    def _scrub(self, text: str) -> str:
        text = redact(text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= 3 and secret != MASK:
                text = text.replace(secret, MASK)
        return text


def _insert(
    connection: sqlite3.Connection,
    record: DeliveryRecord,
    masked: _MaskedDelivery,
    cap: int,
) -> int:
    """Insert one delivery and its bodies, cut to `cap` bytes; return its id."""
    result = record.result
    cursor = connection.execute(
        "INSERT INTO deliveries (run_id, webhook_id, webhook_name, "
        "topic_key, started_at, elapsed_ms, headers_ms, request_sent, "
        "method, url, request_headers, basic_username, request_body_size, "
        "status, reason, http_version, response_headers, "
        "response_body_size, response_truncated, failure_kind, "
        "failure_message, failure_detail, extra) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.run_id,
            record.webhook_id,
            record.webhook_name,
            record.topic_key,
            result.started_at.isoformat(timespec="microseconds"),
            result.elapsed_ms,
            result.headers_ms,
            int(result.request is not None),
            masked.method,
            masked.url,
            json.dumps(masked.headers, ensure_ascii=False),
            masked.basic_username,
            len(masked.body),
            *masked.response_columns(cap),
            *masked.failure_columns(),
            masked.extra_json(),
        ),
    )
    entry_id = int(cursor.lastrowid or 0)
    response = result.response
    connection.execute(
        "INSERT INTO delivery_bodies (delivery_id, request_body, "
        "response_body) VALUES (?, ?, ?)",
        (
            entry_id,
            masked.body[:cap],
            None if response is None else response.body[:cap],
        ),
    )
    return entry_id


def _prune(connection: sqlite3.Connection, retention: int) -> int:
    """Delete the deliveries that started before the newest `retention` ones.

    The order is the one the history lists: start time, then id. An endpoint
    check records its deliveries as they finish, so a delivery recorded later
    can have started earlier.
    """
    # SQLite counts rows from the page headers of the smallest index, so the
    # count stays cheap. The delete walks the start-time index from the oldest
    # end, only as far as the rows beyond `retention` go.
    (count,) = connection.execute("SELECT count(*) FROM deliveries").fetchone()
    beyond = count - retention
    if beyond <= 0:
        return 0
    cursor = connection.execute(
        "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries "
        "ORDER BY started_at, id LIMIT ?)",
        (beyond,),
    )
    if cursor.rowcount:
        noun = "delivery" if cursor.rowcount == 1 else "deliveries"
        logger.info(
            "deleted %d %s beyond the newest %d", cursor.rowcount, noun, retention
        )
    return cursor.rowcount


def _join(where: HistoryFilter) -> str:
    if not where.text:
        return ""
    return "LEFT JOIN delivery_bodies AS b ON b.delivery_id = d.id"


def _where_clause(where: HistoryFilter) -> tuple[str, list[object]]:
    conditions: list[str] = []
    parameters: list[object] = []
    if where.webhook_id is not None:
        conditions.append("d.webhook_id = ?")
        parameters.append(where.webhook_id)
    if where.topic_key is not None:
        conditions.append("d.topic_key = ?")
        parameters.append(where.topic_key)
    if where.run_id is not None:
        conditions.append("d.run_id = ?")
        parameters.append(where.run_id)
    if where.status_class is not None:
        conditions.append(_status_condition(where.status_class))
    if where.text:
        pattern = "%" + _escape_like(where.text) + "%"
        searched = (
            "d.url",
            "d.webhook_name",
            "d.failure_message",
            "CAST(b.request_body AS TEXT)",
            "CAST(b.response_body AS TEXT)",
        )
        conditions.append(
            "("
            + " OR ".join(f"{column} LIKE ? ESCAPE '\\'" for column in searched)
            + ")"
        )
        parameters.extend([pattern] * len(searched))
    if not conditions:
        return "", parameters
    return "WHERE " + " AND ".join(conditions), parameters


def _status_condition(status_class: str) -> str:
    name = status_class.strip().lower()
    if name == "failed":
        return "d.failure_kind IS NOT NULL"
    if name in STATUS_CLASSES:
        # A response whose body was then cut off (a reset after a 200) is a
        # failed delivery, as the History dock colours it, not a 2xx one.
        low = int(name[0]) * 100
        return (
            f"(d.status >= {low} AND d.status < {low + 100} AND d.failure_kind IS NULL)"
        )
    raise ValueError(
        f"unknown status class {status_class!r}; use one of {', '.join(STATUS_CLASSES)}"
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _summary(row: sqlite3.Row) -> HistorySummary:
    return HistorySummary(
        id=row["id"],
        run_id=row["run_id"],
        webhook_id=row["webhook_id"],
        webhook_name=row["webhook_name"],
        topic_key=row["topic_key"],
        started_at=parse_time(row["started_at"]),
        elapsed_ms=row["elapsed_ms"],
        method=row["method"],
        url=row["url"],
        status=row["status"],
        reason=row["reason"],
        failure_kind=row["failure_kind"],
        response_size=row["response_body_size"],
    )


def _extra(entry_id: int, text: str | None) -> dict[str, Any]:
    """Return the redirects, proxy, TLS state and notes stored with an entry."""
    try:
        extra = json.loads(text or "{}")
    except json.JSONDecodeError:
        extra = {}
    if not isinstance(extra, dict):
        extra = {}

    hops = []
    for index, data in enumerate(extra.get("redirects") or []):
        try:
            hops.append(dataclass_from_dict(RedirectHop, data, f"redirects[{index}]"))
        except WebhookCodecError as exc:
            logger.warning("history entry %d has a damaged redirect: %s", entry_id, exc)
    proxy = extra.get("proxy")
    verified = extra.get("tls_verified")
    notes = extra.get("notes") or []
    return {
        "redirects": tuple(hops),
        "proxy": proxy if isinstance(proxy, str) else None,
        "tls_verified": verified if isinstance(verified, bool) else None,
        "notes": tuple(str(note) for note in notes if isinstance(note, str)),
    }


def _entry(row: sqlite3.Row) -> HistoryEntry:
    request = StoredRequest(
        method=row["method"],
        url=row["url"],
        headers=_headers(row["request_headers"]),
        body=bytes(row["request_body"] or b""),
        body_size=row["request_body_size"],
        sent=bool(row["request_sent"]),
        basic_username=row["basic_username"],
    )
    response = None
    if row["status"] is not None:
        response = StoredResponse(
            status=row["status"],
            reason=row["reason"] or "",
            http_version=row["http_version"] or "",
            headers=_headers(row["response_headers"]),
            body=bytes(row["response_body"] or b""),
            size=row["response_body_size"] or 0,
            truncated=bool(row["response_truncated"]),
        )
    return HistoryEntry(
        id=row["id"],
        run_id=row["run_id"],
        webhook_id=row["webhook_id"],
        webhook_name=row["webhook_name"],
        topic_key=row["topic_key"],
        started_at=parse_time(row["started_at"]),
        elapsed_ms=row["elapsed_ms"],
        headers_ms=row["headers_ms"],
        request=request,
        response=response,
        failure_kind=row["failure_kind"],
        failure_message=row["failure_message"],
        failure_detail=row["failure_detail"],
        **_extra(row["id"], row["extra"]),
    )


def _headers(text: str | None) -> Headers:
    if not text:
        return ()
    return tuple((str(name), str(value)) for name, value in json.loads(text))
