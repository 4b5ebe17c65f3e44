"""`bchook-studio import FILE`: save webhooks from definitions or a cURL command."""

import argparse
from pathlib import Path

from bchook_studio.cli.arguments import check_input_file
from bchook_studio.cli.output import (
    EXIT_OK,
    UsageError,
    command_failed,
    terminal_safe,
    warning,
    write_text,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="save webhooks from a definitions file or a cURL command",
        description=(
            "Save the webhooks in FILE: a JSON definitions file written by "
            "`export --webhooks`, or a file holding one cURL command. A name that "
            "is taken gets a ' (2)' suffix; nothing is overwritten. Prints the "
            "name of each webhook saved."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the file to import")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from bchook_studio.cli.commands.store_access import open_store
    from bchook_studio.core.export.importing import ImportFileError, import_file
    from bchook_studio.core.store import StoreError

    path = Path(options.file)
    check_input_file(path, "import")

    with open_store() as store:
        try:
            report = import_file(store, path)
        except ImportFileError as exc:
            # The file's content is the user's input, like a file that is missing.
            raise UsageError(f"{path}: {exc}") from None
        except StoreError as exc:
            return command_failed(f"{path}: {exc}")
        except OSError as exc:
            raise UsageError(f"cannot read import file {path}: {exc.strerror}") from exc

    for message in report.warnings:
        warning(message)
    # The names come from the imported file, so a terminal gets them escaped.
    write_text("".join(f"{terminal_safe(item.name)}\n" for item in report.imported))
    return EXIT_OK
