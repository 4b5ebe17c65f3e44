"""A request as a PowerShell script around `Invoke-WebRequest`, for Windows users.

Strings are single-quoted, where PowerShell expands nothing. Inside them a
quote is doubled, and PowerShell also ends single-quoted strings at the
typographic quotes U+2018 to U+201B, so those are doubled as well. The body is
sent as UTF-8 bytes, or read with `-InFile` when it cannot be inline (the same
rule as the cURL export).
"""

from bchook_studio.core.export.curl import (
    DEFAULT_BODY_FILE,
    INLINE_BODY_LIMIT,
    BodyFile,
    ShellCommand,
    body_needs_file,
)
from bchook_studio.core.export.requests import RequestRecord

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"

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


def powershell_quote(text: str) -> str:
    """Return `text` as a single-quoted PowerShell string."""
    quoted = "".join(char * 2 if char in _SINGLE_QUOTES else char for char in text)
    return "'" + quoted + "'"


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
            f"{request.client_cert}; add it with -Certificate "
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
                + powershell_quote(text)
                + ")"
            )
            parameters.append("-Body $body")

    lines.append("Invoke-WebRequest " + " `\n  ".join(parameters))
    return ShellCommand("\n".join(lines) + "\n", files)


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
