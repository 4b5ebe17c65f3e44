"""`bchook-studio check` as scripts and CI run it: lines, reports, exit status."""

import json
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from bchook_studio.cli import main
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.store import Store
from bchook_studio.core.topics import all_topics
from bchook_studio.core.webhook import Webhook
from tests.check_server import (
    LIMIT_MS,
    NOT_ROUTED_TOPIC,
    REJECTED_TOPIC,
    SLOW_TOPIC,
    held_topic_server,
    picky_server,
    refused_port,
    request_path,
    slow_server,
)
from tests.store_fixtures import use_keyring

LINE = re.compile(r"^(PASS|FAIL|ERROR) (\S+) ")
SUMMARY = re.compile(r"^\d+ passed, \d+ failed$")
REPOSITORY = Path(__file__).resolve().parent.parent


def run_cli(capsysbinary, *arguments: str) -> tuple[int, list[str], str]:
    status = main(["check", *arguments])
    captured = capsysbinary.readouterr()
    out = captured.out.decode("utf-8")
    return status, out.splitlines(), captured.err.decode("utf-8")


def outcomes(lines: list[str]) -> dict[str, str]:
    """Return {topic key: PASS/FAIL/ERROR} from the topic lines."""
    found = {}
    for line in lines[:-1]:
        match = LINE.match(line)
        assert match is not None, line
        found[match.group(2)] = match.group(1)
    return found


def history_entries() -> list:
    with Store.open() as store:
        return store.history.query(limit=200)


def test_all_pass_exit_0(capsysbinary):
    with picky_server() as server:
        status, lines, err = run_cli(
            capsysbinary,
            "--url",
            server.url + "/{topic}",
            "--topics",
            "user.created,Group Created",
        )

    assert status == 0
    assert err == ""
    assert len(lines) == 3
    (user_line,) = [line for line in lines if " user.created " in line]
    assert re.fullmatch(r"PASS user\.created 200 \d+ ms", user_line)
    assert set(outcomes(lines)) == {"user.created", "group.created"}
    assert lines[-1] == "2 passed, 0 failed"


def test_picky_server_exact_failures(capsysbinary):
    with picky_server() as server:
        status, lines, _err = run_cli(
            capsysbinary, "--url", server.url + "/{topic}", "--max-ms", str(LIMIT_MS)
        )

    found = outcomes(lines)
    failed = {key for key, outcome in found.items() if outcome == "FAIL"}
    assert status == 1
    assert len(found) == 24
    assert failed == {REJECTED_TOPIC, NOT_ROUTED_TOPIC, SLOW_TOPIC}
    assert lines[-1] == "21 passed, 3 failed"
    by_key = {LINE.match(line).group(2): line for line in lines[:-1]}
    assert by_key[REJECTED_TOPIC].endswith(": status 500, expected 2xx")
    assert re.fullmatch(
        rf"FAIL {re.escape(NOT_ROUTED_TOPIC)} 404 \d+ ms: status 404, expected 2xx",
        by_key[NOT_ROUTED_TOPIC],
    )
    assert re.search(r": took [\d,]+ ms, limit 800 ms$", by_key[SLOW_TOPIC])


def test_unreachable_port_errors(capsysbinary):
    with refused_port() as port:
        status, lines, _err = run_cli(
            capsysbinary, "--url", f"http://127.0.0.1:{port}/hook"
        )

    assert status == 1
    assert len(lines) == 25
    assert all(line.startswith("ERROR ") for line in lines[:-1])
    assert all(" refused: " in line for line in lines[:-1])
    assert lines[-1] == "0 passed, 24 failed"


def test_xml_format_and_field(capsysbinary):
    with picky_server() as server:
        status, lines, _err = run_cli(
            capsysbinary,
            "--url",
            server.url,
            "--format",
            "xml",
            "--topics",
            "test.created",
            "--expect-field",
            "/data/status=stored",
            "--expect-body-contains",
            "stored",
        )
        body = server.requests[0].body

    assert status == 0
    assert lines[0].startswith("PASS test.created 200 ")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_field_mismatch_line(capsysbinary):
    with picky_server() as server:
        status, lines, _err = run_cli(
            capsysbinary,
            "--url",
            server.url,
            "--topics",
            "user.created",
            "--expect-field",
            "/data/ok=false",
        )

    assert status == 1
    assert re.fullmatch(
        r"FAIL user\.created 200 \d+ ms: /data/ok is true, expected false", lines[0]
    )


