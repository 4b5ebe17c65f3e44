"""A request as a PowerShell script around `Invoke-WebRequest`, for Windows users.

Strings are single-quoted, where PowerShell expands nothing. Inside them a
quote is doubled, and PowerShell also ends single-quoted strings at the
typographic quotes U+2018 to U+201B, so those are doubled as well. A string
with an unsafe character (`core.unsafe_text`) is double-quoted instead, with
each unsafe character written as an escape that Windows PowerShell 5.1 reads,
so that the script displays as it runs. The body is sent as UTF-8 bytes, or
read with `-InFile` when it cannot be inline (the same rule as the cURL
export).
"""

from bchook_studio.core.export.curl import (
    DEFAULT_BODY_FILE,
    INLINE_BODY_LIMIT,
    BodyFile,
    ShellCommand,
    body_needs_file,
)
from bchook_studio.core.export.requests import RequestRecord
from bchook_studio.core.unsafe_text import contains_unsafe, escape_unsafe

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"

# A backtick makes these literal in a double-quoted string. PowerShell ends
# such strings at the typographic quotes U+201C to U+201E as well as at `"`.
_DOUBLE_QUOTED_SPECIALS = '`$"\u201c\u201d\u201e'

# Invoke-WebRequest sets these itself or takes them as parameters.
_SKIPPED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "content-type"}
)

# Windows PowerShell 5.1 accepts only these names for -Method; others need
# -CustomMethod, which PowerShell 6 and later have.
_STANDARD_METHODS = {
    "GET": "Get",
    "HEAD": "Head",
    "POST": "Post",
    "PUT": "Put",
    "DELETE": "Delete",
    "TRACE": "Trace",
    "OPTIONS": "Options",
    "MERGE": "Merge",
    "PATCH": "Patch",
}


def powershell_quote(text: str, *, multiline: bool = False) -> str:
    """Return `text` as a PowerShell string literal.

    Text without unsafe characters is single-quoted. Other text is
    double-quoted, with a backtick before `` ` ``, `$` and each double quote,
    and each unsafe character written as a subexpression: `$([char]0x202E)`,
    or `$([char]::ConvertFromUtf32(0xE0041))` above U+FFFF. Windows
    PowerShell 5.1 reads both, but not the `` `u{...} `` escape, which
    about_Special_Characters lists as added in PowerShell 6. Tab is kept as
    it is. With `multiline`, new lines and the carriage return of each CR LF
    pair are kept too, so a body keeps its lines.

    NOTE: the tests check this text but do not run it in PowerShell.
    """
    if not contains_unsafe(text, multiline=multiline):
        quoted = "".join(char * 2 if char in _SINGLE_QUOTES else char for char in text)
        return "'" + quoted + "'"

    escaped = "".join(
        "`" + char if char in _DOUBLE_QUOTED_SPECIALS else char for char in text
    )
    return '"' + escape_unsafe(escaped, _char_expression, multiline=multiline) + '"'


def _char_expression(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:
        return f"$([char]::ConvertFromUtf32(0x{code:X}))"
    return f"$([char]0x{code:X})"


def powershell_command(
    request: RequestRecord,
    *,
    body_file: str = DEFAULT_BODY_FILE,
    inline_limit: int = INLINE_BODY_LIMIT,
) -> ShellCommand:
    """Return `request` as a PowerShell script that sends it.

    A masked Basic password stays masked, so the script runs without
    prompting. `-SkipCertificateCheck`, written for a request that skips TLS
    verification, needs PowerShell 6 or later. A client certificate is named
    in a comment only, because Invoke-WebRequest takes it as an object.
    """
    lines = []
    if request.body_truncated:
        lines.append(
            f"# The body was stored only up to {len(request.body)} of "
            f"{request.body_size} bytes; this script sends that part."
        )
    lines += _header_lines(request)

    parameters = ["-UseBasicParsing", _method_parameter(request.method)]
    parameters.append("-Uri " + powershell_quote(request.url))
    parameters.append("-Headers $headers")
    content_type = request.header("content-type")
    if content_type is not None:
        parameters.append("-ContentType " + powershell_quote(content_type))
    user_agent = request.header("user-agent")
    if user_agent is not None:
        parameters.append("-UserAgent " + powershell_quote(user_agent))
    if request.insecure:
        parameters.append("-SkipCertificateCheck")
    if request.proxy:
        parameters.append("-Proxy " + powershell_quote(request.proxy))
    if request.timeouts is not None:
        # Invoke-WebRequest takes a single timeout, in whole seconds.
        parameters.append(f"-TimeoutSec {max(1, round(request.timeouts.total))}")
    if request.follow_redirects is not None:
        limit = request.max_redirects if request.follow_redirects else 0
        parameters.append(f"-MaximumRedirection {limit}")
    if request.client_cert:
        lines.insert(
            0,
            "# The webhook sends the client certificate "
            f"{_comment_text(request.client_cert)}; add it with -Certificate "
            "(Get-PfxCertificate <file>) for mutual TLS.",
        )

    files: tuple[BodyFile, ...] = ()
    if request.body:
        if body_needs_file(request.body, inline_limit):
            files = (BodyFile(body_file, request.body),)
            parameters.append("-InFile " + powershell_quote(body_file))
        else:
            text = request.body.decode("utf-8")
            lines.append(
                "$body = [System.Text.Encoding]::UTF8.GetBytes("
                + powershell_quote(text, multiline=True)
                + ")"
            )
            parameters.append("-Body $body")

    lines.append("Invoke-WebRequest " + " `\n  ".join(parameters))
    return ShellCommand("\n".join(lines) + "\n", files)


def _comment_text(text: str) -> str:
    """Return `text` for a comment line, quoted when it has unsafe characters.

    A new line would end the comment and run the rest of `text` as code.
    """
    if contains_unsafe(text):
        return powershell_quote(text)
    return text


def _method_parameter(method: str) -> str:
    standard = _STANDARD_METHODS.get(method.upper())
    if standard is not None:
        return f"-Method {standard}"
    return "-CustomMethod " + powershell_quote(method)


def _header_lines(request: RequestRecord) -> list[str]:
    lines = ["$headers = [ordered]@{}"]
    for name, value in request.headers:
        lower = name.lower()
        if lower in _SKIPPED_HEADERS or lower == "user-agent":
            continue
        if lower == "authorization" and request.basic_auth is not None:
            username, password = request.basic_auth
            pair = powershell_quote(f"{username}:{password}")
            lines.append(
                "$headers['Authorization'] = 'Basic ' + [Convert]::ToBase64String("
                f"[System.Text.Encoding]::UTF8.GetBytes({pair}))"
            )
            continue
        lines.append(f"$headers[{powershell_quote(name)}] = {powershell_quote(value)}")
    return lines
