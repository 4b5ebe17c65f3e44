"""Exports: cURL commands run through sh, HAR 1.2 structure, PowerShell quoting,
text reports, definition files and cURL import."""

import asyncio
import base64
import dataclasses
import functools
import json
import os
import shutil
import subprocess

import pytest

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.request import BasicAuth, OutgoingRequest
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.export.curl import body_needs_file, curl_command, shell_quote
from bchook_studio.core.export.curl_import import CurlImportError, parse_curl_command
from bchook_studio.core.export.definitions import (
    DefinitionsError,
    ImportSaveError,
    WebhookDefinition,
    definitions_from_json,
    definitions_to_json,
    import_definitions,
    send_warnings,
)
from bchook_studio.core.export.har import HarItem, har_document, har_text
from bchook_studio.core.export.importing import (
    ImportFileError,
    ImportKind,
    detect_import_kind,
    import_file,
    import_text,
)
from bchook_studio.core.export.powershell import powershell_command, powershell_quote
from bchook_studio.core.export.requests import RequestRecord, from_outgoing, from_sent
from bchook_studio.core.export.shell_words import ShellSyntaxError, split_shell_words
from bchook_studio.core.export.text import ReportContext, text_report
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.store import Store
from bchook_studio.core.webhook import HeaderRow, Webhook
from tests.memory_keyring import LockedKeyring
from tests.servers import RawServer, respond
from tests.store_fixtures import (
    CANARY,
    failed_result,
    full_webhook,
    sample_result,
    use_keyring,
)

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
needs_zsh = pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")

TOPIC_WARNING = (
    "a cURL command names no BrainCert topic, so the webhook has the topic "
    "user.created; choose the topic the body belongs to in the webhook."
)
needs_sh = pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")

NASTY_BODIES = [
    b'{"quote": "it\'s \\"quoted\\""}',
    b'{"money": "$HOME ${PATH} $(id) `id`"}',
    b'{"bang": "hello!world !! !$"}',
    b'{"slash": "a\\\\b \\\\ \\n end\\\\"}',
    b'{"lines": "one\ntwo\n\nthree\n"}\n',
    '{"text": "Grüße, 日本語, emoji 🎉"}'.encode(),
    b"",
    b"@not-a-file-reference",
    b"-d looks like an option",
]

# Bodies with characters that the command writes as escapes in a $'...' string,
# which dash, Debian's sh, does not read.
ESCAPED_BODIES = [
    '{"text": "Grüße, 日本語, emoji 🎉, RTL \u202e"}'.encode(),
    '{"quote": "it\'s \\\\ \u2066x\u2069", "line": "a\u2028b"}\n'.encode(),
    b"lone\rreturn\r\nand CR LF\r\n",
]


def _send(request: OutgoingRequest):
    async def send_once():
        pool = ClientPool()
        try:
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    return asyncio.run(send_once())


def _run_shell(script: str, cwd, shell: str = "sh") -> subprocess.CompletedProcess:
    return subprocess.run(
        [shell, "-c", script],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )


def _studio_request(url: str, body: bytes) -> OutgoingRequest:
    return OutgoingRequest(
        url=url,
        body=body,
        content_type="application/json; charset=utf-8",
        auth=BasicAuth("carol", "pa'ss $word"),
        headers=(("X-Custom", "value with 'quotes' and $dollar"), ("X-Empty", "")),
        user_agent="BrainCertHookStudio/test",
    )


@needs_curl
@needs_sh
@pytest.mark.parametrize("body", NASTY_BODIES)
def test_curl_reproduces_request(body, tmp_path):
    with RawServer(respond("200 OK", b"ok")) as server:
        result = _send(_studio_request(server.url + "?a=1&b=x%20y", body))
        command = curl_command(from_sent(result.request, show_secrets=True))
        finished = _run_shell(command.text, tmp_path)
        studio, curl = server.requests

    assert result.ok
    assert command.files == ()
    assert finished.returncode == 0, finished.stderr.decode()
    assert curl.request_line == studio.request_line
    assert curl.body == studio.body == body
    assert curl.headers == studio.headers


@needs_curl
@needs_bash
@pytest.mark.parametrize("body", ESCAPED_BODIES)
def test_curl_escaped_body_in_bash(body, tmp_path):
    with RawServer(respond("200 OK", b"ok")) as server:
        result = _send(_studio_request(server.url, body))
        command = curl_command(from_sent(result.request, show_secrets=True))
        finished = _run_shell(command.text, tmp_path, shell="bash")
        studio, curl = server.requests

    assert command.files == ()
    assert "--data-binary $'" in command.text
    assert finished.returncode == 0, finished.stderr.decode()
    assert curl.body == studio.body == body
    assert curl.headers == studio.headers


@needs_curl
@needs_sh
def test_curl_binary_body_file(tmp_path):
    body = bytes(range(256)) + b"\x00\r\n\xff"
    with RawServer(respond("200 OK", b"ok")) as server:
        result = _send(_studio_request(server.url, body))
        command = curl_command(
            from_sent(result.request, show_secrets=True), body_file="body 1.bin"
        )
        for body_file in command.files:
            (tmp_path / body_file.name).write_bytes(body_file.data)
        finished = _run_shell(command.text, tmp_path)
        studio, curl = server.requests

    assert len(command.files) == 1
    assert "--data-binary '@body 1.bin'" in command.text
    assert finished.returncode == 0, finished.stderr.decode()
    assert curl.body == studio.body == body
    assert curl.headers == studio.headers


@needs_curl
@needs_bash
def test_curl_crlf_body_inline(tmp_path):
    body = b'{\r\n\t"a": "x\ry"\r\n}\r\n'
    with RawServer(respond("200 OK", b"ok")) as server:
        result = _send(_studio_request(server.url, body))
        command = curl_command(from_sent(result.request, show_secrets=True))
        script = tmp_path / "send.sh"
        script.write_bytes(command.text.encode())
        # The lone carriage return is written as \x0d in a $'...' string.
        finished = _run_shell(f"bash {script}", tmp_path)
        studio, curl = server.requests

    assert command.files == ()
    assert '"x\\x0dy"' in command.text
    assert finished.returncode == 0, finished.stderr.decode()
    assert curl.body == studio.body == body


