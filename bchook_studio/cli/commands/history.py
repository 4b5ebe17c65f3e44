"""`bchook-studio history`: list recorded deliveries, newest first."""

import argparse
import json

from bchook_studio.cli.arguments import count_in_range, resolve_topic
from bchook_studio.cli.output import EXIT_OK, UsageError, terminal_safe, write_text

_HEADER = ("ID", "TIME", "RESULT", "ELAPSED", "WEBHOOK", "TOPIC", "REQUEST")

MAX_LIMIT = 1_000_000
"""The largest --limit: a bound a person can read in an error message, and more
deliveries than a history is likely to keep (the retention is a setting)."""


def _limit(text: str) -> int:
    return count_in_range(text, "count", 1, MAX_LIMIT)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history",
        help="list recorded deliveries, newest first",
        description=(
            "List the deliveries recorded in the history, newest first, with "
            "secrets masked. The ids are those `export ID` takes."
        ),
    )
    parser.add_argument(
        "--limit",
        type=_limit,
        default=20,
        metavar="N",
        help=f"the number of deliveries to list, from 1 to {MAX_LIMIT} (default 20)",
    )
    parser.add_argument(
        "--status",
        metavar="CLASS",
        help="only deliveries with this status class: 1xx to 5xx, or failed (which "
        "includes a response cut off after its status)",
    )
    parser.add_argument(
        "--topic",
        metavar="TOPIC",
        help="only deliveries of this topic: a key or title, such as sale.new or "
        "'New Sale'",
    )
    parser.add_argument(
        "--search",
        metavar="TEXT",
        help="only deliveries whose URL, webhook name, body or failure contains TEXT",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array of objects with id, time, webhook, topic, method, "
        "url, status, kind and elapsed_ms",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from bchook_studio.cli.commands.store_access import open_store
    from bchook_studio.core.store import STATUS_CLASSES, HistoryFilter

    status = options.status.lower() if options.status else None
    if status is not None and status not in STATUS_CLASSES:
        raise UsageError(
            f"unknown status class {options.status!r}; use one of "
            f"{', '.join(STATUS_CLASSES)}"
        )
    topic_key = None if options.topic is None else resolve_topic(options.topic).key
    where = HistoryFilter(topic_key=topic_key, status_class=status, text=options.search)
    with open_store() as store:
        entries = store.history.query(where, limit=options.limit)

    if options.json:
        records = [_record(entry) for entry in entries]
        write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    else:
        # With no deliveries the table is its header row alone.
        write_text(_table(entries))
    return EXIT_OK


def _time(entry) -> str:
    from bchook_studio.core.export.har import har_time

    return har_time(entry.started_at)


def _record(entry) -> dict[str, object]:
    return {
        "id": entry.id,
        "time": _time(entry),
        "webhook": entry.webhook_name,
        "topic": entry.topic_key,
        "method": entry.method,
        "url": entry.url,
        "status": entry.status,
        "kind": entry.failure_kind,
        "elapsed_ms": round(entry.elapsed_ms, 3),
    }


def _outcome(entry) -> str:
    parts = [str(entry.status)] if entry.status is not None else []
    if entry.failure_kind:
        parts.append(entry.failure_kind)
    return " ".join(parts) or "-"


def _table(entries) -> str:
    rows = [_HEADER]
    for entry in entries:
        rows.append(
            (
                str(entry.id),
                _time(entry),
                _outcome(entry),
                f"{entry.elapsed_ms:.0f} ms",
                terminal_safe(entry.webhook_name or "-"),
                entry.topic_key,
                terminal_safe(f"{entry.method} {entry.url}"),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADER))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