def test_reports_written(capsysbinary, tmp_path):
    junit, html, report = (tmp_path / name for name in ("j.xml", "r.html", "r.json"))
    with picky_server() as server:
        status, lines, _err = run_cli(
            capsysbinary,
            "--url",
            server.url + "/{topic}",
            "--junit",
            str(junit),
            "--html",
            str(html),
            "--json",
            str(report),
        )

    data = json.loads(report.read_text(encoding="utf-8"))
    assert status == 1
    assert junit.read_bytes().startswith(b"<?xml")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [item["topic"] for item in data["results"]] == [t.key for t in all_topics()]
    assert data["summary"]["failed"] == 2
    assert lines[-1] == "22 passed, 2 failed"


def test_history_one_run(capsysbinary):
    with picky_server() as server:
        run_cli(capsysbinary, "--url", server.url, "--topics", "user.created,sale.new")

    entries = history_entries()
    assert len(entries) == 2
    assert len({entry.run_id for entry in entries}) == 1
    assert entries[0].run_id is not None
    assert {entry.topic_key for entry in entries} == {"user.created", "sale.new"}


def test_history_ids_in_json(capsysbinary, tmp_path):
    report = tmp_path / "r.json"
    with picky_server() as server:
        run_cli(
            capsysbinary,
            "--url",
            server.url,
            "--topics",
            "sale.new",
            "--json",
            str(report),
        )

    (item,) = json.loads(report.read_text(encoding="utf-8"))["results"]
    assert item["history_id"] == history_entries()[0].id


def test_no_history(capsysbinary):
    with picky_server() as server:
        status, _lines, _err = run_cli(
            capsysbinary, "--url", server.url, "--topics", "sale.new", "--no-history"
        )

    assert status == 1
    assert history_entries() == []


def test_template_and_event_files(capsysbinary, tmp_path):
    template = tmp_path / "t.j2"
    template.write_text('{"k": "{{ topic.key }}", "v": {{ v }}}', encoding="utf-8")
    event = tmp_path / "e.json"
    event.write_text('{"v": 5}', encoding="utf-8")
    with picky_server() as server:
        status, _lines, _err = run_cli(
            capsysbinary,
            "--url",
            server.url,
            "--topics",
            "user.created",
            "--template",
            str(template),
            "--event",
            str(event),
        )
        body = server.requests[0].body

    assert status == 0
    assert body == b'{"k": "user.created", "v": 5}'


def test_template_error_line(capsysbinary, tmp_path):
    template = tmp_path / "t.j2"
    template.write_text('{"slug": "{{ payload.slug }}"}', encoding="utf-8")
    report = tmp_path / "r.json"
    with picky_server() as server:
        status, lines, _err = run_cli(
            capsysbinary,
            "--url",
            server.url,
            "--topics",
            "user.created",
            "--template",
            str(template),
            "--json",
            str(report),
        )
    reason = json.loads(report.read_text(encoding="utf-8"))["results"][0]["reason"]

    assert status == 1
    assert lines[0].startswith(f"ERROR user.created template: {template}:1:")
    assert lines[-1] == "0 passed, 1 failed"
    assert reason.startswith(f"{template}:1:")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_reports_use_umask(capsysbinary, tmp_path):
    report = tmp_path / "r.json"
    previous = os.umask(0o022)
    try:
        with picky_server() as server:
            run_cli(
                capsysbinary,
                "--url",
                server.url,
                "--topics",
                "user.created",
                "--json",
                str(report),
            )
    finally:
        os.umask(previous)

    assert stat.S_IMODE(report.stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--url", "http://127.0.0.1:1/", "--topics", "sale.neww"], "'sale.neww'"),
        (["--url", "http://127.0.0.1:1/", "--expect-status", "2xx,7xx"], "'7xx'"),
        (
            ["--url", "http://127.0.0.1:1/", "--expect-status", "600"],
            "invalid status 600: HTTP statuses run from 100 to 599",
        ),
        (
            ["--url", "http://127.0.0.1:1/", "--expect-status", "200-600"],
            "invalid status 600 in '200-600'",
        ),
        (["--url", "http://127.0.0.1:1/", "--expect-field", "/ok"], "'/ok'"),
        (["--url", "http://127.0.0.1:1/", "--template", "missing.j2"], "missing.j2"),
        (["--url", "http://127.0.0.1:1/", "--event", "missing.json"], "missing.json"),
        (["--url", "http://127.0.0.1:1/", "--body", "x.json"], "--template"),
        (["--url", "http://127.0.0.1:1/", "--max-ms", "0"], "'0'"),
        (["--url", "http://127.0.0.1:1/", "--concurrency", "0"], "'0'"),
        (["--url", "http://127.0.0.1:1/", "--pause-ms", "-1"], "'-1'"),
        (["--url", "http://127.0.0.1:1/", "--json", "no/such/r.json"], "no/such"),
        (["--url", "http://127.0.0.1:1/", "--json", "-"], "--json -: standard"),
        (["--url", "http://127.0.0.1:1/", "--junit", "-"], "--junit check-report"),
        (
            ["--url", "http://127.0.0.1:1/", "--json", "r.out", "--html", "./r.out"],
            "--html r.out and --json r.out name the same file",
        ),
        (["--url", "receiver:/webhook"], "bchook-studio receive"),
        (["--topics", "sale.new"], "--url URL or --webhook NAME"),
        (["--webhook", "Nope"], "'Nope'"),
        (["--url", "http://127.0.0.1:1/", "--user", "carol"], "--password-env"),
    ],
)
def test_usage_errors_exit_2(capsysbinary, arguments, named):
    status, lines, err = run_cli(capsysbinary, *arguments)

    assert status == 2
    assert lines == []
    assert err.startswith("bchook-studio: error: ")
    assert named in err
    assert len(err.splitlines()) == 1


