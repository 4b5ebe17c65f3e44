"""`bchook-studio export`: a recorded delivery as cURL, HAR, text or PowerShell,
or every saved webhook as a definitions file."""

import argparse
from pathlib import Path

from bchook_studio.cli.output import EXIT_OK, UsageError, warning, write_text

FORMATS = ("curl", "har", "text", "powershell")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a delivery from the history, or the saved webhooks",
        description=(
            "Write delivery ID from the history as a cURL command, a HAR file, a "
            "plain-text report or a PowerShell script, with secrets masked as "
            "******** unless --show-secrets is given. With --webhooks FILE, write "
            "every saved webhook to a JSON definitions file instead."
        ),
    )
    parser.add_argument(
        "id", nargs="?", metavar="ID", help="a delivery id, as `history` lists them"
    )
    parser.add_argument(
        "--as",
        dest="export_format",
        choices=FORMATS,
        default="curl",
        type=str.lower,
        help="the output format (default curl)",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="write passwords, tokens and secret header values in full; they are "
        "read from the saved webhook that sent the delivery",
    )
    parser.add_argument(
        "--webhooks",
        metavar="FILE",
        help="write every saved webhook to FILE as JSON definitions",
    )
    parser.add_argument(
        "--with-secrets",
        action="store_true",
        help="with --webhooks, include passwords and secret values in the file",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    if options.webhooks is not None:
        if options.id is not None:
            raise UsageError("give either a delivery ID or --webhooks FILE, not both")
        return _export_webhooks(Path(options.webhooks), options.with_secrets)
    if options.id is None:
        raise UsageError("give a delivery ID (see `history`) or --webhooks FILE")
    if options.with_secrets:
        raise UsageError("--with-secrets goes with --webhooks; use --show-secrets")
    return _export_delivery(options)


def _entry_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(
            f"invalid delivery id {text!r}; use a number that `history` lists"
        )
    return value


def _export_delivery(options: argparse.Namespace) -> int:
    from bchook_studio.cli.commands.store_access import command_failed, open_store
    from bchook_studio.core.store import HistoryEntryNotFoundError
    from bchook_studio.core.store.resend import ResendError

    entry_id = _entry_id(options.id)
    output = Path(options.output) if options.output else None
    with open_store() as store:
        try:
            entry = store.history.get(entry_id)
        except HistoryEntryNotFoundError as exc:
            raise UsageError(str(exc)) from None
        try:
            request = _request_record(store, entry, options.show_secrets)
        except ResendError as exc:
            return command_failed(f"cannot show the secrets: {exc}")

    text, files = _render(options.export_format, entry, request, output)
    for body_file in files:
        _write_file(Path(body_file.name), body_file.data)
        warning(
            f"the body cannot be part of the command (binary or large), so it was "
            f"written to {body_file.name}, which the command reads"
        )
    if output is None:
        write_text(text)
    else:
        _write_file(output, text.encode("utf-8"))
    return EXIT_OK


def _request_record(store, entry, show_secrets: bool):
    from bchook_studio.core.export.requests import from_history, from_outgoing
    from bchook_studio.core.store import WebhookNotFoundError
    from bchook_studio.core.store.resend import build_resend_request

    if not show_secrets:
        return from_history(entry.request)

    saved = None
    if entry.webhook_id is not None:
        try:
            saved = store.get_webhook(entry.webhook_id)
        except WebhookNotFoundError:
            saved = None
    rebuilt = build_resend_request(
        entry, saved, store.size_caps(), allow_truncated=True
    )
    record = from_outgoing(rebuilt, show_secrets=True)
    # The stored headers are the ones sent (Host and Content-Length included);
    # only their masked values come from the rebuilt request.
    return _with_sent_headers(record, entry)


def _with_sent_headers(record, entry):
    from dataclasses import replace

    from bchook_studio.core.export.masking import MASK

    rebuilt = {name.lower(): value for name, value in record.headers}
    headers = []
    for name, value in entry.request.headers:
        if MASK in value and name.lower() in rebuilt:
            value = rebuilt[name.lower()]
        headers.append((name, value))
    return replace(record, headers=tuple(headers), body_size=entry.request.body_size)


def _render(export_format: str, entry, request, output: Path | None):
    from bchook_studio.core.export.curl import curl_command
    from bchook_studio.core.export.har import har_text
    from bchook_studio.core.export.powershell import powershell_command
    from bchook_studio.core.export.text import ReportContext, text_report

    result = entry.to_result()
    if export_format == "har":
        comment = f"{entry.webhook_name or 'command line'} · {entry.topic_key}"
        return har_text(result, request, comment), ()
    if export_format == "text":
        context = ReportContext(entry.webhook_name, entry.topic_key, entry.id)
        return text_report(result, request, context), ()

    body_file = str(_body_file_path(entry.id, output).resolve())
    writer = curl_command if export_format == "curl" else powershell_command
    command = writer(request, body_file=body_file)
    return command.text, command.files


def _body_file_path(entry_id: int, output: Path | None) -> Path:
    if output is None:
        return Path(f"delivery-{entry_id}-body.bin")
    return output.with_name(f"{output.stem}-body.bin")


def _write_file(path: Path, data: bytes) -> None:
    from bchook_studio.core.files import write_bytes_atomically

    try:
        write_bytes_atomically(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc


def _export_webhooks(path: Path, with_secrets: bool) -> int:
    from bchook_studio.cli.commands.store_access import open_store
    from bchook_studio.core.export.definitions import (
        WebhookDefinition,
        definitions_to_json,
    )
    from bchook_studio.core.store.secrets import describe_field

    definitions = []
    with open_store() as store:
        for summary in store.list_webhooks():
            saved = store.get_webhook(summary.id)
            if with_secrets and saved.missing_secrets:
                missing = ", ".join(describe_field(f) for f in saved.missing_secrets)
                warning(
                    f"the webhook {saved.webhook.name!r} is written without its "
                    f"{missing}, which the keychain or this session does not hold"
                )
            definitions.append(WebhookDefinition(saved.webhook, saved.receiver_rules))

    _write_file(
        path, definitions_to_json(definitions, with_secrets=with_secrets).encode()
    )
    write_text(f"exported {len(definitions)} webhooks to {path}\n")
    return EXIT_OK
