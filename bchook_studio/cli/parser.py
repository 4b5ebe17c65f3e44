"""The argument parser. Sub-command modules import their heavy parts lazily."""

import argparse
from typing import Any

from bchook_studio import __version__
from bchook_studio.cli import commands
from bchook_studio.cli.output import PROG, UsageError


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors become one `bchook-studio: error:` line.

    Options must be spelt out: with abbreviations, `--form` would mean
    `--format` until another option starting with `--form` is added.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> Parser:
    """Return the parser with every sub-command registered."""
    parser = Parser(
        prog=PROG,
        description=(
            "Design, send and receive BrainCert LMS webhooks. "
            "With no sub-command the desktop app starts."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=Parser
    )
    for module in commands.MODULES:
        module.register(subparsers)
    return parser
