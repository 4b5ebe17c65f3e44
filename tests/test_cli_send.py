"""`send` on the command line: redirects, response headers, header checks, hints."""

import socket
import sys

import pytest

from bchook_studio.cli import main
from bchook_studio.cli.commands.send import flag_hint
from tests.servers import RawServer, ReceivedRequest, respond

SECRET_FLAGS = (
    "--header",
    "X-Auth-Token: tok1",
    "--header",
    "X-Hub-Signature: sha256=abc",
    "--header",
    "Authorization: Bearer b1",
    "--header",
    "X-Trace: visible",
)


def run_cli(capsysbinary, *arguments: str) -> tuple[int, str, str]:
    status = main([*arguments, "--no-history"])
    captured = capsysbinary.readouterr()
    return status, captured.out.decode("utf-8"), captured.err.decode("utf-8")


def redirect_to(location: str):
    return respond("307 Temporary Redirect", b"", {"Location": location})


def raw_answer(head: bytes):
    """Return a behaviour that responds 200 with header lines sent byte for byte."""

    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        start = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n"
        conn.sendall(start + head + b"\r\nok")
        conn.close()

    return behaviour


def test_redirect_cross_origin_drops_secrets(capsysbinary):
    with (
        RawServer(respond("200 OK", b"final")) as second,
        RawServer(redirect_to(second.url)) as first,
    ):
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            first.url,
            "--follow-redirects",
            *SECRET_FLAGS,
        )

    sent_first = first.requests[0].headers
    sent_second = second.requests[0].headers
    assert status == 0
    assert sent_first["x-auth-token"] == "tok1"
    assert sent_first["x-hub-signature"] == "sha256=abc"
    assert "x-auth-token" not in sent_second
    assert "x-hub-signature" not in sent_second
    assert "authorization" not in sent_second
    assert sent_second["x-trace"] == "visible"
    assert err.count("\n") == 1
    assert err.startswith("warning: X-Auth-Token, X-Hub-Signature, Authorization ")
    assert "another origin" in err


def test_redirect_same_origin_keeps_secrets(capsysbinary):
    def behaviour(conn: socket.socket, request: ReceivedRequest) -> None:
        if request.request_line.startswith("POST /hook "):
            redirect_to("/next")(conn, request)
        else:
            respond("200 OK", b"final")(conn, request)

    with RawServer(behaviour) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--follow-redirects",
            *SECRET_FLAGS,
        )

    followed = server.requests[1].headers
    assert status == 0
    assert err == ""
    assert followed["x-auth-token"] == "tok1"
    assert followed["x-hub-signature"] == "sha256=abc"
    assert followed["authorization"] == "Bearer b1"


def test_utf8_response_header_printed(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    head = "X-U: ö\r\n".encode() + "X-L: café\r\n".encode("latin-1")
    with RawServer(raw_answer(head)) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    lines = out.partition("\n\n")[0].splitlines()
    assert status == 0
    assert "X-U: ö" in lines
    assert "X-L: café" in lines


@pytest.mark.parametrize("terminal", [True, False])
def test_response_header_controls_escaped(capsysbinary, monkeypatch, terminal):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: terminal)
    head = b"X-Evil: a\x1b[2Jb\r\nX-Bell: \xc2\x9b7m\x07\r\n"
    with RawServer(raw_answer(head)) as server:
        status, out, _ = run_cli(capsysbinary, "send", "sale.new", "--url", server.url)

    lines = out.partition("\n\n")[0].splitlines()
    assert status == 0
    assert "X-Evil: a\\x1b[2Jb" in lines
    assert "X-Bell: \\x9b7m\\x07" in lines
    assert "\x1b" not in out


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a\x1b[2Jb", "U+001B"),
        ("a\x07", "U+0007"),
        ("a\x7f", "U+007F"),
        ("a\u009b2J", "U+009B"),
        # str.strip() would drop U+0085 at either end of the value.
        ("a\u0085", "U+0085"),
        ("\u0085a", "U+0085"),
    ],
)
def test_header_control_character_rejected(capsysbinary, value, code):
    with RawServer(respond("200 OK", b"")) as server:
        status, out, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--header",
            f"X-A: {value}",
        )

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: the value of header 'X-A' ")
    assert f"control character {code}" in err
    assert err.count("\n") == 1
    assert server.requests == []