@needs_curl
@needs_sh
def test_masked_curl_runs_without_prompt(tmp_path):
    with RawServer(respond("200 OK", b"ok")) as server:
        result = _send(_studio_request(server.url, b"{}"))
        command = curl_command(from_sent(result.request))
        finished = _run_shell(command.text, tmp_path)
        curl = server.requests[1]

    masked = base64.b64encode(b"carol:********").decode()
    assert "-u 'carol:********'" in command.text
    assert "pa'ss" not in command.text
    assert finished.returncode == 0
    assert curl.headers["authorization"] == f"Basic {masked}"


@needs_curl
@needs_sh
def test_curl_for_inbox_request(tmp_path):
    record = RequestRecord(
        "PUT",
        "http://127.0.0.1:{port}/in?x=1",
        (("X-Only", "this"),),
        b"raw body",
    )
    with RawServer(respond("200 OK", b"ok")) as server:
        record = RequestRecord(
            record.method,
            record.url.format(port=server.port),
            record.headers,
            record.body,
        )
        finished = _run_shell(curl_command(record).text, tmp_path)
        received = server.requests[0]

    assert finished.returncode == 0, finished.stderr.decode()
    assert received.request_line == "PUT /in?x=1 HTTP/1.1"
    assert received.body == b"raw body"
    assert set(received.headers) == {"host", "x-only", "content-length"}


def test_shell_quote_single_quotes():
    assert shell_quote("it's") == "'it'\\''s'"
    assert shell_quote("") == "''"


# An unsafe character of each kind, the \xHH escapes of its UTF-8 bytes in a
# $'...' string, and its PowerShell subexpression.
UNSAFE_CHARACTERS = [
    ("\u202e", "\\xe2\\x80\\xae", "$([char]0x202E)"),  # RIGHT-TO-LEFT OVERRIDE
    ("\u202a", "\\xe2\\x80\\xaa", "$([char]0x202A)"),  # LEFT-TO-RIGHT EMBEDDING
    ("\u2066", "\\xe2\\x81\\xa6", "$([char]0x2066)"),  # LEFT-TO-RIGHT ISOLATE
    ("\u2069", "\\xe2\\x81\\xa9", "$([char]0x2069)"),  # POP DIRECTIONAL ISOLATE
    ("\u200e", "\\xe2\\x80\\x8e", "$([char]0x200E)"),  # LEFT-TO-RIGHT MARK
    ("\u200f", "\\xe2\\x80\\x8f", "$([char]0x200F)"),  # RIGHT-TO-LEFT MARK
    ("\u061c", "\\xd8\\x9c", "$([char]0x61C)"),  # ARABIC LETTER MARK
    ("\u2028", "\\xe2\\x80\\xa8", "$([char]0x2028)"),  # LINE SEPARATOR
    ("\u2029", "\\xe2\\x80\\xa9", "$([char]0x2029)"),  # PARAGRAPH SEPARATOR
    ("\ufeff", "\\xef\\xbb\\xbf", "$([char]0xFEFF)"),  # ZERO WIDTH NO-BREAK SPACE
    ("\u200b", "\\xe2\\x80\\x8b", "$([char]0x200B)"),  # ZERO WIDTH SPACE
    ("\u00ad", "\\xc2\\xad", "$([char]0xAD)"),  # SOFT HYPHEN
    (
        "\U000e0041",  # TAG LATIN CAPITAL LETTER A
        "\\xf3\\xa0\\x81\\x81",
        "$([char]::ConvertFromUtf32(0xE0041))",
    ),
    ("\x00", "\\x00", "$([char]0x0)"),
    ("\x1b", "\\x1b", "$([char]0x1B)"),
    ("\x7f", "\\x7f", "$([char]0x7F)"),
    ("\n", "\\x0a", "$([char]0xA)"),
    ("\r", "\\x0d", "$([char]0xD)"),
    ("\u0085", "\\xc2\\x85", "$([char]0x85)"),  # NEXT LINE, a C1 control
    ("\u009b", "\\xc2\\x9b", "$([char]0x9B)"),  # CONTROL SEQUENCE INTRODUCER
]


@pytest.mark.parametrize(("char", "escape", "_"), UNSAFE_CHARACTERS)
def test_shell_quote_escapes_unsafe(char, escape, _):
    assert shell_quote(f"a{char}b") == f"$'a{escape}b'"


def test_shell_quote_ansi_c_quote_and_backslash():
    quoted = shell_quote("it's C:\\dir\\ \\x41 \u202e")

    assert quoted == "$'it\\'s C:\\\\dir\\\\ \\\\x41 \\xe2\\x80\\xae'"


def test_shell_quote_keeps_safe_characters():
    assert shell_quote("tab\there") == "'tab\there'"
    assert shell_quote("one\ntwo\r\n", multiline=True) == "'one\ntwo\r\n'"
    assert shell_quote("Persian می\u200cخواهم") == "'Persian می\u200cخواهم'"
    assert shell_quote("\U0001f469\u200d\U0001f4bb") == "'\U0001f469\u200d\U0001f4bb'"
    assert shell_quote("שלום é 日本") == "'שלום é 日本'"


def test_shell_quote_multiline_escapes():
    text = "one\ntwo\r\nlone\rcr \u2028 it's"

    assert shell_quote(text, multiline=True) == (
        "$'one\ntwo\r\nlone\\x0dcr \\xe2\\x80\\xa8 it\\'s'"
    )
    assert shell_quote(text) == (
        "$'one\\x0atwo\\x0d\\x0alone\\x0dcr \\xe2\\x80\\xa8 it\\'s'"
    )


SPOOFING_RECORD = RequestRecord(
    "PUT",
    "http://127.0.0.1:9/hook?user=admin\u202e\u2066// evil\u2069\u2066",
    (
        # Both exports write the credentials from basic_auth instead.
        ("Authorization", "Basic Y2Fyb2w6eA=="),
        ("X-Bidi", "a\u202eb\u200f\u061c"),
        ("X-Lines", "one\u2028two\u2029\u0085three"),
        ("X-Format", "\ufeffzero\u200bwidth\u00ad\U000e0041"),
        ("X-Controls", "\x1b]0;title\x07 it's \\ \ttab"),
        ("X-Kept", "می\u200cخواهم \U0001f469\u200d\U0001f4bb"),
    ),
    '{\n\t"quote": "it\'s \\\\ \u202e",\r\n"cr": "a\rb"\n}\n'.encode(),
    basic_auth=("carol", "pa'ss\\\u202eword"),
)


