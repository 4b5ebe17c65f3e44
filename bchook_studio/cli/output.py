"""How the CLI writes results and diagnostics, as the CLI contract fixes them.

Results go to stdout; diagnostics go to stderr, one line each.
"""

import sys

PROG = "bchook-studio"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command-line mistake: unknown topic, missing file, unset variable."""


def _one_line(message: str) -> str:
    return " ".join(message.split())


def usage_error(message: str) -> int:
    """Write `bchook-studio: error: message` to stderr and return exit status 2."""
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def failure_line(kind: str, message: str) -> None:
    """Write `error: KIND: message` to stderr for a failed delivery."""
    print(f"error: {kind}: {_one_line(message)}", file=sys.stderr, flush=True)


def warning(message: str) -> None:
    """Write `warning: message` to stderr."""
    print(f"warning: {_one_line(message)}", file=sys.stderr, flush=True)


def problem_line(name: str, problem: object) -> None:
    """Write `NAME:LINE:COL: message` to stderr."""
    print(f"{name}:{problem}", file=sys.stderr, flush=True)


def write_text(text: str) -> None:
    """Write `text` to stdout as UTF-8 whatever the console encoding is."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
    else:
        stream.flush()
        buffer.write(text.encode("utf-8"))
    stream.flush()


def write_bytes(data: bytes) -> None:
    """Write raw bytes to stdout."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
