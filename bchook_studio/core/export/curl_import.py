"""Import a webhook from a cURL command, such as one copied from a browser or docs.

The command is split into words as bash splits it (`shell_words`): quotes,
backslashes, `$'...'` strings and line continuations. Options that
matter for a webhook are read: URL, method, headers, credentials, body, TLS,
proxy and timeouts. Options that only change curl's own output are accepted
and ignored. Any other option is rejected with a message naming it, because
ignoring it could send something different from what the command sends.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting
from bchook_studio.core.delivery.redirects import MAX_REDIRECT_LIMIT, RedirectSetting
from bchook_studio.core.delivery.request import (
    DEFAULT_ACCEPT_ENCODING,
    DEFAULT_USER_AGENT,
    Timeouts,
    is_secret_header,
)
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.export.masking import MASK, basic_credentials
from bchook_studio.core.export.shell_words import ShellSyntaxError, split_shell_words
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.unsafe_text import is_unsafe
from bchook_studio.core.webhook import DEFAULT_TOPIC, BodyMode, HeaderRow, Webhook

MAX_NAME_LENGTH = 60

# Options that change only what curl prints or how it retries; the webhook
# does not depend on them. The value is True for an option that takes an argument.
_IGNORED_OPTIONS: dict[str, bool] = {
    "-s": False,
    "--silent": False,
    "-S": False,
    "--show-error": False,
    "-v": False,
    "--verbose": False,
    "-i": False,
    "--include": False,
    "-f": False,
    "--fail": False,
    "--fail-with-body": False,
    "-g": False,
    "--globoff": False,
    "-#": False,
    "--progress-bar": False,
    "--no-progress-meter": False,
    "-N": False,
    "--no-buffer": False,
    "--compressed": False,
    "--http1.1": False,
    "--basic": False,
    "--path-as-is": False,
    "-o": True,
    "--output": True,
    "-w": True,
    "--write-out": True,
}


_UNSUPPORTED: dict[str, str] = {
    "-F": "multipart form bodies; webhooks send a JSON or XML body",
    "--form": "multipart form bodies; webhooks send a JSON or XML body",
    "-G": "sending data in the query string; webhooks are POST requests",
    "--get": "sending data in the query string; webhooks are POST requests",
    "-I": "HEAD requests; webhooks are POST requests",
    "--head": "HEAD requests; webhooks are POST requests",
    "-T": "uploading a file with PUT; webhooks are POST requests",
    "--upload-file": "uploading a file with PUT; webhooks are POST requests",
    "--data-urlencode": "URL-encoded form bodies; webhooks send a JSON or XML body",
    "--digest": "Digest authentication; webhooks use Basic authentication",
    "--ntlm": "NTLM authentication; webhooks use Basic authentication",
    "--negotiate": "Negotiate authentication; webhooks use Basic authentication",
    "--location-trusted": (
        "sending credentials to other hosts after a redirect; it never sends them "
        "to another origin"
    ),
    "--http2": "HTTP/2; the studio sends HTTP/1.1",
    "--http2-prior-knowledge": "HTTP/2; the studio sends HTTP/1.1",
    "--http3": "HTTP/3; the studio sends HTTP/1.1",
    "-0": "HTTP/1.0; the studio sends HTTP/1.1",
    "--http1.0": "HTTP/1.0; the studio sends HTTP/1.1",
}


class CurlImportError(ValueError):
    """A cURL command that cannot become a webhook, with the reason."""


@dataclass(frozen=True)
class CurlImport:
    """The webhook read from a command, and what the user should check."""

    webhook: Webhook
    warnings: tuple[str, ...] = ()


@dataclass
class _Command:
    """The settings that the options of one command add up to."""

    base_folder: Path
    url: str | None = None
    method: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    credentials: str | None = None
    data: list[bytes] = field(default_factory=list)
    json_data: list[bytes] = field(default_factory=list)
    insecure: bool = False
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    client_cert_password: str = ""
    redirects: RedirectSetting = field(default_factory=RedirectSetting)
    proxy: ProxySetting = field(default_factory=ProxySetting)
    timeouts: Timeouts = field(default_factory=Timeouts)
    user_agent: str | None = None
    warnings: list[str] = field(default_factory=list)


def parse_curl_command(text: str, base_folder: Path | None = None) -> CurlImport:
    """Read a cURL command and return the webhook that sends what it sends.

    `@FILE` bodies are read relative to `base_folder` (the current folder when
    None). Raises CurlImportError naming the option or value at fault.
    """
    words = split_command(strip_prompt_and_comments(text))
    if not words or not _is_curl(words[0]):
        raise CurlImportError(
            "the text is not a cURL command: it must start with 'curl'."
        )

    command = _Command(Path.cwd() if base_folder is None else Path(base_folder))
    _read_options(command, words[1:])
    return _build(command)


def strip_prompt_and_comments(text: str) -> str:
    """Remove comment lines before the command and a leading `$ ` prompt."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("#")):
        lines.pop(0)
    command = "".join(lines).lstrip()
    if command.startswith("$ "):
        command = command[2:]
    return command