# Options that keep each shell from reading the user's startup files.
_NO_STARTUP_FILES = {"bash": "--norc", "zsh": "--no-rcs"}


def _command_words(shell: str, command_text: str, locale: str) -> list[bytes]:
    """Run `command_text` with printf in place of curl and return its words."""
    script = "printf '%s\\0' " + command_text.removeprefix("curl ")
    completed = subprocess.run(
        [shell, _NO_STARTUP_FILES[shell], "-c", script],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env={"LC_ALL": locale, "PATH": "/usr/bin:/bin"},
        timeout=30,
        check=True,
    )
    return completed.stdout.split(b"\0")[:-1]


def _expected_words(record: RequestRecord) -> list[bytes]:
    username, password = record.basic_auth
    words = [record.url, "-X", record.method, "-u", f"{username}:{password}"]
    for name, value in record.headers:
        if name != "Authorization":
            words += ["-H", f"{name}: {value}"]
    words += ["-H", "User-Agent:", "-H", "Accept:", "-H", "Content-Type:"]
    words += ["--data-binary", record.body.decode("utf-8")]
    return [word.encode("utf-8") for word in words]


@pytest.mark.parametrize(
    "shell",
    [pytest.param("bash", marks=needs_bash), pytest.param("zsh", marks=needs_zsh)],
)
@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_curl_escapes_run_unchanged(shell, locale):
    command = curl_command(SPOOFING_RECORD)

    words = _command_words(shell, command.text, locale)

    assert words == _expected_words(SPOOFING_RECORD)


def test_curl_escapes_leave_no_unsafe_text():
    text = curl_command(SPOOFING_RECORD).text
    # The body's CR LF pair and the command's line breaks stay as they are.
    single_lines = text.replace("\r\n", "").replace("\n", "")

    for char, _, _ in UNSAFE_CHARACTERS:
        assert char not in single_lines
    assert "\t" in text
    assert "\u200c" in text
    assert "\u200d" in text


def test_curl_escapes_import_as_exported():
    text = curl_command(SPOOFING_RECORD).text

    words = [word.encode("utf-8") for word in split_shell_words(text)]

    assert words[0] == b"curl"
    assert words[1:] == _expected_words(SPOOFING_RECORD)


def test_body_file_rules():
    assert body_needs_file(b"plain\ttext\n") is False
    assert body_needs_file(b"nul\x00byte") is True
    assert body_needs_file(b"carriage\r\nreturn") is False
    assert body_needs_file(b"lone\rreturn") is False
    assert body_needs_file(b"escape\x1b[31m") is True
    assert body_needs_file(b"delete\x7f") is True
    assert body_needs_file("c1 \u009b".encode()) is True
    assert body_needs_file("nbsp \u00a0 ü".encode()) is False
    assert body_needs_file(b"\xff\xfe") is True
    assert body_needs_file(b"x" * 70_000) is True
    assert body_needs_file(b"x" * 10, inline_limit=5) is True


def test_curl_notes_cut_body():
    record = RequestRecord("POST", "http://h/x", (), b"abc", body_size=10)

    assert curl_command(record).text.startswith(
        "# The body was stored only up to 3 of 10"
    )


def test_curl_from_outgoing_settings():
    webhook = full_webhook()
    request = webhook.outgoing_request(b"<a/>")
    text = curl_command(from_outgoing(request, secret_query_parameters=["token"])).text

    assert CANARY not in text
    assert "--insecure" in text
    assert "--cert '/certs/client.pem'" in text
    assert "--key '/certs/client.key'" in text
    assert "--pass '********'" in text
    assert "--proxy 'http://pu:********@proxy.test:3128'" in text
    assert "--location --max-redirs 3" in text
    assert "--connect-timeout 5.5 --max-time 60" in text
    assert "--http1.1" in text
    assert "token=********" in text


def test_powershell_quotes_typographic_quotes():
    assert powershell_quote("it's") == "'it''s'"
    assert powershell_quote("smart ’quote‘") == "'smart ’’quote‘‘'"
    assert powershell_quote("$x `y`") == "'$x `y`'"


@pytest.mark.parametrize(("char", "_", "expression"), UNSAFE_CHARACTERS)
def test_powershell_quote_escapes_unsafe(char, _, expression):
    assert powershell_quote(f"a{char}b") == f'"a{expression}b"'


def test_powershell_double_quoted_specials():
    quoted = powershell_quote('$x `y` "q" “s” „t‟ it’s \' \\ \u202e')

    assert quoted == '"`$x ``y`` `"q`" `“s`” `„t‟ it’s \' \\ $([char]0x202E)"'


def test_powershell_quote_keeps_safe_characters():
    assert powershell_quote("tab\there") == "'tab\there'"
    assert powershell_quote("one\ntwo\r\n", multiline=True) == "'one\ntwo\r\n'"
    assert powershell_quote("می\u200cخواهم") == "'می\u200cخواهم'"
    assert powershell_quote("\U0001f469\u200d\U0001f4bb") == (
        "'\U0001f469\u200d\U0001f4bb'"
    )


def test_powershell_quote_multiline_escapes():
    text = "one\ntwo\r\nlone\rcr \u2028 it's"

    assert powershell_quote(text, multiline=True) == (
        '"one\ntwo\r\nlone$([char]0xD)cr $([char]0x2028) it\'s"'
    )
    assert powershell_quote(text) == (
        '"one$([char]0xA)two$([char]0xD)$([char]0xA)lone$([char]0xD)cr '
        "$([char]0x2028) it's\""
    )


