"""`bchook-studio self-test`: check that this copy of the app has what it needs."""

import argparse
from collections.abc import Callable, Sequence

from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    warning,
    write_text,
)

CaseGroup = tuple[str, Callable[[], list]]
"""A name and a function that runs one or more cases and returns their results."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "self-test",
        help="check that this installation has everything it needs",
        description=(
            "Check this copy of the app: the native Qt platform plugin and its "
            "libraries, a QApplication (off screen unless QT_QPA_PLATFORM is "
            "set), the editor's lexers, the package metadata, the topic "
            "resources, the keychain backend, the TLS trust store, a worker "
            "process, and a send of every topic in JSON and in XML to the "
            "built-in receiver on 127.0.0.1. Prints one line per case starting "
            "PASS, FAIL or ERROR, "
            "then 'N passed, M failed'. Exit status 0 when every case passes, "
            "1 otherwise, 130 when Ctrl+C or SIGTERM stops it; a stopped run "
            "still prints the summary of the cases that ran."
        ),
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    return run_groups(default_groups())


def default_groups() -> list[CaseGroup]:
    """Return the self-test's cases in the order they run."""
    from bchook_studio.core.content_types import JSON, XML
    from bchook_studio.core.selftest import (
        installation,
        round_trip,
        trust_store,
        worker_check,
    )
    from bchook_studio.core.selftest.cases import run_case
    from bchook_studio.gui.selftest import lexers, platform_plugin

    platform = platform_plugin.native_platform()

    def one(name: str, check: Callable[[], str | None]) -> CaseGroup:
        return name, lambda: [run_case(name, check)]

    return [
        one(f"platform plugin {platform}", platform_plugin.check_platform_plugin),
        one("qt application", platform_plugin.check_qt_application),
        one("lexer json", lambda: lexers.check_lexer(JSON)),
        one("lexer xml", lambda: lexers.check_lexer(XML)),
        one("lexer registry", lexers.check_lexer_registry),
        one("package metadata", installation.check_package_metadata),
        one("topics", installation.check_topics),
        one("keyring backend", installation.check_keyring_backend),
        one("trust store", trust_store.check_trust_store),
        one("worker process", worker_check.check_worker_process),
        (round_trip.CASE_NAME, round_trip.round_trip_cases),
    ]


def run_groups(
    groups: Sequence[CaseGroup],
    write_line: Callable[[str], None] | None = None,
) -> int:
    """Run the groups, write one line per case and the summary, return the status.

    `write_line` receives each line without its new line; by default lines go
    to stdout, flushed one by one. A KeyboardInterrupt (Ctrl+C, or SIGTERM as
    the CLI sets it up) stops the run: the summary of the cases that ran is
    still written, and the status is 130.
    """
    from bchook_studio.core.selftest.cases import (
        CaseResult,
        Outcome,
        summary_line,
    )

    if write_line is None:
        write_line = _print_line

    results: list[CaseResult] = []
    try:
        for name, group in groups:
            try:
                group_results = group()
            except Exception as exc:
                group_results = [
                    CaseResult(Outcome.ERROR, name, f"{type(exc).__name__}: {exc}")
                ]
            for result in group_results:
                # Counted before it is written, so that a stop right after the
                # line still counts it in the summary.
                results.append(result)
                write_line(result.line())
    except KeyboardInterrupt:
        warning("the self-test was interrupted before every case ran")
        write_line(summary_line(results))
        return EXIT_INTERRUPTED

    write_line(summary_line(results))
    passed = bool(results) and all(result.passed for result in results)
    return EXIT_OK if passed else EXIT_FAILED


def _print_line(line: str) -> None:
    write_text(line + "\n")
