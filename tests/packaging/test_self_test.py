"""`bchook-studio self-test`: the installed package passes, broken copies fail."""

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backends import fail

import bchook_studio
from bchook_studio.cli.commands.self_test import run_groups
from bchook_studio.core.resources import resources_root
from bchook_studio.core.selftest.cases import (
    CaseResult,
    CheckFailed,
    Outcome,
    run_case,
    summary_line,
)
from bchook_studio.core.selftest.installation import (
    NO_KEYCHAIN_NOTE,
    check_keyring_backend,
)
from bchook_studio.core.store.secrets import keychain_usable
from bchook_studio.core.topics import all_topics
from bchook_studio.gui.selftest import platform_plugin
from tests.memory_keyring import MemoryKeyring
from tests.store_fixtures import use_keyring

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")

# Runs the CLI with a module blocked, as a freezer that missed it leaves the
# app: importing it raises ModuleNotFoundError.
BLOCKED_IMPORT_DRIVER = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    blocked = sys.argv[1]

    class Blocker(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == blocked:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    from bchook_studio.cli import main
    sys.exit(main(["self-test"]))
    """
)


def run_self_test(
    command: list[str],
    cwd: Path,
    extra_environment: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(extra_environment or {})}
    # The working folder is not the checkout, whose bchook_studio would come
    # first on sys.path for `python -m` and `python -c`.
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=90,
        check=False,
    )


def lines_of(completed: subprocess.CompletedProcess[str]) -> list[str]:
    return completed.stdout.splitlines()


def summary_of(lines: list[str]) -> tuple[int, int]:
    match = SUMMARY.match(lines[-1])
    assert match is not None, lines[-1]
    return int(match.group(1)), int(match.group(2))


@pytest.fixture(scope="module")
def installed_run(tmp_path_factory) -> subprocess.CompletedProcess[str]:
    """Run the installed package's self-test once for the tests that read it."""
    folder = tmp_path_factory.mktemp("self-test")
    return run_self_test(
        [sys.executable, "-m", "bchook_studio", "self-test"],
        folder,
        {"BCHOOK_STUDIO_HOME": str(folder)},
    )


def test_installed_package_passes(installed_run):
    lines = lines_of(installed_run)

    assert installed_run.returncode == 0, installed_run.stdout + installed_run.stderr
    assert all(line.startswith("PASS ") for line in lines[:-1])
    passed, failed = summary_of(lines)
    assert failed == 0
    assert passed == len(lines) - 1


def test_installed_package_sends_every_topic_twice(installed_run):
    lines = set(lines_of(installed_run))

    expected = {
        f"PASS {topic.key} {body_format}"
        for topic in all_topics()
        for body_format in ("json", "xml")
    }
    assert len(expected) == 48
    assert expected <= lines


def test_installed_package_checks_each_part(installed_run):
    names = {line.split(":", 1)[0] for line in lines_of(installed_run)}

    platform = platform_plugin.native_platform()
    for name in (
        f"PASS platform plugin {platform}",
        "PASS qt application",
        "PASS lexer json",
        "PASS lexer xml",
        "PASS lexer registry",
        "PASS package metadata",
        "PASS topics",
        "PASS keyring backend",
        "PASS trust store",
        "PASS worker process",
    ):
        assert name in names


def copy_package_without(tmp_path: Path, missing: str) -> Path:
    """Copy the installed package with its resources, leaving out one resource."""
    site = tmp_path / "site"
    package = Path(bchook_studio.__file__).parent
    shutil.copytree(
        package, site / "bchook_studio", ignore=shutil.ignore_patterns("__pycache__")
    )
    resources = site / "bchook_studio" / "_resources"
    if not resources.exists():
        shutil.copytree(Path(str(resources_root())), resources)
    (resources / missing).unlink()
    return site


def test_missing_resource_fails(tmp_path):
    site = copy_package_without(tmp_path, "topics/sale.new.json")

    completed = run_self_test(
        [sys.executable, "-m", "bchook_studio", "self-test"],
        tmp_path,
        {"PYTHONPATH": str(site)},
    )
    lines = lines_of(completed)

    assert completed.returncode == 1
    topics_line = next(line for line in lines if line.split(":")[0].endswith("topics"))
    assert topics_line.startswith("FAIL topics: ")
    assert "sale.new" in topics_line
    assert str(site) in topics_line
    assert any(line.startswith("FAIL sale.new json: ") for line in lines)
    assert "PASS user.created json" in lines
    assert summary_of(lines)[1] >= 3


@pytest.mark.parametrize(
    ("module", "failing"),
    [
        ("pygments.lexers.data", ["FAIL lexer registry: "]),
        ("pygments.lexers.html", ["FAIL lexer registry: "]),
    ],
)
def test_missing_lexer_module_fails(module, failing, tmp_path):
    # The editor lexes JSON itself, so only the registry lookup needs them.
    completed = run_self_test(
        [sys.executable, "-c", BLOCKED_IMPORT_DRIVER, module], tmp_path
    )
    lines = lines_of(completed)

    assert completed.returncode == 1, completed.stdout + completed.stderr
    for prefix in failing:
        line = next(line for line in lines if line.startswith(prefix))
        assert module in line
    assert (
        "PASS lexer json: JsonBlockLexer from bchook_studio.gui.editor.block_lexers"
        in (lines)
    )
    assert (
        "PASS lexer xml: XmlBlockLexer from bchook_studio.gui.editor.block_lexers"
        in (lines)
    )
    assert summary_of(lines)[1] == len(failing)


def test_missing_pygments_lexer_module_fails_xml(tmp_path):
    completed = run_self_test(
        [sys.executable, "-c", BLOCKED_IMPORT_DRIVER, "pygments.lexer"], tmp_path
    )
    lines = lines_of(completed)

    assert completed.returncode == 1, completed.stdout + completed.stderr
    xml_line = next(line for line in lines if line.startswith("FAIL lexer xml: "))
    assert "pygments.lexer" in xml_line
    assert (
        "PASS lexer json: JsonBlockLexer from bchook_studio.gui.editor.block_lexers"
        in (lines)
    )


def test_case_outcomes():
    def broken() -> str:
        raise CheckFailed("the widget is missing")

    def crashing() -> str:
        raise KeyError("surprise")

    assert run_case("good", lambda: "fine").line() == "PASS good: fine"
    assert run_case("plain", lambda: None).line() == "PASS plain"
    assert run_case("bad", broken).line() == "FAIL bad: the widget is missing"
    assert run_case("odd", crashing).line() == "ERROR odd: KeyError: 'surprise'"


def test_case_line_is_one_line():
    result = CaseResult(Outcome.FAIL, "topics", "first line\n  second line")

    assert result.line() == "FAIL topics: first line second line"


def test_summary_counts_errors_as_failed():
    results = [
        CaseResult(Outcome.PASS, "a"),
        CaseResult(Outcome.FAIL, "b"),
        CaseResult(Outcome.ERROR, "c"),
    ]

    assert summary_line(results) == "1 passed, 2 failed"


def test_run_groups_exit_status():
    written: list[str] = []

    def raising_group() -> list[CaseResult]:
        raise RuntimeError("group broke")

    status = run_groups(
        [
            ("fine", lambda: [CaseResult(Outcome.PASS, "fine")]),
            ("broken", raising_group),
        ],
        written.append,
    )

    assert status == 1
    assert written == [
        "PASS fine",
        "ERROR broken: RuntimeError: group broke",
        "1 passed, 1 failed",
    ]


def test_run_groups_all_passed():
    written: list[str] = []

    status = run_groups(
        [("fine", lambda: [CaseResult(Outcome.PASS, "a")])], written.append
    )

    assert status == 0
    assert written[-1] == "1 passed, 0 failed"


def test_run_groups_without_cases_fails():
    assert run_groups([], [].append) == 1


def test_missing_libraries_from_loader_error(tmp_path):
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"not a library")
    error = (
        f"Cannot load library {plugin}: (libxcb-cursor.so.0: cannot open shared "
        "object file: No such file or directory)"
    )

    assert platform_plugin.missing_libraries(plugin, error)[0] == "libxcb-cursor.so.0"