def split_command(text: str) -> list[str]:
    """Split a shell command into words as bash would, or raise CurlImportError."""
    try:
        return split_shell_words(text)
    except ShellSyntaxError as exc:
        raise CurlImportError(
            f"the command cannot be split into words: {exc}. Check its quotes."
        ) from None


def _read_options(command: _Command, words: list[str]) -> None:
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word.startswith("--"):
            index = _long_option(command, word, words, index)
        elif word.startswith("-") and len(word) > 1:
            index = _short_options(command, word, words, index)
        elif _is_curl(word):
            raise CurlImportError(
                "the text contains more than one curl command, but an import "
                "reads only one. Put each command in a file of its own."
            )
        else:
            _set_url(command, word)


def _is_curl(word: str) -> bool:
    return Path(word).name.lower() in {"curl", "curl.exe"}


def _long_option(command: _Command, word: str, words: list[str], index: int) -> int:
    if word in _FLAGS:
        _FLAGS[word](command)
        return index
    handler = _HANDLERS.get(word)
    if handler is not None:
        value, index = _value(word, words, index)
        handler(command, value, word)
        return index
    if word in _IGNORED_OPTIONS:
        if _IGNORED_OPTIONS[word]:
            _value(word, words, index)
            return index + 1
        return index
    _check_known(command, word)
    return index


def _short_options(command: _Command, word: str, words: list[str], index: int) -> int:
    position = 1
    while position < len(word):
        option = "-" + word[position]
        position += 1
        if option in _FLAGS:
            _FLAGS[option](command)
            continue
        handler = _HANDLERS.get(option)
        takes_value = handler is not None or _IGNORED_OPTIONS.get(option, False)
        if takes_value:
            attached = word[position:]
            if attached:
                value = attached
            else:
                value, index = _value(option, words, index)
            if handler is not None:
                handler(command, value, option)
            return index
        if option in _IGNORED_OPTIONS:
            continue
        _check_known(command, option)
    return index


def _check_known(command: _Command, option: str) -> None:
    if option in _UNSUPPORTED:
        raise CurlImportError(
            f"the curl option {option} is not supported: Hook Studio does not do "
            f"{_UNSUPPORTED[option]}. Remove it and import again."
        )
    raise CurlImportError(
        f"unknown curl option {option}. Hook Studio reads the URL, -X, -H, -u, "
        "-d/--data/--data-raw/--data-binary, --json, -A, -e, -b, -k, --cacert, "
        "--cert, --key, --pass, -x, --noproxy, -L, --max-redirs, "
        "--connect-timeout and -m; remove the option and import again."
    )


def _value(option: str, words: list[str], index: int) -> tuple[str, int]:
    if index >= len(words):
        raise CurlImportError(f"the curl option {option} needs a value.")
    return words[index], index + 1


def _set_url(command: _Command, value: str, option: str = "") -> None:
    if command.url is not None:
        raise CurlImportError(
            f"the command names more than one URL ({command.url!r} and "
            f"{value!r}); a webhook has one. Keep one URL and import again."
        )
    command.url = value


def _set_method(command: _Command, value: str, option: str) -> None:
    if value.upper() != "POST":
        raise CurlImportError(
            f"the command uses {option} {value}, but BrainCert webhooks are POST "
            "requests. Remove the option or change it to POST."
        )
    command.method = "POST"


def _add_header(command: _Command, value: str, option: str) -> None:
    if value.startswith("@"):
        raise CurlImportError(
            f"{option} {value} reads headers from a file, which is not supported. "
            "Put each header in its own -H option."
        )
    name, separator, rest = value.partition(":")
    if separator:
        # HTTP trims only spaces and tabs around a field value (RFC 9110 5.5).
        command.headers.append((name.strip(" \t"), rest.strip(" \t")))
        return
    name, separator, rest = value.partition(";")
    if separator and not rest.strip():
        # curl sends "Name;" as a header with an empty value.
        command.headers.append((name.strip(" \t"), ""))
        return
    raise CurlImportError(
        f"the header {value!r} given with {option} has no colon. Write it as "
        "'Name: value'."
    )


def _set_user(command: _Command, value: str, option: str) -> None:
    command.credentials = value