def test_powershell_script_escapes_unsafe():
    record = dataclasses.replace(
        SPOOFING_RECORD, client_cert="C:\\certs\\a.pfx\nRemove-Item x"
    )
    script = powershell_command(record).text
    # The body's CR LF pair and the script's line breaks stay as they are.
    single_lines = script.replace("\r\n", "").replace("\n", "")

    for char, _, _ in UNSAFE_CHARACTERS:
        assert char not in single_lines
    assert '-Uri "http://127.0.0.1:9/hook?user=admin$([char]0x202E)' in script
    assert "$headers['X-Bidi'] = \"a$([char]0x202E)b" in script
    assert 'GetBytes("{\n\t`"quote`": `"it\'s \\\\ $([char]0x202E)`"' in script
    assert '`"a$([char]0xD)b`"' in script
    assert 'UTF8.GetBytes("carol:pa\'ss\\$([char]0x202E)word")' in script
    assert 'certificate "C:\\certs\\a.pfx$([char]0xA)Remove-Item x";' in script
    assert "\nRemove-Item" not in script


def test_powershell_script_shape():
    result = sample_result(request_body='{"a": "it\'s ’x’"}'.encode())
    script = powershell_command(from_sent(result.request)).text

    assert "-Method Post" in script
    assert "-Uri 'http://127.0.0.1:9/hook?token=********&x=1'" in script
    assert "-ContentType 'application/json'" in script
    assert "UTF8.GetBytes('carol:********')" in script
    assert "GetBytes('{\"a\": \"it''s ’’x’’\"}')" in script
    assert "Host" not in script
    assert "Content-Length" not in script


def test_powershell_binary_uses_infile():
    record = RequestRecord("POST", "http://h/x", (), b"\x00\x01", body_size=None)
    command = powershell_command(record, body_file="b.bin")

    assert "-InFile 'b.bin'" in command.text
    assert command.files[0].data == b"\x00\x01"


# Required HAR 1.2 fields and their JSON types; a tuple lists allowed types.
_NUMBER = (int, float)
_HAR_SCHEMA = {
    "log": {
        "version": str,
        "creator": {"name": str, "version": str},
        "entries": [
            {
                "startedDateTime": str,
                "time": _NUMBER,
                "request": {
                    "method": str,
                    "url": str,
                    "httpVersion": str,
                    "cookies": [{"name": str, "value": str}],
                    "headers": [{"name": str, "value": str}],
                    "queryString": [{"name": str, "value": str}],
                    "headersSize": _NUMBER,
                    "bodySize": _NUMBER,
                },
                "response": {
                    "status": _NUMBER,
                    "statusText": str,
                    "httpVersion": str,
                    "cookies": [{"name": str, "value": str}],
                    "headers": [{"name": str, "value": str}],
                    "content": {"size": _NUMBER, "mimeType": str},
                    "redirectURL": str,
                    "headersSize": _NUMBER,
                    "bodySize": _NUMBER,
                },
                "cache": {},
                "timings": {"send": _NUMBER, "wait": _NUMBER, "receive": _NUMBER},
            }
        ],
    }
}


def _check_schema(value, schema, path="har") -> list[str]:
    """Return the paths where `value` lacks a required field or has a wrong type."""
    problems = []
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path} is not an object"]
        for key, expected in schema.items():
            if key not in value:
                problems.append(f"{path}.{key} is missing")
            else:
                problems += _check_schema(value[key], expected, f"{path}.{key}")
    elif isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path} is not an array"]
        for index, item in enumerate(value):
            problems += _check_schema(item, schema[0], f"{path}[{index}]")
    elif isinstance(value, bool) or not isinstance(value, schema):
        problems.append(f"{path} has type {type(value).__name__}")
    return problems


def _har_entries(*results):
    document = json.loads(json.dumps(har_document(HarItem(r) for r in results)))
    return document, document["log"]["entries"]


def test_har_has_required_fields():
    result = sample_result(
        headers=(("Cookie", "a=1; b=2"),), secret_headers=frozenset({"authorization"})
    )
    document, _ = _har_entries(result, failed_result())

    assert _check_schema(document, _HAR_SCHEMA) == []
    assert document["log"]["version"] == "1.2"


def test_har_schema_check_can_fail():
    document, entries = _har_entries(sample_result())
    del entries[0]["timings"]["wait"]
    entries[0]["response"]["status"] = "200"

    assert _check_schema(document, _HAR_SCHEMA) == [
        "har.log.entries[0].response.status has type str",
        "har.log.entries[0].timings.wait is missing",
    ]


def test_har_time_is_sum_of_timings():
    _, entries = _har_entries(sample_result(), failed_result())

    for entry in entries:
        timings = entry["timings"]
        assert entry["time"] == timings["send"] + timings["wait"] + timings["receive"]
        assert min(timings.values()) >= 0


def test_har_request_and_response_values():
    _, (entry,) = _har_entries(sample_result())
    request, response = entry["request"], entry["response"]

    assert entry["startedDateTime"] == "2026-12-04T16:12:00.123Z"
    assert request["postData"] == {"mimeType": "application/json", "text": '{"id": 1}'}
    assert request["queryString"] == [
        {"name": "token", "value": "********"},
        {"name": "x", "value": "1"},
    ]
    assert {"name": "Authorization", "value": "Basic ********"} in request["headers"]
    assert response["status"] == 200
    assert response["content"]["text"] == '{"ok": true}'
    assert response["content"]["size"] == 12


def test_har_failure_has_error():
    _, (entry,) = _har_entries(failed_result(FailureKind.READ_TIMEOUT))
    response = entry["response"]

    assert response["status"] == 0
    assert response["_error"] == "read_timeout: Connection refused."
    assert response["comment"] == "Connection refused."


def test_har_binary_response_base64():
    _, (entry,) = _har_entries(sample_result(body=b"\x00\x01\xffbinary"))
    content = entry["response"]["content"]

    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]) == b"\x00\x01\xffbinary"


def test_har_text_is_json():
    text = har_text(sample_result(), comment="Orders · sale.new")

    assert text.endswith("}\n")
    assert json.loads(text)["log"]["entries"][0]["comment"] == "Orders · sale.new"


def test_text_report_sections():
    report = text_report(
        sample_result(status=500, body=b"oops"),
        context=ReportContext("Orders", "sale.new", 12),
    )

    assert report.startswith("BrainCert Hook Studio ")
    assert "Webhook: Orders" in report
    assert "History id: 12" in report
    assert "== Request ==\nPOST http://127.0.0.1:9/hook?token=********&x=1" in report
    assert "Authorization: Basic ********" in report
    assert "== Response ==\nHTTP/1.1 500 Error" in report
    assert report.endswith("oops\n")