def test_qt_application_needs_display(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)

    result = run_case("qt application", platform_plugin.check_qt_application)

    assert result.outcome is Outcome.FAIL
    assert "DISPLAY is not set" in result.detail


def test_qt_application_display_fallback(monkeypatch):
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("DISPLAY", raising=False)

    assert platform_plugin._startable(["xcb", "wayland"])
    assert not platform_plugin._startable(["xcb"])
    assert platform_plugin._startable(["offscreen"])


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="OpenSSL trust on Linux"
)
def test_trust_store_counts_certificate_file(tmp_path, monkeypatch):
    trustme = pytest.importorskip("trustme")
    from bchook_studio.core.selftest.trust_store import check_trust_store

    ca_file = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))

    assert check_trust_store().endswith("; 1 CA certificates loaded")


def test_keyring_case_without_keychain():
    with use_keyring(fail.Keyring()):
        result = run_case("keyring backend", check_keyring_backend)

    assert result.outcome is Outcome.PASS
    assert result.detail == NO_KEYCHAIN_NOTE
    assert result.line() == (
        "PASS keyring backend: no usable keychain: secrets are kept for the "
        "session or, if chosen, in the database"
    )


def test_keyring_case_names_usable_backend():
    with use_keyring(MemoryKeyring()):
        result = run_case("keyring backend", check_keyring_backend)

    assert result.outcome is Outcome.PASS
    assert result.detail.startswith("keyring ")
    assert result.detail.endswith(
        ", secrets are kept in the keychain through memory keyring MemoryKeyring"
    )


