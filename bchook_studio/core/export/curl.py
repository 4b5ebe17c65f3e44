"""A request as a cURL command for POSIX shells (sh, bash, zsh).

The command sends the same method, URL, headers and body bytes. A value is
single-quoted, so `$`, backticks, `!`, backslashes, tabs and a body's new lines
reach curl as they are. A value with an unsafe character (`core.unsafe_text`:
a control character, a bidirectional control, a zero-width or other format
character, a line or paragraph separator) is written as an ANSI-C string
`$'...'` with escapes instead, so that the command displays as it runs. bash
and zsh read such strings, but dash, Debian's sh, does not. A body keeps its
new lines and CR LF pairs unescaped in either form. A body that a shell
argument cannot carry (NUL, other control characters, not UTF-8) or a large
one is written to a file that the command reads with `--data-binary @FILE`.

NOTE: a command run from a file or a pipe keeps the carriage returns of a
body's CR LF pairs, but a terminal may turn them into new lines when the
command is pasted into it.
"""

from dataclasses import dataclass

from bchook_studio.core.export.requests import RequestRecord
from bchook_studio.core.unsafe_text import contains_unsafe, escape_unsafe

INLINE_BODY_LIMIT = 64 * 1024
"""Bytes of body above which the body goes to a file instead of the command."""

DEFAULT_BODY_FILE = "body.bin"

# curl sets these from the URL and the body; sending them by hand would
# duplicate or contradict curl's own.
_CURL_SETS = frozenset({"host", "content-length", "transfer-encoding"})

# curl adds these when the request has none, so a request without them gets an
# empty `-H 'Name:'`, so curl leaves the header out.
_CURL_DEFAULTS = ("User-Agent", "Accept", "Content-Type")

_GLOB_CHARACTERS = frozenset("[]{}")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


@dataclass(frozen=True)
class BodyFile:
    """A file the command reads its body from, to be written beside it."""

    name: str
    """The file name as the command refers to it."""

    data: bytes


@dataclass(frozen=True)
class ShellCommand:
    """A command to paste into a shell, and the files it needs."""

    text: str
    """The command with a final new line."""

    files: tuple[BodyFile, ...] = ()


def shell_quote(text: str, *, multiline: bool = False) -> str:
    """Return `text` as one shell word.

    Text without unsafe characters is single-quoted, which every POSIX shell
    reads. Other text becomes a bash and zsh ANSI-C string `$'...'` in which
    `\\` and `'` are escaped with a backslash and each unsafe character is
    written as the `\\xHH` escapes of its UTF-8 bytes. Tab is kept as it is.
    With `multiline`, new lines and the carriage return of each CR LF pair are
    kept too, so a body keeps its lines.

    Byte escapes give the same bytes in every locale. `\\uHHHH` would not:
    in the C locale bash 5.2 passes it on as the text `\\u202E`, and zsh 5.9
    rejects it with "character not in range".

    NOTE: no shell can pass a NUL in an argument, and bash ends the value of a
    `$'...'` string at `\\x00`, so a value with a NUL is cut there.
    """
    if not contains_unsafe(text, multiline=multiline):
        return "'" + text.replace("'", "'\\''") + "'"

    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "$'" + escape_unsafe(escaped, _byte_escapes, multiline=multiline) + "'"


def _byte_escapes(char: str) -> str:
    return "".join(f"\\x{byte:02x}" for byte in char.encode("utf-8"))


def body_needs_file(body: bytes, inline_limit: int = INLINE_BODY_LIMIT) -> bool:
    """True when `body` should be written to a file instead of the command line.

    That is when it is larger than `inline_limit`, is not UTF-8, or contains a
    control character other than tab, carriage return and new line: a C0
    control, DEL or a C1 control. NUL cannot be in an argument at all, and the
    others would reach a terminal that shows the command.
    """
    if len(body) > inline_limit:
        return True
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(_is_control(char) and char not in _ALLOWED_CONTROLS for char in text)


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0


