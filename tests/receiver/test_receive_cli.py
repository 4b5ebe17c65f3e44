"""`bchook-studio receive` as scripts run it: output lines, signals, exit status."""

import contextlib
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import httpx
import pytest

from bchook_studio.cli import main
from bchook_studio.cli.commands.receive import (
    body_block,
    over_limit_text,
    request_line,
    request_text,
)
from bchook_studio.core.receiver import UNKNOWN, ReceivedRequest

LINE_TIMEOUT = 15.0


class ReceiveProcess:
    """`python -m bchook_studio receive` with its stdout read on a thread."""

    def __init__(self, *arguments: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bchook_studio", "receive", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self._lines.put(raw.decode("utf-8"))
        self._lines.put(None)

    def line(self) -> str:
        """Return the next stdout line without its line break; fail after a wait."""
        line = self._lines.get(timeout=LINE_TIMEOUT)
        assert line is not None, "receive exited before printing the line"
        return line.rstrip("\n")

    def stop(self, signal_number: int = signal.SIGTERM) -> tuple[int, str]:
        """Send `signal_number` and return the exit status and stderr."""
        self.process.send_signal(signal_number)
        status = self.process.wait(timeout=30)
        assert self.process.stderr is not None
        err = self.process.stderr.read().decode("utf-8")
        self._close()
        return status, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._close()

    def _close(self) -> None:
        # The reader thread ends at the end of stdout, and only then is it closed.
        self._reader.join(timeout=10)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def receive_process():
    started: list[ReceiveProcess] = []

    def start(*arguments: str) -> ReceiveProcess:
        process = ReceiveProcess(*arguments)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill there")
def test_receive_prints_requests_and_stops(receive_process):
    process = receive_process(
        "--port", "0", "--show-body", "--status", "201", "--respond-header", "X-T: 1"
    )

    first = process.line()
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/", first)
    assert match is not None, first
    base = f"http://127.0.0.1:{match.group(1)}"

    body = '{"name": "Jürgen"}\n{"second": 2}\n'.encode()
    with httpx.Client(trust_env=False, timeout=10) as http:
        posted = http.post(
            f"{base}/hook?topic=sale.new",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        fetched = http.get(f"{base}/plain")
    with socket.create_connection(("127.0.0.1", int(match.group(1))), 10) as raw:
        raw.sendall(b"GARBAGE\r\n\r\n")
        raw_answer = raw.recv(100)

    post_line = process.line().split("\t")
    post_body = [process.line(), process.line(), process.line()]
    get_line = process.line().split("\t")
    get_body = process.line()
    bad_line = process.line().split("\t")
    process.line()
    status, err = process.stop()

    assert posted.status_code == 201
    assert posted.headers["x-t"] == "1"
    assert fetched.status_code == 201
    assert raw_answer.startswith(b"HTTP/1.1 400 ")

    assert len(post_line) == 7
    timestamp = datetime.fromisoformat(post_line[0].replace("Z", "+00:00"))
    assert timestamp.tzinfo is not None
    assert post_line[0].endswith("Z")
    assert re.fullmatch(r"127\.0\.0\.1:\d+", post_line[1])
    assert post_line[2:] == [
        "POST",
        "/hook?topic=sale.new",
        "201",
        str(len(body)),
        "application/json",
    ]
    assert post_body == ['  {"name": "Jürgen"}', '  {"second": 2}', ""]
    assert get_line[2:] == ["GET", "/plain", "201", "0", "-"]
    assert get_body == ""
    assert bad_line[2:] == ["-", "-", "400", "0", "-"]

    assert status == 130
    assert "Traceback" not in err
    assert err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGINT for a child there")
def test_receive_ctrl_c_exits_130(receive_process):
    process = receive_process("--port", "0", "--fault", "hang")
    assert process.line().startswith("listening on http://127.0.0.1:")

    status, err = process.stop(signal.SIGINT)

    assert status == 130
    assert err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill there")
def test_receive_warns_body_of_204_not_sent(receive_process, tmp_path):
    body = tmp_path / "good.json"
    body.write_text('{"ok": true}')
    process = receive_process(
        "--port", "0", "--status", "204", "--respond-body", str(body)
    )
    assert process.line().startswith("listening on http://127.0.0.1:")

    status, err = process.stop()

    assert status == 130
    assert err.splitlines() == [
        f"warning: a 204 response has no body, so the receiver does not send "
        f"{body}; use --status 200 to send it"
    ]


def test_receive_help_states_contract(capsys):
    with pytest.raises(SystemExit):
        main(["receive", "--help"])
    text = " ".join(capsys.readouterr().out.split())

    assert "exits with status 130" in text
    assert "status 0" not in text
    assert "at most its first BYTES bytes are kept and shown" in text


def test_receive_taken_port_is_usage_error():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "bchook_studio", "receive", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith(
        f"bchook-studio: error: port {port} on 127.0.0.1 is already in use; "
    )


def run_cli(capsysbinary, *arguments: str) -> tuple[int, str, str]:
    status = main(list(arguments))
    captured = capsysbinary.readouterr()
    return status, captured.out.decode("utf-8"), captured.err.decode("utf-8")


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--status", "99"], "'99'"),
        (["--status", "abc"], "'abc'; use a whole number from 200 to 599"),
        (["--port", "\uff18\uff10"], "use a whole number from 0 to 65535"),
        (["--port", "70000"], "'70000'"),
        (["--delay-ms", "-5"], "'-5'"),
        (["--fault", "explode"], "'explode'"),
        (["--respond-header", "NoColon"], "'NoColon'"),
        (["--respond-header", "Content-Length: 3"], "'Content-Length'"),
        (["--respond-body", "/nonexistent/answer.json"], "answer.json"),
        (["--user", "carol", "--password-env", "NOT_SET_FOR_RECEIVE"], "NOT_SET"),
        (["--max-body", "0"], "'0'"),
    ],
)
def test_receive_usage_errors(capsysbinary, monkeypatch, arguments, named):
    monkeypatch.delenv("NOT_SET_FOR_RECEIVE", raising=False)

    status, out, err = run_cli(capsysbinary, "receive", "--port", "0", *arguments)

    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("bchook-studio: error: ")
    assert named in err