def test_header_trims_only_spaces_and_tabs(capsysbinary):
    with RawServer(respond("200 OK", b"")) as server:
        status, _, _ = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--header",
            "X-A: \t \u00a0a b\u3000 \t",
        )

    head = server.requests[0].head
    assert status == 0
    assert "\r\nX-A: \u00a0a b\u3000\r\n".encode() in head


def test_header_tab_accepted(capsysbinary):
    with RawServer(respond("200 OK", b"")) as server:
        status, _, _ = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--header",
            "X-A: a\tb",
        )

    assert status == 0
    assert server.requests[0].headers["x-a"] == "a\tb"


def test_empty_password_variable_warns(capsysbinary, monkeypatch):
    monkeypatch.setenv("HOOK_PASSWORD", "")
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--user",
            "bob",
            "--password-env",
            "HOOK_PASSWORD",
        )

    assert status == 0
    assert err.startswith("warning: the environment variable HOOK_PASSWORD ")
    assert "--password-env is empty" in err
    assert err.count("\n") == 1
    assert server.requests[0].headers["authorization"] == "Basic Ym9iOg=="


def test_send_malformed_one_warning_line(capsysbinary, tmp_path):
    body = tmp_path / "weird.bin"
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
    assert err.startswith(f"warning: {body}:1:7: ")
    assert "--send-malformed" in err
    assert err.count("\n") == 1


def test_xml_with_entity_declaration_sent_with_warning(capsysbinary, tmp_path):
    body = tmp_path / "entities.xml"
    document = b'<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e "x">]>\n<a>&e;</a>\n'
    body.write_bytes(document)
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--format",
            "xml",
            "--body",
            str(body),
        )
        received = server.requests[0].body

    assert status == 0
    assert received == document
    assert err.startswith(f"warning: {body}:")
    assert "may expand the entities" in err
    assert "not well-formed" not in err
    assert err.count("\n") == 1


def send_body_file(capsysbinary, body, *flags: str):
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--body",
            str(body),
            *flags,
        )
    return status, err, server.requests


def test_deep_json_sent_with_warning(capsysbinary, tmp_path):
    body = tmp_path / "deep.json"
    document = b"[" * 1000 + b"]" * 1000
    body.write_bytes(document)

    status, err, requests = send_body_file(capsysbinary, body)

    assert status == 0
    assert requests[0].body == document
    assert err.startswith(f"warning: {body}:1:901: the document nests arrays ")
    assert "the rest of the body was not checked" in err
    assert err.rstrip().endswith("it is sent as written")
    assert "not well-formed" not in err
    assert err.count("\n") == 1


def test_deep_xml_sent_with_warning(capsysbinary, tmp_path):
    body = tmp_path / "deep.xml"
    document = b"<a>" * 300 + b"</a>" * 300
    body.write_bytes(document)

    status, err, requests = send_body_file(capsysbinary, body, "--format", "xml")

    assert status == 0
    assert requests[0].body == document
    assert err.startswith(f"warning: {body}:1:")
    assert "more than 256 levels deep" in err
    assert "the rest of the body was not checked" in err
    assert "not well-formed" not in err
    assert err.count("\n") == 1


def test_long_xml_text_sent_with_warning(capsysbinary, tmp_path):
    body = tmp_path / "long.xml"
    document = b"<a>" + b"x" * 10_000_001 + b"</a>"
    body.write_bytes(document)

    status, err, requests = send_body_file(capsysbinary, body, "--format", "xml")

    assert status == 0
    assert len(requests[0].body) == len(document)
    assert "10,000,000 bytes" in err
    assert "the rest of the body was not checked" in err
    assert "not well-formed" not in err
    assert err.count("\n") == 1


def test_deep_json_warning_ignores_send_malformed(capsysbinary, tmp_path):
    body = tmp_path / "deep.json"
    body.write_bytes(b"[" * 1000 + b"]" * 1000)

    status, err, requests = send_body_file(capsysbinary, body, "--send-malformed")

    assert status == 0
    assert len(requests) == 1
    assert "sent as written" in err
    assert "--send-malformed" not in err
    assert err.count("\n") == 1


