"""The history, export and import sub-commands: output and exit status."""

import json
import os
import sqlite3
import stat
import sys

import pytest

from bchook_studio.cli import main
from bchook_studio.core.delivery.request import Timeouts
from bchook_studio.core.export.definitions import WebhookDefinition, definitions_to_json
from bchook_studio.core.store import Store, record_delivery_quietly
from bchook_studio.core.store.migrations import SCHEMA_VERSION
from bchook_studio.core.webhook import Webhook
from tests.store_fixtures import CANARY, failed_result, sample_result, use_keyring


def run_cli(capsysbinary, *arguments: str) -> tuple[int, str, str]:
    status = main(list(arguments))
    captured = capsysbinary.readouterr()
    return status, captured.out.decode("utf-8"), captured.err.decode("utf-8")


@pytest.fixture
def recorded(app_home):
    """Record a success and a failure; return their history ids, oldest first."""
    first = sample_result(body=b'{"ok": true}')
    assert (
        record_delivery_quietly(first, webhook_name=None, topic_key="user.created")
        is None
    )
    assert (
        record_delivery_quietly(
            failed_result(), webhook_name="Orders", topic_key="sale.new"
        )
        is None
    )
    with Store.open() as store:
        return [entry.id for entry in reversed(store.history.query())]


def _newest_entry_id() -> int:
    with Store.open() as store:
        return store.history.query()[0].id


def _make_newer(app_home) -> None:
    Store.open().close()
    connection = sqlite3.connect(app_home / "studio.sqlite3")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()


def test_history_json_fields(capsysbinary, recorded):
    status, out, err = run_cli(capsysbinary, "history", "--json")
    records = json.loads(out)

    assert status == 0
    assert err == ""
    assert [record["id"] for record in records] == recorded[::-1]
    assert set(records[0]) == {
        "id",
        "time",
        "webhook",
        "topic",
        "method",
        "url",
        "status",
        "kind",
        "elapsed_ms",
    }
    failed, succeeded = records
    assert failed["status"] is None
    assert failed["kind"] == "refused"
    assert failed["webhook"] == "Orders"
    assert succeeded["status"] == 200
    assert succeeded["kind"] is None
    assert succeeded["webhook"] is None
    assert succeeded["time"] == "2026-12-04T16:12:00.123Z"
    assert succeeded["elapsed_ms"] == 42.5
    assert succeeded["method"] == "POST"


def test_history_limit_and_filter(capsysbinary, recorded):
    _, limited, _ = run_cli(capsysbinary, "history", "--json", "--limit", "1")
    _, failed, _ = run_cli(capsysbinary, "history", "--json", "--status", "failed")

    assert [record["id"] for record in json.loads(limited)] == [recorded[1]]
    assert [record["kind"] for record in json.loads(failed)] == ["refused"]


def test_history_table(capsysbinary, recorded):
    status, out, _ = run_cli(capsysbinary, "history")
    lines = out.splitlines()

    assert status == 0
    assert lines[0].split() == [
        "ID",
        "TIME",
        "RESULT",
        "ELAPSED",
        "WEBHOOK",
        "TOPIC",
        "REQUEST",
    ]
    assert len(lines) == 3
    assert "refused" in lines[1]
    assert "Basic" not in out


def test_history_bad_limit_is_usage_error(capsysbinary, app_home):
    status, _, err = run_cli(capsysbinary, "history", "--limit", "0")

    assert status == 2
    assert err.startswith("bchook-studio: error: ")
    assert "'0'" in err


def test_history_bad_status_is_usage_error(capsysbinary, app_home):
    status, _, err = run_cli(capsysbinary, "history", "--status", "ok")

    assert status == 2
    assert "'ok'" in err


@pytest.mark.parametrize("export_format", ["curl", "har", "text", "powershell"])
def test_export_formats(capsysbinary, recorded, export_format):
    status, out, err = run_cli(
        capsysbinary, "export", str(recorded[0]), "--as", export_format
    )

    assert status == 0
    assert err == ""
    assert "token=********" in out  # a token query value is masked by convention
    assert "tok-value" not in out
    assert "pass-word" not in out
    assert "cGFzcy13b3Jk" not in out
    if export_format == "har":
        assert json.loads(out)["log"]["entries"][0]["response"]["status"] == 200
    if export_format == "curl":
        assert "-u 'carol:********'" in out