def save_webhook(webhook: Webhook) -> None:
    with Store.open() as store:
        store.save_webhook(webhook)


def test_webhook_settings_used(capsysbinary):
    with use_keyring(), picky_server() as server:
        save_webhook(
            Webhook(
                name="Orders CRM",
                url=server.url + "/{topic}",
                body_format=BodyFormat.XML,
                auth_enabled=True,
                username="carol",
                password="Pw-7781",
            )
        )
        status, lines, err = run_cli(
            capsysbinary, "--webhook", "orders crm", "--topics", "user.created"
        )
        request = server.requests[0]

    assert status == 0, err
    assert lines[0].startswith("PASS user.created 200 ")
    assert request.headers["content-type"] == "application/xml"
    assert request.headers["authorization"].startswith("Basic ")
    assert request.request_line.split(" ")[1].endswith("/user.created")
    entry = history_entries()[0]
    assert entry.webhook_name == "Orders CRM"
    assert entry.webhook_id is not None


def test_webhook_overrides_format_and_url(capsysbinary):
    with use_keyring(), picky_server() as server:
        save_webhook(Webhook(name="Hook", url="http://127.0.0.1:1/unused"))
        status, _lines, _err = run_cli(
            capsysbinary,
            "--webhook",
            "Hook",
            "--url",
            server.url,
            "--format",
            "xml",
            "--topics",
            "sale.new",
            "--expect-status",
            "500",
        )
        request = server.requests[0]

    assert status == 0
    assert request.headers["content-type"] == "application/xml"


def test_webhook_unknown_lists_names(capsysbinary):
    with use_keyring():
        save_webhook(Webhook(name="Alpha", url="http://127.0.0.1:1/"))
        save_webhook(Webhook(name="Beta", url="http://127.0.0.1:1/"))
        status, _lines, err = run_cli(capsysbinary, "--webhook", "Gamma")

    assert status == 2
    assert "'Gamma'" in err
    assert "'Alpha', 'Beta'" in err


def test_webhook_missing_secret(capsysbinary):
    with use_keyring():
        save_webhook(
            Webhook(
                name="Locked",
                url="http://127.0.0.1:1/",
                auth_enabled=True,
                username="carol",
                password="Pw-1234",
            )
        )
    with use_keyring():
        status, _lines, err = run_cli(capsysbinary, "--webhook", "Locked")

    assert status == 2
    assert "password" in err
    assert "'Locked'" in err


def test_webhook_receiver_target(capsysbinary):
    with use_keyring():
        save_webhook(Webhook(name="Local", url="receiver:/webhook"))
        status, _lines, err = run_cli(capsysbinary, "--webhook", "Local")

    assert status == 2
    assert "bchook-studio receive" in err
    assert "--url http://127.0.0.1:8765/webhook" in err


def test_webhook_rejects_request_options(capsysbinary):
    with use_keyring():
        save_webhook(Webhook(name="Hook", url="http://127.0.0.1:1/"))
        status, _lines, err = run_cli(
            capsysbinary, "--webhook", "Hook", "--header", "X-A: 1"
        )

    assert status == 2
    assert "--header cannot be combined with --webhook" in err


