"""The command line: the GUI by default, plus headless sub-commands."""

import sys

from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    UsageError,
    usage_error,
)


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    if getattr(sys, "frozen", False):
        # A frozen app starts its worker processes by running itself again, and
        # this call turns such a start into the worker instead of a second app.
        # It does nothing in a source checkout, so the import is skipped there.
        import multiprocessing

        multiprocessing.freeze_support()
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments:
        from bchook_studio.app import run_gui

        return run_gui()

    from bchook_studio.cli.parser import build_parser

    parser = build_parser()
    try:
        options = parser.parse_args(arguments)
        if options.command is None:
            from bchook_studio.app import run_gui

            return run_gui()
        _configure_logging()
        return options.run(options)
    except UsageError as exc:
        return usage_error(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (for example `| head`); nothing to report.
        sys.stderr.close()
        return EXIT_FAILED


def _configure_logging() -> None:
    from bchook_studio.core.home import HomeFolderError, app_home
    from bchook_studio.core.logs import configure_logging

    try:
        configure_logging(app_home())
    except HomeFolderError as exc:
        raise UsageError(str(exc)) from exc