def test_export_to_file(capsysbinary, recorded, tmp_path):
    target = tmp_path / "delivery.har"
    status, out, _ = run_cli(
        capsysbinary, "export", str(recorded[1]), "--as", "har", "--output", str(target)
    )
    document = json.loads(target.read_text())

    assert status == 0
    assert out == ""
    assert document["log"]["entries"][0]["response"]["status"] == 0
    assert document["log"]["entries"][0]["response"]["_error"].startswith("refused:")


def test_export_binary_body_file(capsysbinary, app_home, tmp_path):
    result = sample_result(request_body=b"\x00\x01binary")
    record_delivery_quietly(result, webhook_name=None, topic_key="x")
    target = tmp_path / "send.sh"

    status, _, err = run_cli(capsysbinary, "export", "1", "--output", str(target))
    body_file = tmp_path / "send-body.bin"

    assert status == 0
    assert body_file.read_bytes() == b"\x00\x01binary"
    assert f"--data-binary '@{body_file}'" in target.read_text()
    assert err.startswith("warning: the body cannot be part of the command")


def test_export_output_folder_writes_nothing(capsysbinary, app_home, tmp_path):
    result = sample_result(request_body=b"\x00\x01binary")
    record_delivery_quietly(result, webhook_name=None, topic_key="x")
    folder = tmp_path / "out"
    folder.mkdir()

    status, _, err = run_cli(capsysbinary, "export", "1", "--output", str(folder))

    assert status == 2
    assert f"--output {folder} is a folder" in err
    assert f"such as {folder / 'delivery-1.txt'}" in err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_export_webhooks_missing_folder(capsysbinary, app_home, tmp_path):
    target = tmp_path / "nope" / "hooks.json"

    status, _, err = run_cli(capsysbinary, "export", "--webhooks", str(target))

    assert status == 2
    assert f"the folder {target.parent} does not exist" in err


def test_export_unknown_id_exit_2(capsysbinary, recorded):
    status, out, err = run_cli(capsysbinary, "export", "999")

    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "999" in err


def test_export_invalid_id_exit_2(capsysbinary, app_home):
    status, _, err = run_cli(capsysbinary, "export", "abc")

    assert status == 2
    assert "'abc'" in err


def test_export_needs_id_or_webhooks(capsysbinary, app_home):
    status, _, err = run_cli(capsysbinary, "export")

    assert status == 2
    assert "--webhooks" in err


def test_export_show_secrets_needs_source(capsysbinary, recorded):
    status, out, err = run_cli(
        capsysbinary, "export", str(recorded[0]), "--show-secrets"
    )

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: cannot show the secrets")
    assert err.count("\n") == 1


def test_export_webhooks_file(capsysbinary, app_home, tmp_path):
    with Store.open() as store:
        store.save_webhook(Webhook(name="One", password=CANARY, auth_enabled=True))
        store.save_webhook(Webhook(name="Two"))
    target = tmp_path / "webhooks.json"

    status, out, _ = run_cli(capsysbinary, "export", "--webhooks", str(target))
    document = json.loads(target.read_text())

    assert status == 0
    assert out == f"exported 2 webhooks to {target}\n"
    assert [item["webhook"]["name"] for item in document["webhooks"]] == ["One", "Two"]
    assert CANARY not in target.read_text()


def test_import_definitions(capsysbinary, app_home, tmp_path):
    source = tmp_path / "in.json"
    source.write_text(
        definitions_to_json([WebhookDefinition(Webhook(name="Imported"))]),
        encoding="utf-8",
    )

    first = run_cli(capsysbinary, "import", str(source))
    second = run_cli(capsysbinary, "import", str(source))

    assert first == (0, "Imported\n", "")
    assert second == (0, "Imported (2)\n", "")


SPOOFED_NAME = "\u009b2Jinvoice\u202egnp.exe"
# Webhook names reject every character a terminal would get escaped, so an
# accepted name, here Persian with ZERO WIDTH NON-JOINER, prints unchanged.
SCRIPT_NAME = "سفارش\u200cها"
"""A webhook name that starts with an 8-bit CSI (U+009B) and that a terminal
shows as "invoiceexe.png", because U+202E reverses the rest of the line."""