def make_request(**fields) -> ReceivedRequest:
    values = {
        "id": 1,
        "time": datetime(2025, 3, 4, 5, 6, 7, 891000, tzinfo=UTC),
        "client_host": "::1",
        "client_port": 5555,
        "method": "POST",
        "target": "/a?b=c",
        "http_version": "1.1",
        "headers": (("Content-Type", "image/png"),),
        "body": b"\x89PNG\r\n\x1a\n\x00\x00",
        "body_size": 10,
        "status": None,
    }
    values.update(fields)
    return ReceivedRequest(**values)


def test_request_line_fields():
    line = request_line(make_request())

    assert (
        line == "2025-03-04T05:06:07.891Z\t[::1]:5555\tPOST\t/a?b=c\t-\t10\timage/png"
    )


def test_request_line_for_malformed_request():
    request = make_request(method=UNKNOWN, target=UNKNOWN, headers=(), status=400)

    assert request_line(request).split("\t")[2:] == ["-", "-", "400", "10", "-"]


def test_request_line_keeps_one_line():
    request = make_request(headers=(("Content-Type", "text/plain;\tx=1"),))

    assert request_line(request).count("\t") == 6


def test_binary_body_shown_as_summary():
    assert body_block(make_request()) == "  [binary body: image/png, 10 B]\n\n"


def hostile_request() -> ReceivedRequest:
    return make_request(
        target="/a\x1b[2J",
        headers=(("Content-Type", "text/plain; x=\tb\x1b[31m"),),
        body="\x1b]0;pwned\x07 a title\r\nthen \x7f\u009b2J the screen\n".encode(),
        body_size=41,
    )