def curl_command(
    request: RequestRecord,
    *,
    body_file: str = DEFAULT_BODY_FILE,
    inline_limit: int = INLINE_BODY_LIMIT,
) -> ShellCommand:
    """Return `request` as a curl command line.

    `body_file` names the file the command reads when the body cannot be
    inline; the caller writes `ShellCommand.files` next to where the command
    runs. A masked password stays masked (`-u 'carol:********'`), so the
    command runs without prompting and fails authentication until the user
    puts the password in.
    """
    arguments = [shell_quote(request.url)]
    if request.url.lower().startswith("https:"):
        # The studio speaks HTTP/1.1; curl would otherwise offer HTTP/2.
        arguments.append("--http1.1")
    if _GLOB_CHARACTERS & set(request.url):
        arguments.append("--globoff")

    arguments += _method_arguments(request)
    if request.basic_auth is not None:
        username, password = request.basic_auth
        arguments.append("-u " + shell_quote(f"{username}:{password}"))
    arguments += _header_arguments(request)
    if request.header("accept-encoding") is not None:
        arguments.append("--compressed")
    arguments += _tls_arguments(request)
    if request.proxy:
        arguments.append("--proxy " + shell_quote(request.proxy))
    if request.follow_redirects:
        # Like the studio, curl -L turns a POST into a GET on 301, 302 and 303.
        arguments.append(f"--location --max-redirs {request.max_redirects}")
    if request.timeouts is not None:
        # curl's connect timeout covers connecting only, where the studio's
        # operation timeout also bounds each read and write.
        arguments.append(
            f"--connect-timeout {request.timeouts.operation:g} "
            f"--max-time {request.timeouts.total:g}"
        )

    files: tuple[BodyFile, ...] = ()
    if _sends_body(request):
        if body_needs_file(request.body, inline_limit):
            files = (BodyFile(body_file, request.body),)
            arguments.append("--data-binary " + shell_quote("@" + body_file))
        else:
            text = request.body.decode("utf-8")
            # --data-binary would read a file for a body starting with "@".
            option = "--data-raw" if text.startswith("@") else "--data-binary"
            arguments.append(f"{option} {shell_quote(text, multiline=True)}")

    lines = []
    if request.body_truncated:
        lines.append(
            f"# The body was stored only up to {len(request.body)} of "
            f"{request.body_size} bytes; this command sends that part.\n"
        )
    lines.append("curl " + " \\\n  ".join(arguments) + "\n")
    return ShellCommand("".join(lines), files)


def _tls_arguments(request: RequestRecord) -> list[str]:
    arguments = []
    if request.insecure:
        arguments.append("--insecure")
    if request.ca_bundle:
        arguments.append("--cacert " + shell_quote(request.ca_bundle))
    if request.client_cert:
        arguments.append("--cert " + shell_quote(request.client_cert))
        if request.client_cert.lower().endswith((".p12", ".pfx")):
            arguments.append("--cert-type P12")
    if request.client_key:
        arguments.append("--key " + shell_quote(request.client_key))
    if request.client_cert_password:
        arguments.append("--pass " + shell_quote(request.client_cert_password))
    return arguments


def _sends_body(request: RequestRecord) -> bool:
    return bool(request.body) or request.method.upper() in {"POST", "PUT", "PATCH"}


def _method_arguments(request: RequestRecord) -> list[str]:
    method = request.method.upper()
    if method == "HEAD" and not request.body:
        return ["--head"]
    if method == "POST" and _sends_body(request):
        # A body makes curl POST; an explicit -X POST would only add a note.
        return []
    if method == "GET" and not _sends_body(request):
        return []
    return ["-X " + shell_quote(request.method)]


def _header_arguments(request: RequestRecord) -> list[str]:
    arguments = []
    present = {name.lower() for name, _ in request.headers}
    for name, value in request.headers:
        lower = name.lower()
        if lower in _CURL_SETS:
            continue
        if lower == "authorization" and request.basic_auth is not None:
            continue
        # curl reads "Name:" as "remove the header" and "Name;" as "send it empty".
        line = f"{name}: {value}" if value else f"{name};"
        arguments.append("-H " + shell_quote(line))

    for name in _CURL_DEFAULTS:
        if name.lower() in present:
            continue
        if name == "Content-Type" and not _sends_body(request):
            continue
        arguments.append("-H " + shell_quote(f"{name}:"))
    return arguments