def test_malformed_body_still_rejected(capsysbinary, tmp_path):
    body = tmp_path / "broken.json"
    body.write_bytes(b"[" * 10 + b"}")

    status, err, requests = send_body_file(capsysbinary, body)

    assert status == 1
    assert requests == []
    assert err.startswith(f"{body}:1:")
    assert "warning" not in err


def test_receiver_url_is_usage_error(capsysbinary):
    status, _, err = run_cli(
        capsysbinary, "send", "sale.new", "--url", "receiver:/webhook"
    )

    assert status == 2
    assert err.startswith("bchook-studio: error: --url receiver:/webhook names ")
    assert "runs only inside the app" in err
    assert "--url http://127.0.0.1:8765/webhook" in err


def test_invalid_port_names_url_flag(capsysbinary):
    status, _, err = run_cli(
        capsysbinary, "send", "sale.new", "--url", "http://127.0.0.1:abc/"
    )

    assert status == 1
    assert err.startswith("error: invalid_url: ")
    assert "Invalid port: 'abc'" in err
    assert "Check the --url value" in err
    assert err.count("\n") == 1


def test_missing_body_file_says_fix(capsysbinary, tmp_path):
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
    assert f"body file not found: {missing}. Check the path" in err


def test_redirect_limit_names_flag(capsysbinary):
    with RawServer(redirect_to("/again")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--follow-redirects",
            "--max-redirects",
            "1",
        )

    assert status == 1
    assert err.startswith("error: too_many_redirects: ")
    assert "--max-redirects N" in err


def test_read_timeout_names_flag(capsysbinary):
    def silent(conn: socket.socket, request: ReceivedRequest) -> None:
        conn.recv(1)

    with RawServer(silent) as server:
        status, _, err = run_cli(
            capsysbinary, "send", "sale.new", "--url", server.url, "--timeout", "0.3"
        )

    assert status == 1
    assert err.startswith("error: read_timeout: ")
    assert "--timeout SECONDS" in err


def test_total_timeout_prints_partial_response(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)

    def stall(conn: socket.socket, request: ReceivedRequest) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nX-Trace: t1\r\n\r\n"
        conn.sendall(head + b"0123456789")
        # Wait up to 10 s for the client to close the connection.
        conn.settimeout(10)
        conn.recv(1)

    with RawServer(stall) as server:
        status, out, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--total-timeout",
            "0.5",
        )

    head, _, body = out.partition("\n\n")
    assert status == 1
    assert head.splitlines() == [
        "HTTP/1.1 200 OK",
        "Content-Length: 100",
        "X-Trace: t1",
    ]
    assert body == "0123456789"
    assert err.startswith("error: total_timeout: The body stopped after 10 bytes")
    assert "total deadline of 0.5 s" in err
    assert "--total-timeout SECONDS" in err
    assert err.count("\n") == 1


def test_proxy_failure_names_flags(capsysbinary, unused_port):
    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/hook",
        "--proxy",
        f"http://127.0.0.1:{unused_port}",
    )

    assert status == 1
    assert err.startswith("error: proxy: ")
    assert "--no-proxy" in err


def test_flag_hint_cases():
    assert "--total-timeout" in flag_hint("total_timeout", "")
    assert "--timeout" in flag_hint("connect_timeout", "")
    assert flag_hint("refused", "") == ""
    assert flag_hint("invalid_url", "The URL 'x' has no scheme. Start …") == ""
    assert flag_hint("invalid_url", "The redirect from a to 'b' is invalid: x") == ""


@pytest.fixture
def unused_port():
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_repeated_header_warned_without_values(capsysbinary):
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--header",
            "X-Token: first-secret",
            "--header",
            "x-token: second-secret",
        )

    head = server.requests[0].head
    assert status == 0
    assert err.startswith(
        "warning: two --header options set 'X-Token' and 'x-token', so both are sent"
    )
    assert "secret" not in err
    assert b"X-Token: first-secret\r\n" in head
    assert b"x-token: second-secret\r\n" in head
