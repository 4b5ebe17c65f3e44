"""How the CLI writes results and diagnostics, as the CLI contract fixes them.

Results go to stdout; diagnostics go to stderr, one line each. The stderr lines
are:

- `bchook-studio: error: message` with exit status 2 for a usage error: a
  problem with the command line or with a file it names (`usage_error`);
- `error: KIND: message` with exit status 1 for a failed delivery
  (`failure_line`);
- `bchook-studio: error: message` with exit status 1 for a command that was
  used correctly but that this machine could not carry out, such as a
  database that is locked or read-only, or a report file that cannot be
  written (`command_failed`). The contract reserves `error: KIND:` for
  deliveries and has no other error line, so such failures share the usage
  error's prefix and differ from it by their exit status;
- `warning: message` (`warning`).

Text from outside the studio (response headers and bodies, received requests,
rendered bodies, imported webhook names, the history's names and URLs) goes
through `terminal_safe` first. On a terminal its control characters then cannot
move the cursor, clear the screen or retitle the window, and its bidirectional
controls and line separators cannot reorder or split the displayed lines.
A pipe or file gets the text unchanged, with two exceptions. `send`'s status
line and headers are always escaped, because HTTP forbids control characters
in them. `receive`'s output is always escaped, because it is often piped to
`grep` or `tee` and read on a terminal.

An output path of `-` means standard output (`is_stdout_path`).
"""

import errno
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bchook_studio.core.unsafe_text import is_unsafe

PROG = "bchook-studio"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

MIB = 1024 * 1024


class UsageError(Exception):
    """A command-line mistake: unknown topic, missing file, unset variable."""


class CommandFailedError(Exception):
    """A correct command that this machine could not carry out (exit status 1)."""


def one_line(message: str) -> str:
    """Return `message` with its lines joined by one space.

    Spaces inside a line stay as they are, so a quoted value such as
    'new  sale' is shown with both of its spaces.
    """
    lines = (line.strip() for line in message.splitlines())
    return " ".join(line for line in lines if line)


def _error_text(message: str) -> str:
    return terminal_safe(one_line(message), sys.stderr)