def _add_data(command: _Command, value: str, option: str) -> None:
    if option == "--data-raw" or not value.startswith("@"):
        command.data.append(value.encode("utf-8", "surrogateescape"))
        return
    content = _read_body_file(command, value[1:], option)
    _note_local_file(command, value, option)
    if option in {"-d", "--data", "--data-ascii"}:
        # curl drops carriage returns and new lines from a file given to -d.
        content = content.replace(b"\r", b"").replace(b"\n", b"")
    command.data.append(content)


def _add_json(command: _Command, value: str, option: str) -> None:
    if value.startswith("@"):
        command.json_data.append(_read_body_file(command, value[1:], option))
        _note_local_file(command, value, option)
    else:
        command.json_data.append(value.encode("utf-8", "surrogateescape"))


def _read_body_file(command: _Command, name: str, option: str) -> bytes:
    if name == "-":
        raise CurlImportError(
            f"{option} @- reads the body from standard input, which an import "
            "cannot do. Save the body to a file and use @FILE."
        )
    from bchook_studio.core.export.definitions import MAX_IMPORTED_BODY_BYTES
    from bchook_studio.core.files import UnsuitableFileError, read_regular_file

    path = command.base_folder / name
    try:
        return read_regular_file(path, MAX_IMPORTED_BODY_BYTES, "body file")
    except UnsuitableFileError as exc:
        raise CurlImportError(f"{option} @{name}: {exc}") from None
    except FileNotFoundError:
        raise CurlImportError(
            f"the body file {name} given with {option} was not found in "
            f"{command.base_folder}."
        ) from None
    except OSError as exc:
        raise CurlImportError(
            f"cannot read the body file {path} given with {option}: {exc.strerror}."
        ) from None


def _note_local_file(command: _Command, value: str, option: str) -> None:
    path = command.base_folder / value[1:]
    command.warnings.append(
        f"{option} {value} reads the local file {path}, and its content was saved "
        "as the webhook's body; check that the body contains only what the "
        "endpoint should receive."
    )


def _set_user_agent(command: _Command, value: str, option: str) -> None:
    command.user_agent = value


def _set_referer(command: _Command, value: str, option: str) -> None:
    command.headers.append(("Referer", value))


def _set_cookie(command: _Command, value: str, option: str) -> None:
    if "=" not in value:
        raise CurlImportError(
            f"{option} {value} reads cookies from a file, which is not supported. "
            "Give the cookies as 'name=value; other=value'."
        )
    command.headers.append(("Cookie", value))


def _set_insecure(command: _Command) -> None:
    command.insecure = True


def _follow_redirects(command: _Command) -> None:
    command.redirects = RedirectSetting(True, command.redirects.max_redirects)


def _set_max_redirects(command: _Command, value: str, option: str) -> None:
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if not 0 <= limit <= MAX_REDIRECT_LIMIT:
        raise CurlImportError(
            f"invalid number of redirects {value!r} for {option}; use a whole "
            f"number from 0 to {MAX_REDIRECT_LIMIT}."
        )
    command.redirects = RedirectSetting(command.redirects.follow, limit)


def _set_client_cert(command: _Command, value: str, option: str) -> None:
    # curl reads "FILE:PASSWORD"; a colon after a drive letter is part of the path.
    split_at = value.find(":", 2 if value[1:2] == ":" else 0)
    if split_at > 0:
        value, command.client_cert_password = value[:split_at], value[split_at + 1 :]
    command.client_cert = str((command.base_folder / value).resolve())


def _set_client_key(command: _Command, value: str, option: str) -> None:
    command.client_key = str((command.base_folder / value).resolve())


def _set_key_password(command: _Command, value: str, option: str) -> None:
    command.client_cert_password = value


def _check_cert_type(command: _Command, value: str, option: str) -> None:
    if value.upper() not in {"PEM", "P12"}:
        raise CurlImportError(
            f"{option} {value} is not supported: client certificates are PEM or "
            "PKCS#12 (P12) files."
        )


def _set_ca_bundle(command: _Command, value: str, option: str) -> None:
    command.ca_bundle = str((command.base_folder / value).resolve())


def _set_proxy(command: _Command, value: str, option: str) -> None:
    command.proxy = ProxySetting(ProxyMode.EXPLICIT, value)


def _set_no_proxy(command: _Command, value: str, option: str) -> None:
    if value.strip() == "*":
        command.proxy = ProxySetting(ProxyMode.NONE)
    else:
        command.warnings.append(
            f"{option} {value} is ignored: a webhook either uses a proxy or not, "
            "for every host."
        )


