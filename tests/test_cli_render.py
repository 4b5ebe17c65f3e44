"""`render` and `send --template`: output, error lines and exit status."""

import json
import sys

from bchook_studio.cli import main
from bchook_studio.core.bodies import default_body
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.topics import find_topic
from tests.servers import RawServer, respond


def run_cli(capsysbinary, *arguments: str) -> tuple[int, bytes, str]:
    status = main(list(arguments))
    captured = capsysbinary.readouterr()
    return status, captured.out, captured.err.decode("utf-8")


def write(folder, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def test_render_default_equals_show(capsysbinary):
    for body_format in BodyFormat:
        status, out, err = run_cli(
            capsysbinary, "render", "sale.new", "--format", body_format.value
        )

        expected = default_body(find_topic("sale.new"), body_format).encode()
        assert status == 0
        assert err == ""
        assert out == expected


def test_render_template_file(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{"email": "{{ payload.user.email }}"}\n')

    status, out, err = run_cli(
        capsysbinary, "render", "sale.new", "--template", template
    )

    assert status == 0
    assert err == ""
    assert out == b'{"email": "yasin@example.com"}\n'


def test_render_template_error_line(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{\n  "e": "{{ payload.usr.email }}"\n}\n')

    status, out, err = run_cli(
        capsysbinary, "render", "sale.new", "--template", template
    )

    assert status == 1
    assert out == b""
    assert err.count("\n") == 1
    assert err.startswith(f"{template}:2:20: payload has no field 'usr'")


def test_render_syntax_error_without_column(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b"{\n{{ 1 + }}\n}")

    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--template", template)

    assert status == 1
    assert err.startswith(f"{template}:2: ")


def test_render_invalid_event_json(capsysbinary, tmp_path):
    event = write(tmp_path, "event.json", b'{"n": NaN}')

    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--event", event)

    assert status == 2
    assert err.startswith("bchook-studio: error: invalid event file ")
    assert f"{event}:1:7:" in err


def test_render_default_template_error_name(capsysbinary, tmp_path):
    deep = b'{"a": ' + b"[" * 300 + b"]" * 300 + b"}"
    event = write(tmp_path, "event.json", deep)

    status, out, err = run_cli(
        capsysbinary, "render", "sale.new", "--format", "xml", "--event", event
    )

    assert status == 1
    assert out == b""
    assert err.startswith("template:2:1: ")
    assert err.endswith(
        f"(the default template writes the event data as it is: check {event}, "
        "or pass --template)\n"
    )


def test_render_template_error_no_source_note(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{"e": "{{ payload.usr }}"}\n')

    status, _out, err = run_cli(
        capsysbinary, "render", "sale.new", "--template", template
    )

    assert status == 1
    assert "default template" not in err


def test_render_malformed_body_printed(capsysbinary, tmp_path):
    template = write(
        tmp_path, "t.json", b'{\n  "a": {{ payload.total }}\n  "b": 1\n}\n'
    )

    status, out, err = run_cli(
        capsysbinary, "render", "sale.new", "--template", template
    )

    assert status == 1
    assert out == b'{\n  "a": 180\n  "b": 1\n}\n'
    assert err.startswith("body:3:3: the rendered body is not well-formed JSON")


def test_render_deep_json_not_checked(capsysbinary, tmp_path):
    document = b"[" * 1000 + b"]" * 1000
    template = write(tmp_path, "t.json", document)

    status, out, err = run_cli(
        capsysbinary, "render", "sale.new", "--template", template
    )

    assert status == 1
    assert out == document
    assert err.startswith(
        "body:1:901: the rendered body is nested too deeply for Hook Studio's "
        "JSON parser to check: "
    )
    assert "not well-formed" not in err
    assert err.count("\n") == 1


def test_render_deep_xml_not_checked(capsysbinary, tmp_path):
    document = b"<a>" * 300 + b"</a>" * 300
    template = write(tmp_path, "t.xml", document)

    status, out, err = run_cli(
        capsysbinary, "render", "sale.new", "--format", "xml", "--template", template
    )

    assert status == 1
    assert out == document
    assert err.startswith("body:1:")
    assert "nested too deeply for Hook Studio's XML parser to check" in err
    assert "more than 256 levels deep" in err
    assert "not well-formed" not in err


def test_render_event_file(capsysbinary, tmp_path):
    event = write(tmp_path, "event.json", '{"name": "Zoë", "n": 1.50}'.encode())
    template = write(tmp_path, "t.json", b'["{{ name }}", {{ n }}]')

    status, out, _ = run_cli(
        capsysbinary, "render", "sale.new", "--template", template, "--event", event
    )

    assert status == 0
    assert out.decode() == '["Zoë", 1.50]'


def test_render_escaped_on_terminal(capsysbinary, tmp_path, monkeypatch):
    event = write(tmp_path, "event.json", b'{"name": "a\\u202eb\\u009b2J\\u2028c"}')
    template = write(tmp_path, "t.json", b'{\n  "name": "{{ name }}"\n}\n')
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    status, out, _ = run_cli(
        capsysbinary, "render", "sale.new", "--template", template, "--event", event
    )

    assert status == 0
    assert out.decode() == '{\n  "name": "a\\u202eb\\x9b2J\\u2028c"\n}\n'


def test_render_unchanged_in_pipe(capsysbinary, tmp_path, monkeypatch):
    event = write(tmp_path, "event.json", b'{"name": "a\\u202eb\\u009b2J\\u2028c"}')
    template = write(tmp_path, "t.json", b'{\n  "name": "{{ name }}"\n}\n')
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)

    status, out, _ = run_cli(
        capsysbinary, "render", "sale.new", "--template", template, "--event", event
    )

    assert status == 0
    assert out.decode() == '{\n  "name": "a\u202eb\u009b2J\u2028c"\n}\n'


def test_render_event_default_template(capsysbinary, tmp_path):
    event = write(tmp_path, "event.json", b'{"a": [1, 2.50]}')

    status, out, _ = run_cli(capsysbinary, "render", "sale.new", "--event", event)

    assert status == 0
    assert out == b'{\n  "a": [\n    1,\n    2.50\n  ]\n}\n'


def test_render_missing_event_file(capsysbinary, tmp_path):
    missing = str(tmp_path / "absent.json")

    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--event", missing)

    assert status == 2
    assert missing in err


def test_render_event_not_object(capsysbinary, tmp_path):
    event = write(tmp_path, "event.json", b"[1]")

    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--event", event)

    assert status == 2
    assert f"{event}:1:1: the event data is an array" in err


def test_render_template_not_utf8(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{"a": "\xff"}')

    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--template", template)

    assert status == 2
    assert "not valid UTF-8" in err
    assert "line 1, column 8" in err


def test_render_invalid_now(capsysbinary):
    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--now", "yesterday")

    assert status == 2
    assert err.startswith("bchook-studio: error: ")
    assert "'yesterday'" in err


def test_render_now_past_year_9999(capsysbinary):
    moment = "9999-12-31T23:59:59-12:00"

    status, _, err = run_cli(capsysbinary, "render", "sale.new", "--now", moment)

    assert status == 2
    assert f"'{moment}'; in UTC it falls outside the years 1 to 9999" in err


def test_render_now_and_seed_reproducible(capsysbinary, tmp_path):
    template = write(
        tmp_path,
        "t.json",
        b'["{{ studio.now_iso() }}", "{{ studio.uuid() }}"]\n',
    )
    arguments = ("render", "sale.new", "--template", template)
    arguments += ("--now", "2024-05-01T14:00:00+02:00", "--seed", "42")

    first = run_cli(capsysbinary, *arguments)
    second = run_cli(capsysbinary, *arguments)

    assert first == second
    assert json.loads(first[1])[0] == "2024-05-01T12:00:00.000Z"


def test_render_warning_line(capsysbinary, tmp_path):
    event = write(tmp_path, "event.json", b'{"x": "a\\u0001b"}')
    template = write(tmp_path, "t.xml", b"<a>{{ x }}</a>\n")

    status, out, err = run_cli(
        capsysbinary,
        "render",
        "sale.new",
        "--format",
        "xml",
        "--template",
        template,
        "--event",
        event,
    )

    assert status == 0
    assert out.decode() == "<a>a\ufffdb</a>\n"
    assert err.startswith(f"warning: {template}:1:4: the value of x contains U+0001")
    assert err.count("\n") == 1


def test_send_template_byte_for_byte(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{"a": 1}\n')
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--template",
            template,
        )

    sent = server.requests[0].body
    assert status == 0
    assert err == ""
    assert sent == b'{"a": 1}\n'
    assert len(sent) == 9
    assert sent[-1] == 0x0A


def test_send_rendered_template(capsysbinary, tmp_path):
    template = write(
        tmp_path,
        "t.json",
        b'{\r\n  "to": "{{ payload.user.email }}",\r\n  "n": {{ n }}\r\n}',
    )
    event = write(
        tmp_path, "event.json", b'{"n": 1e2, "payload": {"user": {"email": "q\\"@x"}}}'
    )
    with RawServer(respond("200 OK", b"")) as server:
        status, _, _ = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--template",
            template,
            "--event",
            event,
        )

    assert status == 0
    assert server.requests[0].body == b'{\r\n  "to": "q\\"@x",\r\n  "n": 1e2\r\n}'


def test_send_event_without_template(capsysbinary, tmp_path):
    event = write(tmp_path, "event.json", b'{"a": 1}')
    with RawServer(respond("200 OK", b"")) as server:
        status, _, _ = run_cli(
            capsysbinary, "send", "sale.new", "--url", server.url, "--event", event
        )

    assert status == 0
    assert server.requests[0].body == b'{\n  "a": 1\n}\n'


def test_send_default_body_unchanged(capsysbinary):
    with RawServer(respond("200 OK", b"")) as server:
        status, _, _ = run_cli(
            capsysbinary, "send", "sale.new", "--url", server.url, "--format", "xml"
        )

    expected = default_body(find_topic("sale.new"), BodyFormat.XML).encode()
    assert status == 0
    assert server.requests[0].body == expected


def test_send_template_with_body_is_usage_error(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b"{}")

    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--body",
        template,
        "--template",
        template,
    )

    assert status == 2
    assert err.count("\n") == 1
    assert "--template" in err
    assert "--body" in err


def test_send_event_with_body_is_usage_error(capsysbinary, tmp_path):
    body = write(tmp_path, "b.json", b"{}")

    status, _, err = run_cli(
        capsysbinary,
        "send",
        "sale.new",
        "--url",
        "http://127.0.0.1:9/",
        "--body",
        body,
        "--event",
        body,
    )

    assert status == 2
    assert "--event" in err


def test_send_template_error_sends_nothing(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{"a": {{ nope }}}')
    with RawServer(respond("200 OK", b"")) as server:
        status, out, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--template",
            template,
        )

    assert status == 1
    assert out == b""
    assert err.startswith(f"{template}:1:10: 'nope' is not defined")
    assert server.requests == []


def test_send_malformed_rendered_body_refused(capsysbinary, tmp_path):
    template = write(tmp_path, "t.json", b'{"a": {{ payload.total }} "b": 1}')
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--template",
            template,
        )

    assert status == 1
    assert err.startswith("body:1:11: ")
    assert server.requests == []


def test_send_deep_rendered_body_warned(capsysbinary, tmp_path):
    document = b"[" * 1000 + b"{{ payload.total }}" + b"]" * 1000
    template = write(tmp_path, "t.json", document)
    with RawServer(respond("200 OK", b"")) as server:
        status, _, err = run_cli(
            capsysbinary,
            "send",
            "sale.new",
            "--url",
            server.url,
            "--template",
            template,
        )

    assert status == 0
    assert server.requests[0].body == b"[" * 1000 + b"180" + b"]" * 1000
    assert err.startswith("warning: body:1:901: ")
    assert "sent as written" in err
    assert err.count("\n") == 1