def test_import_script_name_on_terminal(capsysbinary, app_home, tmp_path, monkeypatch):
    source = tmp_path / "in.json"
    source.write_text(
        definitions_to_json([WebhookDefinition(Webhook(name=SCRIPT_NAME))]),
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    status, out, err = run_cli(capsysbinary, "import", str(source))

    assert status == 0
    assert out == f"{SCRIPT_NAME}\n"
    assert err == ""


def test_import_name_unchanged_in_pipe(capsysbinary, app_home, tmp_path, monkeypatch):
    source = tmp_path / "in.json"
    source.write_text(
        definitions_to_json([WebhookDefinition(Webhook(name=SCRIPT_NAME))]),
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)

    status, out, _ = run_cli(capsysbinary, "import", str(source))

    assert status == 0
    assert out == f"{SCRIPT_NAME}\n"


@pytest.mark.parametrize(
    ("name", "named"),
    [(SPOOFED_NAME, "U+009B"), ("Pro\u200bd", "U+200B"), ("Tag\U000e0041", "U+E0041")],
)
def test_import_rejects_invisible_name(capsysbinary, app_home, tmp_path, name, named):
    source = tmp_path / "in.json"
    source.write_text(
        definitions_to_json([WebhookDefinition(Webhook(name=name))]),
        encoding="utf-8",
    )

    status, out, err = run_cli(capsysbinary, "import", str(source))

    assert status != 0
    assert out == ""
    assert named in err


def test_import_curl_warns_without_keychain(capsysbinary, app_home, tmp_path):
    source = tmp_path / "command.sh"
    source.write_text(f"curl http://127.0.0.1:1/in -u 'carol:{CANARY}' -d '{{}}'\n")

    status, out, err = run_cli(capsysbinary, "import", str(source))

    assert status == 0
    assert out == "127.0.0.1/in\n"
    assert err.splitlines()[-1] == (
        "warning: no usable keychain was found, so the imported passwords and "
        "secret values are kept in memory for this command only and were not saved."
    )


def test_import_missing_file_exit_2(capsysbinary, app_home, tmp_path):
    status, _, err = run_cli(capsysbinary, "import", str(tmp_path / "nope.json"))

    assert status == 2
    assert "nope.json" in err


def test_import_bad_content_exit_2(capsysbinary, app_home, tmp_path):
    source = tmp_path / "bad.txt"
    source.write_text("curl http://h/ --frobnicate\n")

    status, out, err = run_cli(capsysbinary, "import", str(source))

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: ")
    assert "--frobnicate" in err


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('{"format": 1, "webhooks": 7}', "webhooks"),
        ("{not json", "JSON"),
        ("", "neither"),
        ("echo curl http://h/\n", "neither"),
    ],
)
def test_import_invalid_file_exit_2(capsysbinary, app_home, tmp_path, content, named):
    source = tmp_path / "in.json"
    source.write_text(content, encoding="utf-8")

    status, out, err = run_cli(capsysbinary, "import", str(source))

    assert status == 2
    assert out == ""
    assert err.startswith(f"bchook-studio: error: {source}: ")
    assert named in err
    assert err.count("\n") == 1


def test_import_read_only_exit_1(capsysbinary, app_home, tmp_path):
    _make_newer(app_home)
    source = tmp_path / "in.json"
    source.write_text(definitions_to_json([WebhookDefinition(Webhook(name="A"))]))

    status, _, err = run_cli(capsysbinary, "import", str(source))

    assert status == 1
    assert "warning: the database" in err
    assert f"bchook-studio: error: {source}: webhooks[0] 'A' could not" in err
    assert "cannot save to the database" in err


@pytest.mark.parametrize(
    "text", ["99999999999999999999999", "9223372036854775808", "\uff10\uff14", "1_0"]
)
def test_export_id_out_of_range_exit_2(capsysbinary, recorded, text):
    status, out, err = run_cli(capsysbinary, "export", text)

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: invalid delivery id ")
    assert repr(text) in err
    assert err.count("\n") == 1


def test_export_largest_id_not_found(capsysbinary, recorded):
    status, _, err = run_cli(capsysbinary, "export", "9223372036854775807")

    assert status == 2
    assert "9223372036854775807" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("text", ["99999999999999999999999", "1000001", "\uff12", "-1"])
def test_history_limit_out_of_range_exit_2(capsysbinary, recorded, text):
    status, out, err = run_cli(capsysbinary, "history", "--limit", text)

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: ")
    assert repr(text) in err
    assert "from 1 to 1000000" in err


def test_history_largest_limit(capsysbinary, recorded):
    status, out, _ = run_cli(capsysbinary, "history", "--json", "--limit", "1000000")

    assert status == 0
    assert len(json.loads(out)) == 2


@pytest.mark.parametrize("name", ["sale.new", "SALE.NEW", "new sale", "New Sale"])
def test_history_topic_key_or_title(capsysbinary, recorded, name):
    status, out, _ = run_cli(capsysbinary, "history", "--json", "--topic", name)

    assert status == 0
    assert [record["id"] for record in json.loads(out)] == [recorded[1]]