def _set_connect_timeout(command: _Command, value: str, option: str) -> None:
    seconds = _seconds(value, option)
    command.timeouts = Timeouts(seconds, command.timeouts.total)


def _set_max_time(command: _Command, value: str, option: str) -> None:
    seconds = _seconds(value, option)
    command.timeouts = Timeouts(command.timeouts.operation, seconds)


def _seconds(value: str, option: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise CurlImportError(
            f"invalid number of seconds {value!r} for {option}; use a number "
            "greater than 0."
        )
    return seconds


_Handler = Callable[[_Command, str, str], None]

# Options that take a value, by every name curl accepts for them.
_HANDLERS: dict[str, _Handler] = {
    "--url": _set_url,
    "-X": _set_method,
    "--request": _set_method,
    "-H": _add_header,
    "--header": _add_header,
    "-u": _set_user,
    "--user": _set_user,
    "-d": _add_data,
    "--data": _add_data,
    "--data-ascii": _add_data,
    "--data-raw": _add_data,
    "--data-binary": _add_data,
    "--json": _add_json,
    "-A": _set_user_agent,
    "--user-agent": _set_user_agent,
    "-e": _set_referer,
    "--referer": _set_referer,
    "-b": _set_cookie,
    "--cookie": _set_cookie,
    "--cacert": _set_ca_bundle,
    "-x": _set_proxy,
    "--proxy": _set_proxy,
    "--noproxy": _set_no_proxy,
    "--cert": _set_client_cert,
    "-E": _set_client_cert,
    "--key": _set_client_key,
    "--pass": _set_key_password,
    "--cert-type": _check_cert_type,
    "--max-redirs": _set_max_redirects,
    "--connect-timeout": _set_connect_timeout,
    "-m": _set_max_time,
    "--max-time": _set_max_time,
}

# Options without a value that change the webhook.
_FLAGS: dict[str, Callable[[_Command], None]] = {
    "-k": _set_insecure,
    "--insecure": _set_insecure,
    "-L": _follow_redirects,
    "--location": _follow_redirects,
}


def _build(command: _Command) -> CurlImport:
    if not command.url:
        raise CurlImportError("the command has no URL. Add the endpoint's URL.")
    try:
        parts = urlsplit(command.url)
    except ValueError as exc:
        # urlsplit rejects an unclosed IPv6 bracket, for one.
        raise CurlImportError(
            f"the URL {command.url!r} is invalid: {exc}. Correct it in the command."
        ) from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise CurlImportError(
            f"the URL {command.url!r} is not an http:// or https:// URL with a host."
        )

    if MASK in command.url:
        command.warnings.append(
            "the URL contains masked values (********); enter the real ones in the "
            "webhook."
        )
    body = _body(command)
    headers, content_type = _split_headers(command)
    body_format, charset = _body_format(content_type, body, command)
    auth_enabled, username, password = _credentials(command)
    rows = _header_rows(command, headers, content_type, body_format, charset)

    if not body and not command.method:
        command.warnings.append(
            "the command sends no body, so curl would send GET; it was imported "
            "as a POST with an empty body."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise CurlImportError(
            "the body is not UTF-8 text, and webhook bodies are text. Convert "
            "the body to UTF-8 and import again."
        ) from None

    command.warnings.append(
        "a cURL command names no BrainCert topic, so the webhook has the topic "
        f"{DEFAULT_TOPIC}; choose the topic the body belongs to in the webhook."
    )
    webhook = Webhook(
        name=_name_for(command.url),
        url=command.url,
        body_format=body_format,
        body_mode=BodyMode.RAW,
        body=text,
        auth_enabled=auth_enabled,
        username=username,
        password=password,
        headers=rows,
        charset_parameter=charset,
        user_agent=command.user_agent or DEFAULT_USER_AGENT,
        timeouts=command.timeouts,
        proxy=command.proxy,
        tls=_tls_setting(command),
        redirects=command.redirects,
    )
    return CurlImport(webhook, tuple(command.warnings))


def _tls_setting(command: _Command) -> TlsSetting:
    password = command.client_cert_password
    if password == MASK:
        command.warnings.append(
            "the client certificate password is masked; enter it in the webhook's "
            "TLS settings."
        )
        password = ""
    return TlsSetting(
        verify=not command.insecure,
        ca_bundle=command.ca_bundle,
        client_cert=command.client_cert,
        client_key=command.client_key,
        client_cert_password=password,
    )


def _body(command: _Command) -> bytes:
    if command.json_data and command.data:
        raise CurlImportError(
            "the command mixes --json with -d/--data options; use one of them."
        )
    if command.json_data:
        return b"".join(command.json_data)
    # curl joins several -d values with "&".
    return b"&".join(command.data)


def _split_headers(command: _Command) -> tuple[list[tuple[str, str]], str | None]:
    """Return the headers without Content-Type, and the Content-Type value."""
    content_type = None
    headers = []
    for name, value in command.headers:
        lower = name.lower()
        if lower == "content-type":
            content_type = value or None
        elif lower == "user-agent":
            command.user_agent = value
        else:
            headers.append((name, value))
    if command.json_data:
        # --json also sets these two headers unless the command gives them.
        content_type = content_type or "application/json"
        if not any(name.lower() == "accept" for name, _ in headers):
            headers.append(("Accept", "application/json"))
    return headers, content_type


def _body_format(
    content_type: str | None, body: bytes, command: _Command
) -> tuple[BodyFormat, bool]:
    """Return the format and whether the type carries `; charset=utf-8`."""
    if content_type is None:
        guessed = BodyFormat.XML if body.lstrip().startswith(b"<") else BodyFormat.JSON
        if body:
            command.warnings.append(
                f"the command sets no Content-Type; {guessed.value.upper()} was "
                "chosen from the body."
            )
        return guessed, False

    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    charset = parameters.strip().lower().replace(" ", "") == "charset=utf-8"
    if media_type in {"application/xml", "text/xml"} or media_type.endswith("+xml"):
        return BodyFormat.XML, charset
    return BodyFormat.JSON, charset


def _credentials(command: _Command) -> tuple[bool, str, str]:
    pair: tuple[str, str] | None = None
    if command.credentials is not None:
        username, colon, password = command.credentials.partition(":")
        if not colon:
            command.warnings.append(
                "-u gives no password (curl would prompt for one); enter it in "
                "the webhook."
            )
        pair = (username, password)
    else:
        for name, value in command.headers:
            if name.lower() == "authorization":
                pair = basic_credentials(value)
                if (
                    pair is None
                    and value.lower().startswith("basic ")
                    and MASK in value
                ):
                    command.warnings.append(
                        "the Authorization header is masked; turn on Basic "
                        "authentication and enter the credentials in the webhook."
                    )
                break
    if pair is None:
        return False, "", ""
    username, password = pair
    if password == MASK:
        command.warnings.append(
            "the password in the command is masked (********); enter the real "
            "password in the webhook."
        )
        password = ""
    return True, username, password


def _header_rows(
    command: _Command,
    headers: list[tuple[str, str]],
    content_type: str | None,
    body_format: BodyFormat,
    charset: bool,
) -> tuple[HeaderRow, ...]:
    rows = []
    basic_from_header = command.credentials is None
    for name, value in headers:
        lower = name.lower()
        if lower == "connection" and value.lower() == "keep-alive":
            # The studio's HTTP client sends this itself.
            continue
        if lower in {"host", "content-length", "transfer-encoding", "connection"}:
            command.warnings.append(
                f"the {name} header is ignored: Hook Studio sets it itself."
            )
            continue
        if _is_studio_default(lower, value):
            continue
        basic_header = lower == "authorization" and value.lower().startswith("basic ")
        if basic_header and basic_from_header:
            continue
        if not value and lower in {"accept", "accept-encoding"}:
            command.warnings.append(
                f"the command removes the {name} header, which Hook Studio always "
                "sends; it was kept."
            )
            continue
        secret = is_secret_header(lower)
        if MASK in value:
            command.warnings.append(
                f"the value of the {name} header is masked; enter it in the webhook."
            )
            value = ""
            secret = True
        rows.append(HeaderRow(name, value, enabled=True, secret=secret))

    studio_type = body_format.content_type + ("; charset=utf-8" if charset else "")
    if content_type is not None and content_type != studio_type:
        # A type the format does not produce (vnd.api+json, text/xml) is kept
        # exactly as a custom header, which replaces the default one.
        rows.append(HeaderRow("Content-Type", content_type))
    return tuple(rows)


def _is_studio_default(lower_name: str, value: str) -> bool:
    if lower_name == "accept":
        return value == "*/*"
    if lower_name == "accept-encoding":
        return value == DEFAULT_ACCEPT_ENCODING
    return False


def _name_for(url: str) -> str:
    """Return a webhook name from the URL's host and path.

    Control and invisible characters are left out, because a name with them
    cannot be saved.
    """
    parts = urlsplit(url)
    name = (parts.hostname or "") + parts.path.rstrip("/")
    name = "".join(char for char in name if ord(char) >= 32 and not is_unsafe(char))
    name = name.strip() or "webhook"
    if len(name) > MAX_NAME_LENGTH:
        name = name[: MAX_NAME_LENGTH - 1] + "…"
    return name