def test_text_report_failure_and_binary():
    result = failed_result()
    report = text_report(result)

    assert "== Failure ==\nKind: refused\nMessage: Connection refused." in report
    assert "Detail: errno 111" in report
    assert "no answer; failed: refused" in report


def test_text_report_binary_body():
    result = sample_result(body=b"\x89PNG\x00\x00\x01")
    response = dataclasses.replace(
        result.response, headers=(("Content-Type", "image/png"),)
    )
    report = text_report(dataclasses.replace(result, response=response))

    assert "[binary body: image/png, 7 B]" in report


def test_definitions_round_trip_with_secrets():
    webhook = full_webhook()
    text = definitions_to_json(
        [WebhookDefinition(webhook, [{"status": 500}])], with_secrets=True
    )
    (read,) = definitions_from_json(text)

    assert read.webhook == webhook
    assert read.receiver_rules == [{"status": 500}]


def test_definitions_leave_secrets_out():
    text = definitions_to_json([WebhookDefinition(full_webhook())])
    (read,) = definitions_from_json(text)
    document = json.loads(text)

    assert CANARY not in text
    assert document["format"] == "bchook-studio-webhooks"
    assert document["version"] == 1
    assert read.webhook.password == ""
    assert read.webhook.tls.client_cert_password == ""
    assert read.webhook.headers[0].value == ""
    assert "token=********" in read.webhook.url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"format": "other"}', "not a webhook definitions file"),
        ('{"format": "bchook-studio-webhooks", "version": 9}', "newer"),
        ('{"format": "bchook-studio-webhooks", "version": 1}', '"webhooks" list'),
        (
            '{"format": "bchook-studio-webhooks", "version": 1, "webhooks": '
            '[{"webhook": {"auth_enabled": "yes"}}]}',
            r"webhooks\[0\]: invalid value for webhook.auth_enabled",
        ),
        (
            '{"format": "bchook-studio-webhooks", "version": 1, "webhooks": '
            '[{"webhook": {"topic_key": "nosuch"}}]}',
            r"webhooks\[0\]: unknown topic 'nosuch'",
        ),
        (
            '{"format": "bchook-studio-webhooks", "version": 1, "webhooks": '
            '[{"webhook": {}, "receiver_rules": [{"status": 9999}]}]}',
            r"webhooks\[0\]: receiver_rules\[0\]: invalid status 9999",
        ),
        (
            '{"format": "bchook-studio-webhooks", "version": 1, "webhooks": '
            '[{"webhook": {"redirects": {"follow": true, "max_redirects": -1}}}]}',
            r"webhooks\[0\]: invalid value for webhook.redirects: the redirect "
            "limit -1 is negative",
        ),
        (
            '{"format": "bchook-studio-webhooks", "version": 1, "webhooks": '
            '[{"webhook": {"timeouts": {"operation": NaN, "total": 5}}}]}',
            r"webhooks\[0\]: invalid value for webhook.timeouts: the operation "
            "timeout nan is invalid",
        ),
        (
            '{"format": "bchook-studio-webhooks", "version": 1, "webhooks": '
            '[{"webhook": {"timeouts": {"operation": 5, "total": 0}}}]}',
            r"webhooks\[0\]: invalid value for webhook.timeouts: the total "
            "timeout 0 is invalid",
        ),
    ],
)
def test_definitions_errors(text, message):
    with pytest.raises(DefinitionsError, match=message):
        definitions_from_json(text)


def test_send_warnings_name_url_and_headers():
    webhook = Webhook(
        name="Odd",
        url="http://127.0.0.1/a b",
        headers=(
            HeaderRow("Host", "a.test"),
            HeaderRow("X-Off", "a\r\nb", enabled=False),
        ),
    )

    warnings = send_warnings([WebhookDefinition(webhook)])

    assert len(warnings) == 2
    assert warnings[0].startswith("webhooks[0] 'Odd': The URL")
    assert "contains a space" in warnings[0]
    assert "the header 'Host' is set by Hook Studio" in warnings[1]
    assert warnings[1].endswith("Send Test rejects the webhook until this is fixed.")


def test_send_warnings_repeated_header_names():
    webhook = Webhook(
        name="Twice",
        headers=(
            HeaderRow("X-Good", "1"),
            HeaderRow("X-GOOD", "2", enabled=False),
            HeaderRow("x-good", "3"),
        ),
    )

    warnings = send_warnings([WebhookDefinition(webhook)])

    assert warnings == [
        "webhooks[0] 'Twice': the custom headers 'X-Good' and 'x-good' have the "
        "same name, so both are sent and the server may read either one."
    ]


def test_import_keeps_reserved_header(tmp_path):
    text = definitions_to_json(
        [WebhookDefinition(Webhook(name="Hosted", headers=(HeaderRow("Host", "a"),)))]
    )

    with Store.open(tmp_path / "studio.sqlite3") as store:
        report = import_text(store, text, tmp_path)
        saved = store.get_webhook(report.imported[0].id).webhook

    assert saved.headers == (HeaderRow("Host", "a"),)
    assert any("'Host'" in warning for warning in report.warnings)


def test_curl_import_name_without_controls(tmp_path):
    text = "curl $'http://127.0.0.1:18080/a\\x1b\\u202e' -d x"

    with Store.open(tmp_path / "studio.sqlite3") as store:
        report = import_text(store, text, tmp_path)

    assert report.imported[0].name == "127.0.0.1/a"
    assert any("U+001B" in warning for warning in report.warnings)


def test_curl_import_unclosed_ipv6_bracket(tmp_path):
    expected = r"the URL 'http://\[::1' is invalid"

    with (
        Store.open(tmp_path / "studio.sqlite3") as store,
        pytest.raises(ImportFileError, match=expected),
    ):
        import_text(store, "curl 'http://[::1' -d x", tmp_path)


