"""The frozen Linux bundle in dist/bchook-studio, as `make package` leaves it.

Every test here skips when the bundle does not exist, because CI runs `make
test` without freezing. Run `make package` first to include them.
"""

import contextlib
import http.server
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.helpers import BUNDLE, ROOT, packaging_module, recorded_sizes

EXECUTABLE = BUNDLE / "bchook-studio"
GROWTH_ALLOWED = 1.05
GLIBC = frozenset(
    {
        "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
        "libc.so.6",
        "libm.so.6",
        "libdl.so.2",
        "libpthread.so.0",
        "librt.so.1",
        "libresolv.so.2",
        "libutil.so.1",
    }
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"),
        reason="the frozen bundle tests are for Linux",
    ),
    pytest.mark.skipif(
        not EXECUTABLE.exists(),
        reason=f"{EXECUTABLE} does not exist; run `make package` to test it",
    ),
]


def run_frozen(
    arguments: list[str],
    executable: Path = EXECUTABLE,
    extra_environment: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    environment.update(extra_environment or {})
    return subprocess.run(
        [str(executable), *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=timeout,
        check=False,
    )


def test_frozen_self_test_passes():
    from bchook_studio.cli.commands.self_test import default_groups
    from bchook_studio.core.topics import all_topics

    completed = run_frozen(["self-test"])
    lines = completed.stdout.splitlines()
    # Every group is one case, except the round trip: two per topic.
    expected_cases = len(default_groups()) - 1 + 2 * len(all_topics())

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert lines[-1] == f"{expected_cases} passed, 0 failed"
    assert completed.stderr == ""


def test_frozen_self_test_uses_bundled_files():
    lines = run_frozen(["self-test"]).stdout.splitlines()
    internal = str(BUNDLE / "_internal")

    topics = next(line for line in lines if line.startswith("PASS topics: "))
    plugin = next(line for line in lines if line.startswith("PASS platform plugin xcb"))
    assert f"{internal}/bchook_studio/_resources" in topics
    assert f"{internal}/PySide6/Qt/plugins/platforms" in plugin


def test_frozen_version_matches_package():
    from bchook_studio import __version__

    completed = run_frozen(["--version"])

    assert completed.stdout.strip() == f"bchook-studio {__version__}"


def test_unpacked_size_within_record():
    report = packaging_module("bundle_report")
    recorded, _limit = recorded_sizes()["Unpacked (`dist/bchook-studio`)"]

    size = report.unpacked_size(BUNDLE) / report.MB

    assert size <= recorded * GROWTH_ALLOWED, (
        f"the bundle is {size:.1f} MB, more than 5% over the {recorded} MB recorded "
        "in packaging/README.md"
    )


@pytest.mark.timeout(600)
@pytest.mark.skipif(
    os.environ.get("BCHOOK_STUDIO_XZ_CHECK") != "1",
    reason="compressing the bundle takes about two minutes; "
    "set BCHOOK_STUDIO_XZ_CHECK=1 to measure it",
)
def test_xz_size_within_record():
    report = packaging_module("bundle_report")
    recorded, _limit = recorded_sizes()["tar + xz -9"]

    size = report.xz_size(BUNDLE) / report.MB

    assert size <= recorded * GROWTH_ALLOWED, (
        f"the bundle compresses to {size:.1f} MB, more than 5% over the {recorded} MB "
        "recorded in packaging/README.md"
    )


def needed_libraries(path: Path, readelf: str) -> set[str]:
    listing = subprocess.run(
        [readelf, "-d", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", listing))


def test_system_libraries_are_in_ci_table():
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("readelf (binutils) is not installed")
    report = packaging_module("bundle_report")
    table = (ROOT / ".ci" / "install-system-packages").read_text(encoding="utf-8")
    known = set(re.findall(r"\[([^\]]+)\]=", table))

    bundled = {path.name for path, _size in report.regular_files(BUNDLE)}
    bundled |= {path.name for path in BUNDLE.rglob("*") if path.is_symlink()}
    needed: set[str] = set()
    for path, _size in report.regular_files(BUNDLE):
        with path.open("rb") as file:
            if file.read(4) == report.ELF_MAGIC:
                needed |= needed_libraries(path, readelf)

    from_system = needed - bundled - GLIBC
    assert from_system, "the bundle needs no system library, which is unexpected"
    assert from_system <= known, sorted(from_system - known)


def linked_copy(source: Path, target: Path) -> None:
    """Copy a folder tree with hard links where the file system allows them."""

    def link_or_copy(from_path: str, to_path: str) -> None:
        try:
            os.link(from_path, to_path)
        except OSError:
            shutil.copy2(from_path, to_path)

    shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)


def test_missing_qt_library_fails_self_test(tmp_path):
    bundle = tmp_path / "bchook-studio"
    linked_copy(BUNDLE, bundle)
    for path in bundle.rglob("libQt6XcbQpa.so.6"):
        path.unlink()

    completed = run_frozen(["self-test"], executable=bundle / "bchook-studio")
    lines = completed.stdout.splitlines()

    assert completed.returncode == 1
    plugin = next(
        line for line in lines if line.startswith("FAIL platform plugin xcb: ")
    )
    assert "libQt6XcbQpa.so.6" in plugin
    assert lines[-1].endswith(" passed, 1 failed")


@contextlib.contextmanager
def virtual_display() -> Iterator[str]:
    """Start Xvfb on a display number it picks itself; yield the DISPLAY value."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [
            xvfb,
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as reader:
            number = reader.readline().strip()
        assert number, "Xvfb did not report a display number"
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_self_test_on_xcb_display():
    with virtual_display() as display:
        completed = run_frozen(
            ["self-test"],
            extra_environment={"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
        )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "PASS qt application: " in completed.stdout
    assert "runs on the xcb platform" in completed.stdout
    assert completed.stderr == ""


@pytest.mark.parametrize("platform", ["xcb", "wayland", None])
def test_gui_starts_without_qpa_errors(platform):
    environment = {**os.environ}
    environment.pop("QT_QPA_PLATFORM", None)
    if platform is not None:
        environment["QT_QPA_PLATFORM"] = platform
    with virtual_display() as display:
        environment["DISPLAY"] = display
        environment["WAYLAND_DISPLAY"] = "wayland-0"
        process = subprocess.Popen(
            [str(EXECUTABLE)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(4)
        still_running = process.poll() is None
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=20)

    assert still_running, stderr
    assert "qt.qpa" not in stderr
    assert "Could not" not in stderr


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        answer = f'{{"received": {len(body)}}}'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def https_server(certificate) -> Iterator[int]:
    """Serve HTTPS on a free port of 127.0.0.1 with `certificate`; yield the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_send_https_trusts_system_store(tmp_path):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))

    with https_server(authority.issue_cert("127.0.0.1")) as port:
        url = f"https://127.0.0.1:{port}/hook"
        trusted = run_frozen(
            ["send", "course.created", "--url", url, "--timeout", "10"],
            extra_environment={"SSL_CERT_FILE": str(ca_file)},
        )
        untrusted = run_frozen(
            ["send", "course.created", "--url", url, "--timeout", "10"],
            extra_environment={"SSL_CERT_FILE": str(tmp_path / "missing.pem")},
        )

    assert trusted.returncode == 0, trusted.stderr
    assert trusted.stdout.startswith("HTTP/1.0 200 OK\n")
    assert '{"received": ' in trusted.stdout
    assert untrusted.returncode == 1
    assert untrusted.stderr.startswith("error: tls: ")