class CheckProcess:
    """`python -m bchook_studio check` with its stdout read on a thread."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bchook_studio", "check", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPOSITORY,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8").rstrip("\n"))
        self.lines.put(None)

    def line(self) -> str | None:
        return self.lines.get(timeout=30)

    def finish(self) -> tuple[int, list[str], str]:
        status = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        rest = []
        while (line := self.lines.get(timeout=5)) is not None:
            rest.append(line)
        assert self.process.stderr is not None
        err = self.process.stderr.read().decode("utf-8")
        self.process.stdout.close()
        self.process.stderr.close()
        return status, rest, err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_cancels_exit_130(tmp_path):
    report = tmp_path / "r.json"
    with slow_server(fast_count=2) as server:
        process = CheckProcess(
            "--url", server.url, "--json", str(report), "--concurrency", "1"
        )
        try:
            first = [process.line(), process.line()]
            process.process.send_signal(signal.SIGINT)
            status, rest, err = process.finish()
        finally:
            if process.process.poll() is None:
                process.process.kill()
                process.process.wait(timeout=30)

    data = json.loads(report.read_text(encoding="utf-8"))
    assert all(line is not None and line.startswith("PASS ") for line in first)
    assert status == 130
    assert rest == ["2 passed, 0 failed"]
    assert "warning: the check was cancelled: 22 of 24 topics" in err
    assert data["cancelled"] is True
    assert data["summary"]["passed"] == 2
    assert data["summary"]["cancelled"] == 22


def test_lines_in_catalogue_order(capsysbinary):
    keys = [topic.key for topic in all_topics()[:4]]
    with held_topic_server(keys[0], hold_seconds=0.8) as server:
        status, lines, _err = run_cli(
            capsysbinary,
            "--url",
            server.url + "/{topic}",
            "--topics",
            ",".join(keys),
            "--concurrency",
            "4",
        )

    assert status == 0
    assert [LINE.match(line).group(2) for line in lines[:-1]] == keys
    assert lines[-1] == "4 passed, 0 failed"


def test_unknown_placeholder_warns(capsysbinary):
    with picky_server() as server:
        status, _lines, err = run_cli(
            capsysbinary, "--url", server.url + "/{nope}", "--topics", "user.created"
        )
        path = request_path(server.requests[0])

    assert status == 0
    assert path.endswith("/%7Bnope%7D")
    assert err.count("\n") == 1
    assert err.startswith("warning: the URL ")
    assert "{nope}" in err
    assert "only {topic} is replaced" in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_cancels_exit_130(tmp_path):
    junit = tmp_path / "r.xml"
    with slow_server(fast_count=1) as server:
        process = CheckProcess(
            "--url", server.url, "--junit", str(junit), "--concurrency", "1"
        )
        try:
            first = process.line()
            process.process.send_signal(signal.SIGTERM)
            status, rest, err = process.finish()
        finally:
            if process.process.poll() is None:
                process.process.kill()
                process.process.wait(timeout=30)

    suite = ElementTree.parse(junit).getroot()
    assert first is not None
    assert first.startswith("PASS user.created ")
    assert status == 130
    assert rest == ["1 passed, 0 failed"]
    assert "warning: the check was cancelled: 23 of 24 topics" in err
    assert "Traceback" not in err
    assert suite.iter("testcase") is not None
    assert len(list(suite.iter("testcase"))) == 24


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_cancel_prints_finished_in_order(tmp_path):
    keys = [topic.key for topic in all_topics()]
    with held_topic_server(keys[0]) as server:
        process = CheckProcess("--url", server.url + "/{topic}", "--no-history")
        try:
            deadline = time.monotonic() + 30
            while len(server.requests) < 24 and time.monotonic() < deadline:
                time.sleep(0.05)
            # The 23 responses are judged while the first topic is held, and
            # none of their lines can be printed before it.
            time.sleep(1.0)
            process.process.send_signal(signal.SIGTERM)
            status, rest, _err = process.finish()
        finally:
            if process.process.poll() is None:
                process.process.kill()
                process.process.wait(timeout=30)

    assert len(server.requests) == 24
    assert status == 130
    assert [LINE.match(line).group(2) for line in rest[:-1]] == keys[1:]
    assert rest[-1] == "23 passed, 0 failed"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_stdout_still_writes_reports(tmp_path, app_home):
    report = tmp_path / "report.json"
    environment = {**os.environ, "BCHOOK_STUDIO_HOME": str(app_home)}
    with picky_server() as server, open("/dev/full", "wb") as full:
        completed = subprocess.run(
            [
                *(sys.executable, "-m", "bchook_studio", "check"),
                *("--url", server.url + "/{topic}", "--topics", "user.created"),
                *("--json", str(report)),
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env=environment,
            check=False,
        )

    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "bchook-studio: error: cannot write to standard output: No space left on "
        "device; free space on the disk it goes to, or redirect it elsewhere"
    ]
    assert json.loads(report.read_text())["summary"]["passed"] == 1
