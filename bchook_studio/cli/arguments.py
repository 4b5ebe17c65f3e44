"""Arguments shared by several sub-commands, and their checks."""

import argparse
import math
import os
import re
from pathlib import Path

from bchook_studio.cli.output import PROG, UsageError, warning

SQLITE_MAX_INTEGER = 2**63 - 1
"""The largest integer SQLite stores, and so the largest id or row limit."""

_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+")


def whole_number(text: str) -> int | None:
    """Return `text` as an int when it is written in ASCII digits, else None.

    An optional sign and surrounding white space are allowed. `int()` also
    takes other scripts' digits (`０４`) and underscores (`1_000`), which a
    command line should not.
    """
    stripped = text.strip()
    if not _WHOLE_NUMBER.fullmatch(stripped):
        return None
    return int(stripped)


def count_in_range(text: str, description: str, low: int, high: int) -> int:
    """Parse a whole number from `low` to `high`, or raise ArgumentTypeError.

    argparse reports the error as a usage error naming `description` and the
    value.
    """
    value = whole_number(text)
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"invalid {description} {text!r}; use a whole number from {low} to {high}"
        )
    return value


def seed(text: str) -> int:
    """Parse a --seed value, any whole number, or raise ArgumentTypeError."""
    value = whole_number(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"invalid seed {text!r}; use a whole number such as 42"
        )
    return value


def positive_seconds(text: str) -> float:
    """Parse a timeout in seconds; argparse reports a ValueError as a usage error."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid number of seconds {text!r}; use a number such as 30 or 2.5"
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(
            f"invalid number of seconds {text!r}; it is not a finite number, so "
            "use a number such as 30 or 2.5"
        )
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"invalid number of seconds {text!r}; it must be greater than 0"
        )
    return value


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("json", "xml"),
        default="json",
        type=str.lower,
        help="body format: json (application/json, the default) or xml",
    )


def add_topic(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "topic",
        metavar="TOPIC",
        help="a topic key or title, such as course.created or 'Course Created'",
    )


def add_auth(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", metavar="NAME", help="HTTP Basic username")
    parser.add_argument(
        "--password-env",
        metavar="VAR",
        help="name of the environment variable that holds the Basic password",
    )


def add_headers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="a custom header; repeat for more. It replaces a default of that name",
    )


def resolve_topic(name: str):
    """Return the topic for a key or title, or raise UsageError naming it."""
    from bchook_studio.core.topics import UnknownTopicError, find_topic

    try:
        return find_topic(name)
    except UnknownTopicError as exc:
        raise UsageError(str(exc)) from exc


def reject_receiver_url(url: str, source: str) -> None:
    """Raise UsageError when `url` names the built-in receiver (`receiver:/path`).

    Only the app resolves such a URL, to the address of the receiver it runs.
    `source` starts the message and names where the URL came from, such as
    `--url receiver:/webhook names`.
    """
    from bchook_studio.core.receiver import DEFAULT_HOST, DEFAULT_PORT
    from bchook_studio.core.webhook import RECEIVER_SCHEME, targets_receiver

    if not targets_receiver(url):
        return
    path = url.strip()[len(RECEIVER_SCHEME) + 1 :] or "/"
    if not path.startswith("/"):
        path = "/" + path
    example = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}{path}"
    raise UsageError(
        f"{source} the built-in receiver, which runs only inside the app. Start "
        f"one with `{PROG} receive` in another terminal and give its address "
        f"with --url, such as --url {example}"
    )


def check_input_file(path: str | Path, description: str) -> None:
    """Raise UsageError when a file named on the command line is missing or a folder."""
    target = Path(path)
    if not target.exists():
        raise _file_not_found(path, description)
    if target.is_dir():
        raise UsageError(f"{description} file {path} is a folder; name a file")


def _file_not_found(path: str | Path, description: str) -> UsageError:
    return UsageError(
        f"{description} file not found: {path}. Check the path; a relative path "
        f"starts from the current folder, {Path.cwd()}"
    )


def read_input_file(path: str, what: str) -> bytes:
    """Return the bytes of a file named on the command line, or raise UsageError."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise _file_not_found(path, what) from None
    except IsADirectoryError:
        raise UsageError(f"{what} file {path} is a folder; name a file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} file {path}: {exc.strerror}") from None


def basic_auth(options: argparse.Namespace):
    """Return BasicAuth from --user and --password-env, None, or raise UsageError."""
    from bchook_studio.core.delivery.request import BasicAuth
    from bchook_studio.core.logs import register_secret

    if options.user is None and options.password_env is None:
        return None
    if options.user is None:
        raise UsageError("--password-env needs --user NAME")
    if options.password_env is None:
        raise UsageError(
            "--user needs --password-env VAR: the password is read from an "
            "environment variable, never from the command line"
        )
    if ":" in options.user:
        raise UsageError(
            f"invalid --user {options.user!r}: HTTP Basic authentication cannot "
            "carry a colon in the username; remove the colon"
        )
    password = environment_secret(options.password_env, "--password-env")
    register_secret(password)
    return BasicAuth(options.user, password)


def environment_secret(variable: str, flag: str) -> str:
    """Return the value of the environment variable that `flag` names.

    Raises UsageError when the name is empty or the variable is not set, and
    writes a warning when the variable is set to the empty string.
    """
    if not variable:
        raise UsageError(
            f"{flag} names no variable: the name is empty. Give the name of the "
            f"environment variable that contains the secret, such as {flag} "
            "HOOK_PASSWORD"
        )
    value = os.environ.get(variable)
    if value is None:
        raise UsageError(
            f"the environment variable {variable} named by {flag} is not set"
        )
    if not value:
        warning(
            f"the environment variable {variable} named by {flag} is empty, so "
            "an empty secret is used; set it to the secret if that is a mistake"
        )
    return value


def custom_headers(lines: list[str]) -> tuple[tuple[str, str], ...]:
    """Parse repeated --header values, or raise UsageError naming the bad one."""
    from bchook_studio.core.delivery.request import (
        RequestProblem,
        parse_header_line,
        repeated_headers,
    )

    headers = []
    for line in lines:
        try:
            headers.append(parse_header_line(line))
        except RequestProblem as exc:
            raise UsageError(str(exc)) from None

    # Only names go into the warning: header values can be secrets.
    for index, earlier in repeated_headers(name for name, _value in headers):
        warning(
            f"two --header options set {headers[earlier][0]!r} and "
            f"{headers[index][0]!r}, so both are sent and the server may read "
            "either one; drop one of them if that is a mistake"
        )
    return tuple(headers)