def test_import_never_overwrites(tmp_path):
    text = definitions_to_json(
        [
            WebhookDefinition(Webhook(name="Hook")),
            WebhookDefinition(Webhook(name="hook")),
        ]
    )
    with Store.open(tmp_path / "studio.sqlite3") as store:
        store.save_webhook(Webhook(name="Hook", url="http://127.0.0.1/original"))
        report = import_text(store, text, tmp_path)
        names = sorted(summary.name for summary in store.list_webhooks())
        original = store.get_webhook(1).webhook.url

    assert report.kind is ImportKind.DEFINITIONS
    assert [item.name for item in report.imported] == ["Hook (2)", "hook (3)"]
    assert names == ["Hook", "Hook (2)", "hook (3)"]
    assert original == "http://127.0.0.1/original"


def _definitions_with(index: int, field: str, value: object) -> str:
    """Return a two-webhook definitions file with one field of one entry set."""
    text = definitions_to_json(
        [WebhookDefinition(Webhook(name="First")), WebhookDefinition(Webhook())]
    )
    document = json.loads(text)
    document["webhooks"][index]["webhook"][field] = value
    return json.dumps(document)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "bad\u0001", r"^webhooks\[1\]: the webhook name 'bad\\x01'"),
        ("name", "two\nlines", r"^webhooks\[1\]: the webhook name"),
        ("body_format", "yaml", r"^webhooks\[1\]: invalid value .*body_format"),
        ("name", "n" * 201, r"^webhooks\[1\]: the webhook name 'n{40}…' has 201 "),
        (
            "body",
            "b" * (5 * 1024 * 1024 + 1),
            r"^webhooks\[1\]: the body is 5,242,881 bytes, over the 5,242,880 bytes",
        ),
        (
            "event_text",
            "e" * (5 * 1024 * 1024 + 1),
            r"^webhooks\[1\]: the event data is 5,242,881 bytes",
        ),
        (
            "redirects",
            {"follow": True, "max_redirects": 10**12},
            r"^webhooks\[1\]: the redirect limit 1000000000000 is over 1000",
        ),
    ],
)
def test_import_bad_entry_saves_nothing(tmp_path, field, value, message):
    text = _definitions_with(1, field, value)
    with Store.open(tmp_path / "studio.sqlite3") as store:
        with pytest.raises(ImportFileError, match=message):
            import_text(store, text, tmp_path)
        saved = store.list_webhooks()

    assert saved == []