def usage_error(message: str) -> int:
    """Write `bchook-studio: error: message` to stderr and return exit status 2."""
    print(f"{PROG}: error: {_error_text(message)}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def command_failed(message: str) -> int:
    """Write `bchook-studio: error: message` to stderr and return exit status 1.

    For a command that was used correctly but that this machine could not carry
    out, such as a write to a read-only database.
    """
    print(f"{PROG}: error: {_error_text(message)}", file=sys.stderr, flush=True)
    return EXIT_FAILED


def failure_line(kind: str, message: str) -> None:
    """Write `error: KIND: message` to stderr for a failed delivery."""
    print(f"error: {kind}: {_error_text(message)}", file=sys.stderr, flush=True)


def warning(message: str) -> None:
    """Write `warning: message` to stderr, starting lower-case like other lines.

    Core messages are sentences for the GUI ("The database …"), so a first
    word in title case is lower-cased. Words with other capitals or
    punctuation (`TLS`, `X-Api-Key,`) and the header names Authorization and
    Cookie keep their spelling.
    """
    print(f"warning: {_error_text(_lower_first(message))}", file=sys.stderr, flush=True)


_KEPT_FIRST_WORDS = frozenset({"Authorization", "Cookie"})


def _lower_first(message: str) -> str:
    first = message.split(" ", 1)[0]
    if first in _KEPT_FIRST_WORDS or not first.isalpha() or not first.istitle():
        return message
    return message[0].lower() + message[1:]


def problem_line(name: str, problem: object) -> None:
    """Write `NAME:LINE:COL: message` to stderr."""
    print(terminal_safe(f"{name}:{problem}", sys.stderr), file=sys.stderr, flush=True)


def format_mib(size: int) -> str:
    """Return a byte count in MiB, as reports give sizes: `50 MiB`, `1.5 MiB`."""
    if size % MIB == 0:
        return f"{size // MIB} MiB"
    return f"{size / MIB:.1f} MiB"


def _escape_sequence(code: int) -> str:
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _latin1_escapes(keep: str) -> dict[int, str]:
    return {
        code: _escape_sequence(code)
        for code in range(0x100)
        if is_unsafe(chr(code)) and chr(code) not in keep
    }


_LINE_ESCAPES = _latin1_escapes("\t")
_TEXT_ESCAPES = _latin1_escapes("\t\n")


def _escape_table(text: str, latin1_escapes: dict[int, str]) -> dict[int, str]:
    """Return `latin1_escapes` plus the escapes of the characters above U+00FF
    in `text` that need one.

    Only the distinct characters of `text` are looked up, so no table of all
    1,114,112 code points has to be built.
    """
    if text.isascii():
        return latin1_escapes

    wide_escapes = {
        ord(char): _escape_sequence(ord(char))
        for char in set(text)
        if char > "\xff" and is_unsafe(char)
    }
    if not wide_escapes:
        return latin1_escapes
    return latin1_escapes | wide_escapes


def escape_controls(text: str, *, multiline: bool = False) -> str:
    """Return `text` with control and format characters written as escapes.

    The characters of the Unicode categories Cc, Cf, Zl and Zp are replaced,
    as the running Python's `unicodedata` assigns the categories. These are
    the C0 controls, DEL, the C1 controls, the soft hyphen, bidirectional
    controls such as U+202E, zero-width spaces, U+FEFF, tag characters, and
    the line and paragraph separators. Tab, ZERO WIDTH NON-JOINER and ZERO
    WIDTH JOINER are kept. A character up to U+00FF becomes `\\xHH`, one up
    to U+FFFF `\\uHHHH` and any other `\\UHHHHHHHH`, in lower-case
    hexadecimal.

    With `multiline`, new lines are kept, and so is the carriage return of
    each CR LF pair. A lone carriage return is replaced, because it would
    move the cursor back over the line.

    NOTE: the flags of England, Scotland and Wales are emoji tag sequences,
    so they print as a black flag followed by `\\U000e00HH` escapes.
    """
    if not multiline:
        return text.translate(_escape_table(text, _LINE_ESCAPES))

    table = _escape_table(text, _TEXT_ESCAPES)
    return "\r\n".join(part.translate(table) for part in text.split("\r\n"))


def is_terminal(stream: TextIO) -> bool:
    """True when `stream` is connected to a terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        # A replaced stream without isatty, or a closed one.
        return False


def terminal_safe(
    text: str, stream: TextIO | None = None, *, multiline: bool = False
) -> str:
    """Return `text` escaped by `escape_controls` when `stream` is a terminal.

    `stream` is stdout when None. For a pipe or a file the text is returned
    unchanged, so scripts get what the peer sent.
    """
    if not is_terminal(sys.stdout if stream is None else stream):
        return text
    return escape_controls(text, multiline=multiline)


def write_text(text: str) -> None:
    """Write `text` to stdout as UTF-8 whatever the console encoding is.

    Raises CommandFailedError when stdout is closed or cannot be written.
    """
    stream = _stdout()
    buffer = getattr(stream, "buffer", None)
    with _stdout_errors():
        if buffer is None:
            stream.write(text)
        else:
            stream.flush()
            buffer.write(text.encode("utf-8"))
        stream.flush()


def _stdout() -> TextIO:
    if sys.stdout is None or sys.stdout.closed:
        raise CommandFailedError(
            "standard output is closed; run the command with its output "
            "redirected to a file or a pipe"
        )
    return sys.stdout


@contextmanager
def _stdout_errors() -> Iterator[None]:
    """Turn a failed write to stdout into CommandFailedError.

    BrokenPipeError passes through: the reader went away (as with `| head`),
    which the command line ends quietly.
    """
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        if sys.platform == "win32" and exc.errno == errno.EINVAL:
            # Windows reports a pipe whose reader went away as EINVAL.
            raise BrokenPipeError(errno.EPIPE, "the reader went away") from exc
        reason = exc.strerror or str(exc)
        raise CommandFailedError(
            f"cannot write to standard output: {reason}; {_stdout_fix(exc)}"
        ) from exc


def _stdout_fix(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "free space on the disk it goes to, or redirect it elsewhere"
    if error.errno == errno.EFBIG:
        return "the file it goes to reached its size limit (ulimit -f), so redirect it"
    return "redirect it to a file or a pipe that can be written"


def is_stdout_path(path: str | Path) -> bool:
    """True for the output path `-`, which means standard output."""
    return str(path) == "-"


def write_output_file(path: Path, data: bytes, *, private: bool) -> None:
    """Write `data` to `path` atomically; raises OSError.

    A `private` file (one that can contain passwords or tokens) is readable by
    its owner only (mode 0600). Any other file keeps the mode of the file it
    replaces, or gets the mode a new file gets from the umask, as `open()`
    would give it.
    """
    from bchook_studio.core.files import write_bytes_atomically

    write_bytes_atomically(path, data, mode=_output_mode(path, private))


def _output_mode(path: Path, private: bool) -> int:
    """Return 0600 for a private file, else the mode of the file replaced, or
    the mode a new file gets from the umask."""
    if private:
        return 0o600
    try:
        existing = os.stat(path)
    except OSError:
        return 0o666 & ~_current_umask()
    if stat.S_ISREG(existing.st_mode):
        return stat.S_IMODE(existing.st_mode)
    return 0o666 & ~_current_umask()


def _current_umask() -> int:
    # NOTE: os.umask can only be read by setting it, so it is set and put back
    # at once. A file another thread creates in between gets mode 0o077 masked.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_bytes(data: bytes) -> None:
    """Write raw bytes to stdout; raises CommandFailedError as write_text does."""
    stream = _stdout()
    with _stdout_errors():
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
