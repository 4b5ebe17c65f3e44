"""The command line as scripts use it: output, exit status and error lines."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from bchook_studio.cli import main
from bchook_studio.cli.commands.check import _Printer
from bchook_studio.cli.commands.send import report
from bchook_studio.cli.output import escape_controls, format_mib, warning
from bchook_studio.core.caps import format_size, format_sizes_apart
from bchook_studio.core.check import TopicResult, Verdict
from bchook_studio.core.topics import all_topics, find_topic
from tests.servers import RawServer, never_answer, respond
from tests.store_fixtures import sample_result


def run_cli(capsysbinary, *arguments: str) -> tuple[int, str, str]:
    status = main(list(arguments))
    captured = capsysbinary.readouterr()
    return status, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def test_topics_json_fields(capsysbinary):
    status, out, err = run_cli(capsysbinary, "topics", "--json")

    records = json.loads(out)
    assert status == 0
    assert err == ""
    assert len(records) == 24
    assert [r["key"] for r in records] == [t.key for t in all_topics()]
    assert set(records[0]) == {
        "key",
        "title",
        "trigger",
        "resource",
        "action",
        "group",
        "notes",
    }


def test_topics_table_lists_every_key(capsysbinary):
    status, out, _ = run_cli(capsysbinary, "topics")

    assert status == 0
    assert len(out.splitlines()) == 24
    assert out.splitlines()[-1].startswith("sale.new")


def test_show_json_matches_example(capsysbinary):
    status, out, _ = run_cli(capsysbinary, "show", "course.created")

    assert status == 0
    assert out == find_topic("course.created").example_text()
    assert out.endswith("}\n")


def test_show_accepts_title_any_case(capsysbinary):
    status, out, _ = run_cli(capsysbinary, "show", "course CREATED")

    assert status == 0
    assert json.loads(out)["resource"] == "course"


def test_show_xml_layout(capsysbinary):
    status, out, _ = run_cli(capsysbinary, "show", "sale.new", "--format", "xml")

    assert status == 0
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<webhook>\n  <id>')
    assert out.endswith("</webhook>\n")
    assert '<items type="array">' in out


def test_show_unknown_topic_is_usage_error(capsysbinary):
    status, out, err = run_cli(capsysbinary, "show", "nope")

    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("bchook-studio: error: unknown topic 'nope'")


def test_usage_error_keeps_inner_spaces(capsysbinary):
    status, _, err = run_cli(capsysbinary, "show", "new  sale")

    assert status == 2
    assert "unknown topic 'new  sale'" in err


def test_unknown_option_is_one_line(capsysbinary):
    status, _, err = run_cli(capsysbinary, "show", "sale.new", "--format", "yaml")

    assert status == 2
    assert err.count("\n") == 1
    assert err.startswith("bchook-studio: error: ")
    assert "'yaml'" in err


def test_send_prints_status_headers_body(capsysbinary):
    answer = respond(
        "201 Created", b'{"ok":true}', {"Content-Type": "application/json"}
    )
    with RawServer(answer) as server:
        status, out, err = run_cli(
            capsysbinary, "send", "course.created", "--url", server.url
        )

    head, _, body = out.partition("\n\n")
    assert status == 0
    assert err == ""
    assert head.splitlines()[0] == "HTTP/1.1 201 Created"
    assert "Content-Type: application/json" in head.splitlines()
    assert body == '{"ok":true}'
    sent = server.requests[0].body.decode()
    assert sent == find_topic("course.created").example_text()


def test_send_xml_with_basic_auth(capsysbinary, monkeypatch):
    monkeypatch.setenv("HOOK_PASSWORD", "pässwörd")
    with RawServer(respond("200 OK", b"")) as server:
        status, _, _ = run_cli(
            capsysbinary,
            "send",
            "Course Created",
            "--url",
            server.url,
            "--format",
            "xml",
            "--user",
            "user",
            "--password-env",
            "HOOK_PASSWORD",
        )

    received = server.requests[0]
    assert status == 0
    assert received.headers["authorization"] == "Basic dXNlcjpww6Rzc3fDtnJk"
    assert received.headers["content-type"] == "application/xml"
    assert received.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_send_non_2xx_exits_1_without_error_line(capsysbinary):
    with RawServer(respond("503 Service Unavailable", b"busy")) as server:
        status, out, err = run_cli(
            capsysbinary, "send", "sale.new", "--url", server.url
        )

    assert status == 1
    assert out.startswith("HTTP/1.1 503 Service Unavailable\n")
    assert "error:" not in err


def test_send_refused_prints_error_kind(capsysbinary, unused_port):
    status, out, err = run_cli(
        capsysbinary, "send", "sale.new", "--url", f"http://127.0.0.1:{unused_port}/"
    )

    assert status == 1
    assert out == ""
    assert err.startswith("error: refused: ")
    assert err.count("\n") == 1


def test_send_unset_password_variable(capsysbinary, monkeypatch):
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--user",
        "carol",
        "--password-env",
        "NOT_SET_ANYWHERE",
    )

    assert status == 2
    assert "NOT_SET_ANYWHERE" in err
    assert err.startswith("bchook-studio: error: ")


def test_send_user_without_password_env(capsysbinary):
    status, _, err = run_cli(
        capsysbinary, "send", "sale.new", "--url", "http://127.0.0.1:9/", "--user", "a"
    )

    assert status == 2
    assert "--password-env" in err


def test_send_missing_body_file(capsysbinary, tmp_path):
    missing = tmp_path / "absent.json"
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--body",
        str(missing),
    )

    assert status == 2
    assert str(missing) in err


def test_send_malformed_body_refused(capsysbinary, tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{\n  "a": 1,\n  "b" 2\n}\n')
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary, "send", "sale.new", "--url", server.url, "--body", str(body)
        )

    assert status == 1
    assert err.startswith(f"{body}:3:")
    assert server.requests == []


def test_send_malformed_body_when_asked(capsysbinary, tmp_path):
    body = tmp_path / "body.json"
    body.write_bytes(b'{"a": }')
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--body",
            str(body),
            "--send-malformed",
        )

    assert status == 0
    assert server.requests[0].body == b'{"a": }'
    assert "warning: " in err


def test_send_reserved_header_is_usage_error(capsysbinary):
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--header",
        "Host: evil",
    )

    assert status == 2
    assert "'Host'" in err


def test_send_binary_response_summarised(capsysbinary):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    with RawServer(respond("200 OK", png, {"Content-Type": "image/png"})) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    assert status == 0
    assert out.endswith("\n\n[binary body: image/png, 108 B]\n")


def test_send_invalid_url(capsysbinary):
    status, _, err = run_cli(capsysbinary, "send", "sale.new", "--url", "example.com")

    assert status == 1
    assert err.startswith("error: invalid_url: ")


def test_module_entry_point_version():
    completed = subprocess.run(
        [sys.executable, "-m", "bchook_studio", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0
    assert completed.stdout.startswith("bchook-studio ")


@pytest.fixture
def unused_port():
    import socket

    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_send_user_with_colon_exit_2(capsysbinary, monkeypatch):
    monkeypatch.setenv("HOOK_PASSWORD", "pw")
    status, out, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--user",
        "a:b",
        "--password-env",
        "HOOK_PASSWORD",
    )

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: ")
    assert "'a:b'" in err
    assert err.count("\n") == 1


def test_send_empty_password_env_name(capsysbinary):
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--user",
        "a",
        "--password-env",
        "",
    )

    assert status == 2
    assert "--password-env names no variable: the name is empty" in err


@pytest.mark.parametrize("value", ["inf", "nan", "1e999"])
def test_send_timeout_not_finite(capsysbinary, value):
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--timeout",
        value,
    )

    assert status == 2
    assert f"{value!r}; it is not a finite number" in err


def test_send_empty_body_has_column(capsysbinary, tmp_path):
    body = tmp_path / "empty.json"
    body.write_bytes(b"")
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--body",
        str(body),
    )

    assert status == 1
    assert err == f"{body}:1:1: the document is empty\n"


HOSTILE_BODY = "\x1b]0;pwned\x07 \rOVERWRITE\r\nnext\tline\n\u009b2J".encode()


def hostile_answer():
    return respond(
        "200 O\x1b]0;title\x07K",
        HOSTILE_BODY,
        {"Content-Type": "text/plain; charset=utf-8", "X-Evil": "a\x1b[31mred"},
    )


def test_send_escapes_controls_on_terminal(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with RawServer(hostile_answer()) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    head, _, body = out.partition("\n\n")
    assert status == 0
    assert head.splitlines()[0] == "HTTP/1.1 200 O\\x1b]0;title\\x07K"
    assert "X-Evil: a\\x1b[31mred" in head.splitlines()
    assert body == "\\x1b]0;pwned\\x07 \\x0dOVERWRITE\r\nnext\tline\n\\x9b2J"


def test_send_pipe_keeps_body_escapes_head(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    with RawServer(hostile_answer()) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    head, _, body = out.partition("\n\n")
    assert status == 0
    assert head.splitlines()[0] == "HTTP/1.1 200 O\\x1b]0;title\\x07K"
    assert "X-Evil: a\\x1b[31mred" in head.splitlines()
    assert body.encode("utf-8") == HOSTILE_BODY


SPOOFING_BODY = "total: 100\u202e00.1\u2066 \u2028fake line\n".encode()


def spoofing_answer():
    # The header value is written as UTF-8 bytes, which `respond` sends as Latin-1.
    header = "a\u202eb\u2069".encode().decode("latin-1")
    return respond(
        "200 OK", SPOOFING_BODY, {"Content-Type": "text/plain", "X-Bidi": header}
    )


def test_send_escapes_bidi_on_terminal(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with RawServer(spoofing_answer()) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    head, _, body = out.partition("\n\n")
    assert status == 0
    assert "X-Bidi: a\\u202eb\\u2069" in head.splitlines()
    assert body == "total: 100\\u202e00.1\\u2066 \\u2028fake line\n"


def test_send_pipe_escapes_bidi_in_head_only(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    with RawServer(spoofing_answer()) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    head, _, body = out.partition("\n\n")
    assert status == 0
    assert "X-Bidi: a\\u202eb\\u2069" in head.splitlines()
    assert body.encode("utf-8") == SPOOFING_BODY


def test_escape_controls_cases():
    assert escape_controls("a\x1b[31mb") == "a\\x1b[31mb"
    assert escape_controls("tab\tkept") == "tab\tkept"
    assert escape_controls("one\nline") == "one\\x0aline"
    assert escape_controls("\x00\x7f\u0085\u009f") == "\\x00\\x7f\\x85\\x9f"
    assert escape_controls("\u00a0é 日本") == "\u00a0é 日本"
    assert escape_controls("a\r\nb\rc\n", multiline=True) == "a\r\nb\\x0dc\n"


BIDI_AND_SEPARATORS = [
    "\u061c",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u2028",
    "\u2029",
]


@pytest.mark.parametrize("char", BIDI_AND_SEPARATORS)
def test_escape_controls_bidi_and_separators(char):
    expected = f"a\\u{ord(char):04x}b"

    assert escape_controls(f"a{char}b") == expected
    assert escape_controls(f"a{char}b", multiline=True) == expected


def test_escape_controls_format_characters():
    assert escape_controls("\ufeffbom") == "\\ufeffbom"
    assert escape_controls("zero\u200bwidth") == "zero\\u200bwidth"
    assert escape_controls("word\u2060joiner") == "word\\u2060joiner"
    assert escape_controls("soft\u00adhyphen") == "soft\\xadhyphen"
    assert escape_controls("next\u0085line") == "next\\x85line"
    assert escape_controls("tag\U000e0041") == "tag\\U000e0041"


def test_escape_controls_keeps_printable_text():
    samples = [
        "שלום עולם",  # Hebrew, right-to-left letters
        "مرحبا بالعالم",  # Arabic
        "می\u200cخواهم",  # Persian with ZERO WIDTH NON-JOINER
        "क्षत्रिय",  # Devanagari with virama and vowel signs
        "e\u0301 a\u0308",  # combining acute and diaeresis
        "\U0001f469\u200d\U0001f4bb",  # woman technologist: a ZWJ sequence
        "\u2764\ufe0f \U0001f44d\U0001f3fd",  # variation selector, skin tone
        "\U0001f1e9\U0001f1ea",  # flag of Germany: regional indicators
        "日本語\u3000テキスト",  # CJK with an ideographic space
        "\u00a0é",
    ]
    for text in samples:
        assert escape_controls(text) == text
        assert escape_controls(text, multiline=True) == text


def test_escape_controls_multiline_separators():
    text = "a\u2028b\r\nc\u2029d\u202e\n"

    escaped = escape_controls(text, multiline=True)

    assert escaped == "a\\u2028b\r\nc\\u2029d\\u202e\n"


def test_warning_escaped_on_terminal(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    warning("peer said \x1b]0;title\x07")

    assert capsysbinary.readouterr().err == b"warning: peer said \\x1b]0;title\\x07\n"


def test_check_line_escaped_on_terminal(capsysbinary, monkeypatch):
    topic = find_topic("sale.new")
    result = TopicResult(
        topic, "http://h/", Verdict.ERROR, "bad \x1b[2J answer", "protocol"
    )
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _Printer([topic.key]).print_result(result)
    on_terminal = capsysbinary.readouterr().out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    _Printer([topic.key]).print_result(result)
    in_pipe = capsysbinary.readouterr().out

    assert on_terminal == b"ERROR sale.new protocol: bad \\x1b[2J answer\n"
    assert in_pipe == b"ERROR sale.new protocol: bad \x1b[2J answer\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_send_sigterm_exit_130(tmp_path):
    with RawServer(never_answer) as server:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "bchook_studio", "send", "sale.new"),
                *("--url", server.url, "--no-history"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while not server.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)

    assert len(server.requests) == 1
    assert process.returncode == 130
    assert out == b""
    assert b"Traceback" not in err


def test_send_capture_warning_in_mib(capsysbinary):
    result = sample_result(body=b"x" * 1024)
    cut = dataclasses.replace(
        result.response, body=b"x" * (3 * 1024 * 1024), size=3 * 1024 * 1024 + 9
    )
    status = report(
        dataclasses.replace(result, response=dataclasses.replace(cut, truncated=True))
    )
    err = capsysbinary.readouterr().err.decode()

    assert status == 0
    assert err == (
        "warning: the response body is larger than the capture cap of 3 MiB, so "
        "it was cut there and the rest was not read\n"
    )


def test_format_mib_values():
    assert format_mib(50 * 1024 * 1024) == "50 MiB"
    assert format_mib(1536 * 1024) == "1.5 MiB"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (1024 * 1024 - 1, "1 MiB"),
        (50 * 1024 * 1024, "50 MiB"),
        (3 * 1024**3, "3 GiB"),
    ],
)
def test_format_size_binary_units(size, text):
    assert format_size(size) == text


def test_sizes_apart_in_units():
    assert format_sizes_apart(1229, 1024) == ("1.2 KiB", "1 KiB")


def test_sizes_apart_equal_after_rounding():
    assert format_sizes_apart(10_485_773, 10_485_760) == (
        "10,485,773 bytes",
        "10,485,760 bytes",
    )


@pytest.mark.parametrize(
    ("message", "written"),
    [
        ("The database is read-only", "warning: the database is read-only\n"),
        ("TLS is off", "warning: TLS is off\n"),
        ("X-Api-Key not sent", "warning: X-Api-Key not sent\n"),
        ("Authorization not sent", "warning: Authorization not sent\n"),
        ("the body is cut", "warning: the body is cut\n"),
    ],
)
def test_warning_starts_lower_case(capsysbinary, message, written):
    warning(message)

    assert capsysbinary.readouterr().err.decode() == written


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    ("target", "mode", "error"),
    [
        (
            "/dev/full",
            "wb",
            "No space left on device; free space on the disk it goes to, or "
            "redirect it elsewhere",
        ),
        (
            os.devnull,
            "rb",
            "Bad file descriptor; redirect it to a file or a pipe that can be written",
        ),
    ],
    ids=["full", "read-only"],
)
def test_unwritable_stdout_is_one_error_line(target, mode, error):
    with open(target, mode) as stdout:
        completed = subprocess.run(
            [sys.executable, "-m", "bchook_studio", "show", "course.completed"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )

    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        f"bchook-studio: error: cannot write to standard output: {error}"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors")
def test_closed_stdout_is_one_error_line():
    completed = subprocess.run(
        [sys.executable, "-m", "bchook_studio", "topics"],
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.close(1),
    )

    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "bchook-studio: error: standard output is closed; run the command with "
        "its output redirected to a file or a pipe"
    ]


def test_abbreviated_option_is_rejected(capsysbinary):
    status, out, err = run_cli(capsysbinary, "show", "sale.new", "--form", "xml")

    assert status == 2
    assert out == ""
    assert "unrecognized arguments: --form xml" in err


@pytest.mark.parametrize(
    ("environment", "platform", "problem"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "wayland-egl:option"}, "linux", True),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb;offscreen"}, "linux", False),
        ({"DISPLAY": ""}, "freebsd14", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_display_problem_only_without_display(environment, platform, problem):
    from bchook_studio.app import display_problem

    found = display_problem(environment, platform)

    assert (found is not None) == problem


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X11 and Wayland only")
def test_gui_without_display_is_one_error_line():
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bchook_studio"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )

    assert completed.returncode == 1
    assert completed.stderr.startswith(
        "bchook-studio: error: no display to show the window on"
    )
    assert len(completed.stderr.splitlines()) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_output_file_keeps_mode_of_file_replaced(tmp_path):
    from bchook_studio.cli.output import write_output_file

    path = tmp_path / "report.json"
    path.write_text("old")
    path.chmod(0o640)

    write_output_file(path, b"new", private=False)

    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640