def test_history_unknown_topic_exit_2(capsysbinary, recorded):
    status, out, err = run_cli(capsysbinary, "history", "--topic", "nope")

    assert status == 2
    assert out == ""
    assert err.startswith("bchook-studio: error: ")
    assert "nope" in err


def test_history_empty_table_header(capsysbinary, app_home):
    status, out, err = run_cli(capsysbinary, "history")

    assert status == 0
    assert err == ""
    header = ["ID", "TIME", "RESULT", "ELAPSED", "WEBHOOK", "TOPIC", "REQUEST"]
    assert out.split() == header
    assert out.count("\n") == 1


def test_history_table_escaped_on_terminal(capsysbinary, app_home, monkeypatch):
    # The history keeps a URL as typed when the delivery failed before sending.
    result = sample_result(url="http://127.0.0.1:9/a\u202eb\u2028c", status=None)
    record_delivery_quietly(result, webhook_name=SPOOFED_NAME, topic_key="sale.new")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    status, out, _ = run_cli(capsysbinary, "history")
    row = out.splitlines()[1]

    assert status == 0
    assert "\\x9b2Jinvoice\\u202egnp.exe" in row
    assert "POST http://127.0.0.1:9/a\\u202eb\\u2028c" in row
    assert "\u202e" not in out
    assert len(out.splitlines()) == 2


def test_history_table_unchanged_in_pipe(capsysbinary, app_home, monkeypatch):
    result = sample_result(url="http://127.0.0.1:9/a\u202eb", status=None)
    record_delivery_quietly(result, webhook_name=SPOOFED_NAME, topic_key="sale.new")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)

    status, out, _ = run_cli(capsysbinary, "history")

    assert status == 0
    assert SPOOFED_NAME in out
    assert "POST http://127.0.0.1:9/a\u202eb" in out


def test_history_empty_json(capsysbinary, app_home):
    status, out, _ = run_cli(capsysbinary, "history", "--json")

    assert status == 0
    assert out == "[]\n"


def test_export_crlf_body_inline(capsysbinary, app_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = b'{\r\n  "a": 1,\t"b": "\xc3\xbc"\r\n}\r\n'
    record_delivery_quietly(
        sample_result(request_body=body), webhook_name=None, topic_key="sale.new"
    )

    status, out, err = run_cli(capsysbinary, "export", "1")

    assert status == 0
    assert err == ""
    assert list(tmp_path.iterdir()) == []
    assert "--data-binary '" + body.decode() + "'" in out


def test_export_binary_body_relative(capsysbinary, app_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record_delivery_quietly(
        sample_result(request_body=b"\x00\x01binary"),
        webhook_name=None,
        topic_key="sale.new",
    )

    status, out, err = run_cli(capsysbinary, "export", "1")

    assert status == 0
    assert (tmp_path / "delivery-1-body.bin").read_bytes() == b"\x00\x01binary"
    assert "--data-binary '@delivery-1-body.bin'" in out
    assert str(tmp_path) not in out
    assert err.startswith("warning: the body cannot be part of the command")


def test_export_help_names_body_file(capsysbinary):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsysbinary.readouterr().out.decode().split())

    assert "written to a file beside --output FILE" in out
    assert "into the current folder" in out
    assert "--data-binary @FILE" in out


def test_export_show_secrets_differs_in_secrets(capsysbinary, app_home):
    with use_keyring():
        with Store.open() as store:
            webhook_id = store.save_webhook(
                Webhook(
                    name="Orders",
                    url="http://127.0.0.1:9/hook?token=tok-value&x=1",
                    auth_enabled=True,
                    username="carol",
                    password="pass-word",
                    timeouts=Timeouts(5.0, 60.0),
                )
            )
        record_delivery_quietly(
            sample_result(),
            webhook_name="Orders",
            topic_key="sale.new",
            webhook_id=webhook_id,
        )
        _, masked, _ = run_cli(capsysbinary, "export", "1")
        status, unmasked, err = run_cli(capsysbinary, "export", "1", "--show-secrets")

    changed = [
        (before, after)
        for before, after in zip(
            masked.splitlines(), unmasked.splitlines(), strict=True
        )
        if before != after
    ]
    assert status == 0, err
    assert changed == [
        (
            "curl 'http://127.0.0.1:9/hook?token=********&x=1' \\",
            "curl 'http://127.0.0.1:9/hook?token=tok-value&x=1' \\",
        ),
        ("  -u 'carol:********' \\", "  -u 'carol:pass-word' \\"),
    ]
    assert "--max-time" not in unmasked


def test_history_unopenable_database_exit_1(capsysbinary, app_home):
    (app_home / "studio.sqlite3").mkdir()

    status, out, err = run_cli(capsysbinary, "history")

    assert status == 1
    assert out == ""
    assert err.startswith("bchook-studio: error: cannot open the database ")
    assert err.count("\n") == 1


def _two_definitions(tmp_path, field: str, value: object):
    """Write a definitions file whose second webhook has `field` set to `value`."""
    text = definitions_to_json(
        [WebhookDefinition(Webhook(name="First")), WebhookDefinition(Webhook())]
    )
    document = json.loads(text)
    document["webhooks"][1]["webhook"][field] = value
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    return source


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [("name", "bad\u0001", "'bad\\x01'"), ("body_format", "yaml", "'yaml'")],
)
def test_import_bad_entry_exit_2_saves_none(
    capsysbinary, app_home, tmp_path, field, value, named
):
    source = _two_definitions(tmp_path, field, value)

    status, out, err = run_cli(capsysbinary, "import", str(source))
    with Store.open() as store:
        saved = store.list_webhooks()

    assert status == 2
    assert out == ""
    assert err.startswith(f"bchook-studio: error: {source}: webhooks[1]: ")
    assert named in err
    assert err.count("\n") == 1
    assert saved == []