def test_import_deep_nesting_is_file_error(tmp_path):
    text = "[" * 100_000 + "]" * 100_000
    text = '{"format": "bchook-studio-webhooks", "version": 1, "x": ' + text + "}"

    with (
        Store.open(tmp_path / "studio.sqlite3") as store,
        pytest.raises(ImportFileError, match="nests JSON arrays or objects"),
    ):
        import_text(store, text, tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX only")
def test_import_fifo_rejected_without_reading(tmp_path):
    fifo = tmp_path / "hooks.json"
    os.mkfifo(fifo)

    with (
        Store.open(tmp_path / "studio.sqlite3") as store,
        pytest.raises(ImportFileError, match="is not a regular file"),
    ):
        import_file(store, fifo)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX only")
def test_curl_import_body_fifo_rejected(tmp_path):
    os.mkfifo(tmp_path / "body.json")

    with pytest.raises(CurlImportError, match=r"body\.json is not a regular file"):
        parse_curl_command(
            "curl -d @body.json http://127.0.0.1:9/hook", base_folder=tmp_path
        )


def test_curl_import_body_file_over_cap(tmp_path):
    with (tmp_path / "big.bin").open("wb") as file:
        file.truncate(5 * 1024 * 1024 + 1)

    with pytest.raises(CurlImportError, match=r"big\.bin is over 5 MiB"):
        parse_curl_command(
            "curl --data-binary @big.bin http://127.0.0.1:9/hook", base_folder=tmp_path
        )


def test_curl_import_inline_body_over_cap(tmp_path):
    command = "curl -d '" + "a" * (6 * 1024 * 1024) + "' http://127.0.0.1:9/hook"

    with (
        Store.open(tmp_path / "studio.sqlite3") as store,
        pytest.raises(ImportFileError, match="the body is 6 MiB, over the 5 MiB"),
    ):
        import_text(store, command, tmp_path)


def test_import_empty_name_allowed(tmp_path):
    text = _definitions_with(1, "name", "  ")
    with Store.open(tmp_path / "studio.sqlite3") as store:
        report = import_text(store, text, tmp_path)

    assert [item.name for item in report.imported] == ["First", "Imported webhook"]


def test_import_save_failure_rolls_back(tmp_path):
    secret = Webhook(name="Second", auth_enabled=True, username="u", password=CANARY)
    definitions = [WebhookDefinition(Webhook(name="First")), WebhookDefinition(secret)]
    with use_keyring(LockedKeyring()), Store.open(tmp_path / "studio.sqlite3") as store:
        with pytest.raises(ImportSaveError, match=r"^webhooks\[1\] 'Second' could"):
            import_definitions(store, definitions)
        saved = store.list_webhooks()

    assert saved == []


def test_import_checks_names_before_saving(tmp_path):
    definitions = [
        WebhookDefinition(Webhook(name="First")),
        WebhookDefinition(Webhook(name="tab\tname")),
    ]
    with Store.open(tmp_path / "studio.sqlite3") as store:
        with pytest.raises(DefinitionsError, match=r"^webhooks\[1\]: "):
            import_definitions(store, definitions)
        saved = store.list_webhooks()

    assert saved == []


def test_detect_import_kind():
    assert detect_import_kind('\ufeff  {"format": 1}') is ImportKind.DEFINITIONS
    assert detect_import_kind("# note\ncurl http://h/") is ImportKind.CURL
    assert detect_import_kind("$ curl.exe http://h/") is ImportKind.CURL
    with pytest.raises(ImportFileError, match="neither"):
        detect_import_kind("wget http://h/")


def test_curl_import_round_trip():
    webhook = Webhook(
        name="x",
        url="https://example.test/hooks/in?x=1",
        body_format=BodyFormat.XML,
        body="<a>it's $HOME `x` !\\ \n ü</a>",
        auth_enabled=True,
        username="carol",
        password="pa'ss",
        headers=(HeaderRow("X-Plain", "one"), HeaderRow("X-Token", "t-1", secret=True)),
        charset_parameter=True,
        user_agent="Custom/2",
    )
    request = webhook.outgoing_request(webhook.body.encode())
    command = curl_command(from_outgoing(request, show_secrets=True))
    imported = parse_curl_command(command.text).webhook

    assert imported.url == webhook.url
    assert imported.body == webhook.body
    assert imported.body_format is BodyFormat.XML
    assert imported.charset_parameter is True
    assert imported.content_type == webhook.content_type
    assert imported.user_agent == "Custom/2"
    assert imported.auth_enabled is True
    assert imported.username == "carol"
    assert imported.password == "pa'ss"
    assert [(h.name, h.value) for h in imported.headers] == [
        ("X-Plain", "one"),
        ("X-Token", "t-1"),
    ]
    assert imported.headers[1].secret is True
    assert imported.outgoing_request(b"").wire_headers() == request.wire_headers()


def test_curl_round_trip_settings():
    webhook = full_webhook()
    request = webhook.outgoing_request(webhook.body.encode())
    command = curl_command(from_outgoing(request, show_secrets=True))
    parsed = parse_curl_command(command.text)
    imported = parsed.webhook

    assert parsed.warnings == (TOPIC_WARNING,)
    assert imported.url == webhook.url
    assert imported.password == webhook.password
    assert imported.timeouts == webhook.timeouts
    assert imported.proxy == webhook.proxy
    assert imported.redirects == webhook.redirects
    assert imported.tls.verify is False
    assert imported.tls.client_cert == webhook.tls.client_cert
    assert imported.tls.client_key == webhook.tls.client_key
    assert imported.tls.client_cert_password == webhook.tls.client_cert_password
    assert imported.user_agent == webhook.user_agent
    assert imported.content_type == webhook.content_type


def test_curl_import_masked_export():
    result = sample_result()
    text = curl_command(from_sent(result.request)).text
    parsed = parse_curl_command(text)

    assert parsed.webhook.username == "carol"
    assert parsed.webhook.password == ""
    assert any("masked" in warning for warning in parsed.warnings)


def test_curl_import_common_forms(tmp_path):
    (tmp_path / "event.json").write_bytes(b'{"a":\r\n 1}')
    text = (
        "# from the docs\n"
        "$ curl -sSL -XPOST 'https://h.test/x' \\\n"
        "  -H 'Content-Type: application/vnd.api+json' \\\n"
        "  -H'Authorization: Bearer abc' --max-redirs 4 \\\n"
        "  -u 'u:p' --connect-timeout 3 -m 9 -k --compressed \\\n"
        "  --data-binary @event.json\n"
    )
    webhook = parse_curl_command(text, tmp_path).webhook

    assert webhook.url == "https://h.test/x"
    assert webhook.body == '{"a":\r\n 1}'
    assert webhook.body_format is BodyFormat.JSON
    assert webhook.username == "u"
    assert webhook.password == "p"
    assert webhook.timeouts.operation == 3
    assert webhook.timeouts.total == 9
    assert webhook.tls.verify is False
    assert webhook.redirects.follow is True
    assert webhook.redirects.max_redirects == 4
    assert ("Content-Type", "application/vnd.api+json") in [
        (h.name, h.value) for h in webhook.headers
    ]
    assert [h.secret for h in webhook.headers if h.name == "Authorization"] == [True]


def test_curl_import_data_joins_and_strips(tmp_path):
    (tmp_path / "part.txt").write_bytes(b"b=\n2\r\n")
    webhook = parse_curl_command("curl http://h/ -d a=1 -d @part.txt", tmp_path).webhook

    assert webhook.body == "a=1&b=2"


def test_curl_import_json_flag():
    webhook = parse_curl_command("""curl --json '{"a": 1}' http://h/""").webhook

    assert webhook.body == '{"a": 1}'
    assert webhook.body_format is BodyFormat.JSON
    assert [(h.name, h.value) for h in webhook.headers] == [
        ("Accept", "application/json")
    ]


def test_curl_import_ansi_c_string():
    webhook = parse_curl_command(
        "curl 'http://h/' -H 'content-type: application/json' "
        '--data-raw $\'{"a": "it\\\'s\\n\\u00fc\\x21"}\''
    ).webhook

    assert webhook.body == '{"a": "it\'s\nü!"}'


def test_curl_import_continuation_inside_quotes_kept():
    text = "curl http://h/ --data-binary 'line \\\nnext' \\\n  -H 'X-A: 1'"
    webhook = parse_curl_command(text).webhook

    assert webhook.body == "line \\\nnext"
    assert webhook.headers[0].name == "X-A"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("curl http://h/ --frobnicate", "unknown curl option --frobnicate"),
        ("curl http://h/ -Z", "unknown curl option -Z"),
        ("curl http://h/ -F a=1", "-F is not supported"),
        ("curl -X PUT http://h/", "POST"),
        ("curl http://h/ http://other/", "more than one URL"),
        ("curl http://h/a -d 1\ncurl http://h/b -d 2", "more than one curl command"),
        ("curl -H 'NoColon' http://h/", "no colon"),
        ("curl -d @missing.json http://h/", "missing.json"),
        ("curl http://h/ 'unclosed", "quotes"),
        ("curl -d x", "no URL"),
        ("curl ftp://h/x", "http://"),
        ("curl http://h/ -m soon", "'soon' for -m"),
        ("curl http://h/ -L --max-redirs 3000000000", "from 0 to 1000"),
        ("curl http://h/ -H", "-H needs a value"),
        ("wget http://h/", "must start with 'curl'"),
    ],
)
def test_curl_import_rejects(command, message, tmp_path):
    with pytest.raises(CurlImportError, match=message):
        parse_curl_command(command, tmp_path)


def test_curl_import_through_store(tmp_path):
    command = f"curl http://127.0.0.1:1/hook -u 'carol:{CANARY}' -d '{{}}'"
    with Store.open(tmp_path / "studio.sqlite3") as store:
        report = import_text(store, command, tmp_path)
        saved = store.get_webhook(report.imported[0].id)

    assert report.kind is ImportKind.CURL
    assert report.imported[0].name == "127.0.0.1/hook"
    assert saved.webhook.password == CANARY
    assert any("keychain" in warning for warning in report.warnings)


