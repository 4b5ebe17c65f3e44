"""The command line: the GUI by default, plus headless sub-commands."""

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from bchook_studio.cli.output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    CommandFailedError,
    UsageError,
    command_failed,
    usage_error,
)
from bchook_studio.core.store.keychain_check import (
    CHECK_ARGUMENT as KEYCHAIN_CHECK_ARGUMENT,
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
    if arguments == [KEYCHAIN_CHECK_ARGUMENT]:
        from bchook_studio.core.store.keychain_check import run_check

        return run_check()
    if not arguments:
        return _run_gui()

    from bchook_studio.cli.parser import build_parser

    parser = build_parser()
    try:
        options = parser.parse_args(arguments)
        if options.command is None:
            return _run_gui()
        with _sigterm_interrupts():
            _configure_logging()
            return options.run(options)
    except UsageError as exc:
        return usage_error(str(exc))
    except CommandFailedError as exc:
        return command_failed(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away (for example `| head`); nothing to report.
        sys.stderr.close()
        return EXIT_FAILED


def _run_gui() -> int:
    from bchook_studio.app import display_problem, run_gui

    problem = display_problem()
    if problem is not None:
        return command_failed(problem)
    return run_gui()


def _configure_logging() -> None:
    from bchook_studio.core.home import HomeFolderError, app_home
    from bchook_studio.core.logs import configure_logging

    try:
        configure_logging(app_home())
    except HomeFolderError as exc:
        raise UsageError(str(exc)) from exc


def _raise_interrupt(signal_number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Make SIGTERM raise KeyboardInterrupt in the main thread, as Ctrl+C does.

    CI runners stop a job with SIGTERM, so a sub-command stops the way Ctrl+C
    stops it (exit status 130, and `check` still writes its summary and
    reports) instead of dying with status 143. A sub-command that handles
    SIGTERM itself, such as `receive`, installs its own handler inside this
    one. The previous handler is restored on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        # None means a handler installed outside Python, which cannot be restored.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