def test_export_webhooks_to_stdout(capsysbinary, app_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Store.open() as store:
        store.save_webhook(Webhook(name="One"))

    status, out, err = run_cli(capsysbinary, "export", "--webhooks", "-")
    document = json.loads(out)

    assert status == 0
    assert err == ""
    assert [item["webhook"]["name"] for item in document["webhooks"]] == ["One"]
    assert not (tmp_path / "-").exists()


def test_export_output_dash_is_stdout(capsysbinary, recorded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    status, out, _ = run_cli(
        capsysbinary, "export", str(recorded[1]), "--as", "har", "--output", "-"
    )

    assert status == 0
    assert json.loads(out)["log"]["entries"][0]["response"]["status"] == 0
    assert not (tmp_path / "-").exists()


def test_export_one_webhook_singular(capsysbinary, app_home, tmp_path):
    with Store.open() as store:
        store.save_webhook(Webhook(name="One"))
    target = tmp_path / "webhooks.json"

    status, out, _ = run_cli(capsysbinary, "export", "--webhooks", str(target))

    assert status == 0
    assert out == f"exported 1 webhook to {target}\n"


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_export_file_modes(capsysbinary, app_home, tmp_path, umask_022):
    masked = tmp_path / "masked.json"
    private = tmp_path / "private.json"
    with use_keyring():
        with Store.open() as store:
            webhook = Webhook(name="One", password=CANARY, auth_enabled=True)
            store.save_webhook(webhook)
        run_cli(capsysbinary, "export", "--webhooks", str(masked))
        run_cli(capsysbinary, "export", "--webhooks", str(private), "--with-secrets")

    assert CANARY in private.read_text()
    assert _mode(masked) == 0o644
    assert _mode(private) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_export_delivery_file_mode(capsysbinary, recorded, tmp_path, umask_022):
    target = tmp_path / "send.sh"

    status, _, _ = run_cli(
        capsysbinary, "export", str(recorded[0]), "--output", str(target)
    )

    assert status == 0
    assert _mode(target) == 0o644


@pytest.mark.parametrize("export_format", ["text", "har"])
def test_export_escaped_on_terminal(capsysbinary, app_home, monkeypatch, export_format):
    result = sample_result(body=b'{"note": "\x1b[2Jpaid\xe2\x80\xae00.01"}')
    record_delivery_quietly(result, webhook_name="Hook", topic_key="sale.new")
    entry_id = _newest_entry_id()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    status, out, _ = run_cli(
        capsysbinary, "export", str(entry_id), "--as", export_format
    )

    assert status == 0
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "\\u202e" in out


def test_export_text_unchanged_in_pipe(capsysbinary, app_home, monkeypatch):
    result = sample_result(body=b'{"note": "paid\xe2\x80\xae00.01"}')
    record_delivery_quietly(result, webhook_name="Hook", topic_key="sale.new")
    entry_id = _newest_entry_id()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)

    status, out, _ = run_cli(capsysbinary, "export", str(entry_id), "--as", "text")

    assert status == 0
    assert "paid\u202e00.01" in out