def test_curl_import_chrome_ansi_c_body():
    text = (
        "curl 'http://127.0.0.1:18081/chrome' -H 'content-type: application/json' \\\n"
        """  --data-raw $'{"a":"line1\\\\nline2","b":"it\\'s"}'\n"""
    )
    webhook = parse_curl_command(text).webhook

    assert webhook.body == '{"a":"line1\\nline2","b":"it\'s"}'
    assert json.loads(webhook.body) == {"a": "line1\nline2", "b": "it's"}


def test_curl_import_double_quote_escapes():
    text = (
        'curl "http://127.0.0.1:18081/dq" -H "Content-Type: application/json" '
        '-d "{\\"price\\": \\"\\$5\\", \\"tick\\": \\"\\`x\\`\\"}"'
    )
    webhook = parse_curl_command(text).webhook

    assert webhook.url == "http://127.0.0.1:18081/dq"
    assert webhook.body == '{"price": "$5", "tick": "`x`"}'


# Shell text and the words bash makes of it, as bytes. Every case is free of
# expansions, so bash gives these words too (see the comparison test).
SHELL_WORD_CASES = [
    ("'single $x \\n \"q\"'", [b'single $x \\n "q"']),
    ('"dq \\$ \\` \\" \\\\ \\q end"', [b'dq $ ` " \\ \\q end']),
    ('"line\\\nnext"', [b"linenext"]),
    ("a\\ b c\\'d \\$HOME", [b"a b", b"c'd", b"$HOME"]),
    ("ab\\\ncd  ef", [b"abcd", b"ef"]),
    ("'multi\nline' \"tab\there\"", [b"multi\nline", b"tab\there"]),
    ("$'tab\\there\\nnl\\r'", [b"tab\there\nnl\r"]),
    ("$'\\x41\\x4a\\x4Bz\\xg\\x'", [b"AJKz\\xg\\x"]),
    ("$'\\u00e9\\U0001F600\\u2603\\u'", ["é😀☃\\u".encode()]),
    ("$'\\101\\0101\\18'", [b"A\b1\x018"]),
    ("$'\\e[0m\\E\\a\\b\\f\\v'", [b"\x1b[0m\x1b\a\b\f\v"]),
    ("$'it\\'s \\\"q\\\" \\\\ \\?'", [b'it\'s "q" \\ ?']),
    ("$'a\\0b\\x41'c", [b"ac"]),
    ("$'\\q\\z'", [b"\\q\\z"]),
    ("$'\\cA\\c?\\cz'", [b"\x01\x7f\x1a"]),
    ("$'\\xff\\xc3\\xa9'", [b"\xff\xc3\xa9"]),
    ('x""y \'\' ""', [b"xy", b"", b""]),
    ("a#b #comment 'not a word'", [b"a#b"]),
    ('$"locale $ string"', [b"locale $ string"]),
    ("\"$'not ansi'\"", [b"$'not ansi'"]),
    ("pre'sq'\"dq\"$'\\t'post", [b"presqdq\tpost"]),
    ("end\\", [b"end\\"]),
    ("'a;b|c&d' \"<x>\"", [b"a;b|c&d", b"<x>"]),
]


def _word_bytes(text: str) -> list[bytes]:
    return [word.encode("utf-8", "surrogateescape") for word in split_shell_words(text)]


@pytest.mark.parametrize(("text", "words"), SHELL_WORD_CASES)
def test_shell_words_cases(text, words):
    assert _word_bytes(text) == words


def _bash_words(text: str) -> list[bytes]:
    """Return the words bash makes of `text`, in a UTF-8 locale."""
    completed = subprocess.run(
        ["bash", "-c", "printf '%s\\0' " + text],
        capture_output=True,
        env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
        timeout=30,
        check=True,
    )
    return completed.stdout.split(b"\0")[:-1]


@functools.cache
def _bash_has_unicode_escapes() -> bool:
    return _bash_words("$'\\u00e9'") == ["é".encode()]


@needs_bash
@pytest.mark.parametrize(("text", "words"), SHELL_WORD_CASES)
def test_shell_words_match_bash(text, words):
    if not _bash_has_unicode_escapes():
        pytest.skip("this bash has no \\u escapes or no C.UTF-8 locale")

    bash = _bash_words(text)

    assert bash == words
    assert _word_bytes(text) == bash


def test_shell_words_new_line_separates():
    # bash would run "two" as a second command; the import reads one command.
    assert split_shell_words("one # comment\ntwo\r\nthree \\\r\n four") == [
        "one",
        "two",
        "three",
        "four",
    ]


@pytest.mark.parametrize("text", ["'open", '"open', "$'open", '"a\\"', "$'a\\'"])
def test_shell_words_unclosed(text):
    with pytest.raises(ShellSyntaxError, match="no closing quote"):
        split_shell_words(text)


def test_curl_import_warns_local_file(tmp_path):
    (tmp_path / "hostname").write_text("box-17\n")
    path = tmp_path / "hostname"

    parsed = parse_curl_command(f"curl http://h/ -d @{path}", tmp_path)

    assert parsed.webhook.body == "box-17"
    assert parsed.warnings[0] == (
        f"-d @{path} reads the local file {path}, and its content was saved as the "
        "webhook's body; check that the body contains only what the endpoint "
        "should receive."
    )


def test_curl_import_warns_json_file(tmp_path):
    (tmp_path / "event.json").write_text('{"a": 1}')

    parsed = parse_curl_command("curl http://h/ --json @event.json", tmp_path)

    assert any(
        warning.startswith("--json @event.json reads the local file")
        for warning in parsed.warnings
    )


def test_curl_import_warns_default_topic():
    parsed = parse_curl_command("curl http://h/ -H 'Content-Type: application/json'")

    assert parsed.webhook.topic_key == "user.created"
    assert parsed.warnings[-1] == TOPIC_WARNING


def test_curl_import_report_has_topic_warning(tmp_path):
    with Store.open(tmp_path / "studio.sqlite3") as store:
        report = import_text(store, "curl http://127.0.0.1:1/in -d '{}'", tmp_path)

    assert TOPIC_WARNING in report.warnings


def test_curl_import_keeps_no_break_space():
    text = "curl -H 'X-A: \ta\u00a0 ' http://127.0.0.1:9/hook"

    imported = parse_curl_command(text).webhook

    assert [(row.name, row.value) for row in imported.headers] == [("X-A", "a\u00a0")]