def test_request_text_escaped_on_terminal(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    text = request_text(hostile_request(), show_body=True)

    line, body = text.split("\n", 1)
    assert line.split("\t")[3] == "/a\\x1b[2J"
    assert line.split("\t")[6] == "text/plain; x= b\\x1b[31m"
    assert body == ("  \\x1b]0;pwned\\x07 a title\n  then \\x7f\\x9b2J the screen\n\n")
    assert "\x1b" not in text


def test_request_text_escaped_in_pipe(capsysbinary, monkeypatch):
    # `receive | grep` writes to a pipe, and grep shows the lines on a terminal.
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)

    text = request_text(hostile_request(), show_body=True)

    line, body = text.split("\n", 1)
    assert line.split("\t")[3] == "/a\\x1b[2J"
    assert line.split("\t")[6] == "text/plain; x= b\\x1b[31m"
    assert body == ("  \\x1b]0;pwned\\x07 a title\n  then \\x7f\\x9b2J the screen\n\n")
    assert "\x1b" not in text


def test_request_text_escapes_bidi(capsysbinary, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    request = make_request(
        target="/a\u202eb",
        headers=(("Content-Type", "text/plain; x=\u2066y"),),
        body="paid\u202e 0001\n".encode(),
        body_size=14,
    )

    text = request_text(request, show_body=True)

    line, body = text.split("\n", 1)
    assert line.split("\t")[3] == "/a\\u202eb"
    assert line.split("\t")[6] == "text/plain; x=\\u2066y"
    assert body == "  paid\\u202e 0001\n\n"


def test_body_block_breaks_only_at_cr_lf():
    body = (
        "alpha\u2028beta\u2029gamma\x85delta\x0cepsilon\x0bzeta\x1ceta\x1dtheta"
        "\x1eiota\r\nkappa\rlambda\nmu\r"
    )
    request = make_request(
        headers=(("Content-Type", "text/plain"),),
        body=body.encode(),
        body_size=len(body.encode()),
    )

    text = body_block(request)

    assert text == (
        "  alpha\\u2028beta\\u2029gamma\\x85delta\\x0cepsilon\\x0bzeta\\x1ceta"
        "\\x1dtheta\\x1eiota\n"
        "  kappa\\x0dlambda\n"
        "  mu\\x0d\n"
        "\n"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill there")
def test_reset_after_rejection_logs_no_traceback(receive_process, app_home):
    # A client that resets the connection right after reading the rejection
    # can make the receiver's half-close fail. The race is rare, so the test
    # repeats it; it never fails when the receiver handles the reset.
    process = receive_process("--port", "0")
    port = int(
        re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/", process.line())[1]
    )
    for _ in range(300):
        with socket.create_connection(("127.0.0.1", port), 10) as raw:
            raw.sendall(b"GARBAGE\r\n\r\n")
            raw.recv(20)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    status, err = process.stop()
    log = (app_home / "bchook-studio.log").read_text(encoding="utf-8")

    assert status == 130
    assert err == ""
    assert "Traceback" not in log
    assert "requests rejected with status 400: 300 in the last" in log


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill there")
def test_receive_escapes_control_characters(receive_process):
    process = receive_process("--port", "0", "--show-body")
    port = int(
        re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/", process.line())[1]
    )
    body = b"\x1b[2J\x1b]0;title\x07 and then a long enough line of plain text\n"
    hostile_type = (
        b"GET /t HTTP/1.1\r\nHost: x\r\nContent-Type: \x1b[31mred\x1b[0m\r\n\r\n"
    )
    hostile_body = (
        b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    for request in (hostile_type, hostile_body):
        with socket.create_connection(("127.0.0.1", port), 10) as raw:
            raw.sendall(request)
            raw.recv(100)

    type_line = process.line()
    process.line()
    body_line = process.line()
    body_text = process.line()
    status, err = process.stop()

    assert type_line.split("\t")[6] == "\\x1b[31mred\\x1b[0m"
    assert body_line.split("\t")[3] == "/b"
    assert body_text.startswith("  \\x1b[2J\\x1b]0;title\\x07 and then")
    assert "\x1b" not in type_line + body_text
    assert status == 130
    assert err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill there")
def test_receive_escapes_bidi_characters(receive_process):
    process = receive_process("--port", "0", "--show-body")
    port = int(
        re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/", process.line())[1]
    )
    # A reader sees "paid 1000.00 EUR" for a body that contains "paid 00.0001 EUR",
    # and a second line that is not one.
    body = "paid \u202e00.0001\u202c EUR\u2028refund: none\ufeff\u200b\n".encode()
    request = (
        b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; charset=utf-8"
        b"\r\nContent-Length: %d\r\n\r\n" % len(body)
    ) + body
    with socket.create_connection(("127.0.0.1", port), 10) as raw:
        raw.sendall(request)
        raw.recv(100)

    request_fields = process.line().split("\t")
    body_text = process.line()
    status, err = process.stop()

    assert request_fields[3] == "/pay"
    assert body_text == (
        "  paid \\u202e00.0001\\u202c EUR\\u2028refund: none\\ufeff\\u200b"
    )
    assert status == 130
    assert err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill there")
def test_receive_escapes_lone_carriage_return(receive_process):
    process = receive_process("--port", "0", "--show-body")
    port = int(
        re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/", process.line())[1]
    )
    # On a terminal the lone CR would print "paid" over the start of the line.
    body = b"refund: 100.00 EUR\rpaid\r\nnext\n"
    request = (
        b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; charset=utf-8"
        b"\r\nContent-Length: %d\r\n\r\n" % len(body)
    ) + body
    with socket.create_connection(("127.0.0.1", port), 10) as raw:
        raw.sendall(request)
        raw.recv(100)

    request_fields = process.line().split("\t")
    body_lines = [process.line(), process.line(), process.line()]
    status, err = process.stop()

    assert request_fields[3] == "/pay"
    assert body_lines == ["  refund: 100.00 EUR\\x0dpaid", "  next", ""]
    assert status == 130
    assert err == ""


def test_over_limit_warning_gives_sizes():
    request = make_request(body=b"", body_size=0, declared_size=999999999, status=413)

    text = over_limit_text(request, 1000)

    assert "limit of 1000 bytes" in text
    assert "0 bytes arrived" in text
    assert "Content-Length declared 999999999" in text
    assert "0 were kept" in text
    assert "status 413" in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file size limits")
def test_receive_stops_when_stdout_cannot_grow(tmp_path):
    import resource

    out_path = tmp_path / "out.txt"

    def limit_file_size() -> None:
        # The limit applies to every file the process writes. Its log stays
        # well under 2 KiB here, and stdout passes it with the first body.
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    with out_path.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "bchook_studio", "receive"),
                *("--port", "0", "--show-body"),
            ],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=limit_file_size,
        )
        try:
            url = _wait_listening(out_path)
            # The first body fills the file to its limit with a short write, so
            # the failure comes with a later one.
            for _ in range(3):
                if process.poll() is None:
                    _post_quietly(f"{url}hook", b"x" * 3000)
            status = process.wait(timeout=30)
        finally:
            process.kill()
            _, err = process.communicate(timeout=10)

    assert status == 1
    assert err.splitlines() == [
        "bchook-studio: error: cannot write to standard output: File too large; "
        "the file it goes to reached its size limit (ulimit -f), so redirect it"
    ]


def _post_quietly(url: str, body: bytes) -> None:
    # The receiver may stop while a request is on its way.
    with contextlib.suppress(httpx.TransportError):
        httpx.post(url, content=body, timeout=5)


def _wait_listening(out_path) -> str:
    """Wait for the "listening on URL" line in `out_path` and return the URL."""
    deadline = time.monotonic() + LINE_TIMEOUT
    while b"\n" not in out_path.read_bytes():
        assert time.monotonic() < deadline, "receive did not start"
        time.sleep(0.05)
    first_line = out_path.read_text().splitlines()[0]
    assert first_line.startswith("listening on http://127.0.0.1:")
    return first_line.removeprefix("listening on ")
