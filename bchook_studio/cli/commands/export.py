"""`bchook-studio export`: a recorded delivery as cURL, HAR, text or PowerShell,
or every saved webhook as a definitions file."""

import argparse
from pathlib import Path

from bchook_studio.cli.arguments import SQLITE_MAX_INTEGER, whole_number
from bchook_studio.cli.output import (
    EXIT_OK,
    UsageError,
    is_stdout_path,
    terminal_safe,
    warning,
    write_output_file,
    write_text,
)

FORMATS = ("curl", "har", "text", "powershell")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a delivery from the history, or the saved webhooks",
        description=(
            "Write delivery ID from the history as a cURL command, a HAR file, a "
            "plain-text report or a PowerShell script, with secrets masked as "
            "******** unless --show-secrets is given. A body that a cURL or "
            "PowerShell command cannot carry (one with NUL or other control "
            "characters, not UTF-8, or over 64 KiB) is written to a file beside "
            "--output FILE, or into the current folder without --output, and the "
            "command reads it with --data-binary @FILE (-InFile FILE in "
            "PowerShell). With --webhooks FILE, write every saved webhook to a "
            "JSON definitions file instead. A FILE of - means standard output. "
            "A file written with --show-secrets or --with-secrets is readable "
            "by its owner only."
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
        "--output",
        metavar="FILE",
        help="write to FILE instead of standard output (- is standard output)",
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
        help="write every saved webhook to FILE as JSON definitions (- is "
        "standard output)",
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
        return _export_webhooks(options.webhooks, options.with_secrets)
    if options.id is None:
        raise UsageError("give a delivery ID (see `history`) or --webhooks FILE")
    if options.with_secrets:
        raise UsageError("--with-secrets goes with --webhooks; use --show-secrets")
    return _export_delivery(options)


def _entry_id(text: str) -> int:
    value = whole_number(text)
    if value is None or not 1 <= value <= SQLITE_MAX_INTEGER:
        raise UsageError(
            f"invalid delivery id {text!r}; use a number that `history` lists"
        )
    return value


def _export_delivery(options: argparse.Namespace) -> int:
    from bchook_studio.cli.commands.store_access import open_store
    from bchook_studio.core.export.history_entries import ExportKind, render_entry
    from bchook_studio.core.store import HistoryEntryNotFoundError
    from bchook_studio.core.store.resend import ResendError

    entry_id = _entry_id(options.id)
    output = None
    if options.output and not is_stdout_path(options.output):
        output = Path(options.output)
        _check_file_path(output, "--output", f"delivery-{entry_id}.txt")
    body_file = _body_file_path(entry_id, output)
    with open_store() as store:
        try:
            export = render_entry(
                store,
                entry_id,
                ExportKind(options.export_format),
                body_file=_command_path(body_file, output),
                show_secrets=options.show_secrets,
            )
        except HistoryEntryNotFoundError as exc:
            raise UsageError(str(exc)) from None
        except ResendError as exc:
            raise UsageError(f"cannot show the secrets: {exc}") from None

    private = options.show_secrets
    for extra in export.files:
        _write_file(body_file, extra.data, private=private)
        warning(
            "the body cannot be part of the command (it contains control "
            "characters, is not UTF-8, or is over 64 KiB), so it was written to "
            f"{body_file}, which the command reads"
        )
    if output is None:
        # A received or sent body can carry escape sequences and bidi controls,
        # so a terminal gets them escaped. The cURL and PowerShell commands
        # quote them already.
        write_text(terminal_safe(export.text, multiline=True))
    else:
        _write_file(output, export.text.encode("utf-8"), private=private)
    return EXIT_OK


def _body_file_path(entry_id: int, output: Path | None) -> Path:
    if output is None:
        return Path(f"delivery-{entry_id}-body.bin")
    return output.with_name(f"{output.stem}-body.bin")


def _command_path(body_file: Path, output: Path | None) -> str:
    """Return how the command names its body file.

    A command printed to stdout is usually pasted or piped in the current
    folder, so it names the file there by its relative name, which also works
    on another machine. A command saved with --output may run from anywhere,
    so it names the file by its absolute path.
    """
    if output is None:
        return str(body_file)
    return str(body_file.resolve())


def _check_file_path(path: Path, option: str, example: str) -> None:
    """Raise UsageError when `path` is a folder or its folder is missing.

    A delivery export may write its body file beside `path` first, so this
    runs before any file is written.
    """
    if path.is_dir():
        raise UsageError(
            f"{option} {path} is a folder; give a file name in it, such as "
            f"{path / example}"
        )
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(
            f"cannot write {path}: the folder {parent} does not exist. Create it "
            f"or give another {option} path."
        )


def _write_file(path: Path, data: bytes, *, private: bool) -> None:
    """Write an export; `private` (secrets shown in full) makes it owner-only."""
    try:
        write_output_file(path, data, private=private)
    except OSError as exc:
        # A symbolic link's target folder, say, is named where it differs.
        where = ""
        if exc.filename and str(exc.filename) != str(path):
            where = f" ({exc.filename})"
        raise UsageError(
            f"cannot write {path}: {exc.strerror}{where}. Choose another path."
        ) from exc


def _export_webhooks(target: str, with_secrets: bool) -> int:
    from bchook_studio.cli.commands.store_access import open_store
    from bchook_studio.core.export.definitions import (
        WebhookDefinition,
        definitions_to_json,
    )
    from bchook_studio.core.store.secrets import describe_field

    if not is_stdout_path(target):
        _check_file_path(Path(target), "--webhooks", "webhooks.json")
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

    text = definitions_to_json(definitions, with_secrets=with_secrets)
    if is_stdout_path(target):
        write_text(text)
        return EXIT_OK

    path = Path(target)
    _write_file(path, text.encode("utf-8"), private=with_secrets)
    count = len(definitions)
    noun = "webhook" if count == 1 else "webhooks"
    write_text(f"exported {count} {noun} to {path}\n")
    return EXIT_OK