def test_keyring_case_agrees_with_store():
    for backend in (fail.Keyring(), MemoryKeyring()):
        with use_keyring(backend):
            detail = run_case("keyring backend", check_keyring_backend).detail
            usable = keychain_usable()

        assert (detail == NO_KEYCHAIN_NOTE) is (not usable)


def test_run_groups_interrupted():
    written: list[str] = []

    def interrupted_group() -> list[CaseResult]:
        raise KeyboardInterrupt

    status = run_groups(
        [
            ("fine", lambda: [CaseResult(Outcome.PASS, "fine")]),
            ("stopped", interrupted_group),
            ("never", lambda: [CaseResult(Outcome.PASS, "never")]),
        ],
        written.append,
    )

    assert status == 130
    assert written == ["PASS fine", "1 passed, 0 failed"]


# Runs the CLI's self-test with a first case that passes and a second that
# waits, so that the test can stop it while it waits.
SLOW_GROUPS_DRIVER = textwrap.dedent(
    """
    import sys
    import time

    from bchook_studio.cli import main
    from bchook_studio.cli.commands import self_test
    from bchook_studio.core.selftest.cases import CaseResult, Outcome

    def slow():
        time.sleep(60)
        return [CaseResult(Outcome.PASS, "slow")]

    self_test.default_groups = lambda: [
        ("quick", lambda: [CaseResult(Outcome.PASS, "quick")]),
        ("slow", slow),
    ]
    sys.exit(main(["self-test"]))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_self_test_sigterm_prints_summary(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_GROUPS_DRIVER],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "BCHOOK_STUDIO_HOME": str(tmp_path)},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)

    assert first == "PASS quick\n"
    assert process.returncode == 130
    assert out.decode() == "1 passed, 0 failed\n"
    assert (
        err.decode() == "warning: the self-test was interrupted before every case ran\n"
    )
