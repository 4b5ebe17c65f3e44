"""The command line as scripts use it: output, exit status and error lines."""

import json
import subprocess
import sys

import pytest

from bchook_studio.cli import main
from bchook_studio.core.topics import all_topics, find_topic
from tests.servers import RawServer, respond


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
