"""The log file: where it lives, and that secrets never reach it."""

import logging
import time

import pytest

from bchook_studio.core import home
from bchook_studio.core.logs import (
    RotatingLogFile,
    configure_logging,
    redact,
    register_secret,
)


@pytest.fixture
def log_path(app_home):
    path = configure_logging(app_home)
    yield path
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "bchook-studio-file"]:
        root.removeHandler(handler)
        handler.close()


def test_home_from_environment(app_home):
    assert home.app_home() == app_home


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Basic Y2Fyb2w6c2VjcmV0", "Y2Fyb2w6c2VjcmV0"),
        ("('authorization', 'Bearer abc.def.ghi')", "abc.def.ghi"),
        ("Proxy-Authorization: Basic cHJveHk6cHc=", "cHJveHk6cHc="),
        ("http://carol:hunter22@example.com/hook", "hunter22"),
        ('{"password": "s3cr3t-value"}', "s3cr3t-value"),
        ("token=abcdef123456&x=1", "abcdef123456"),
        ("Cookie: session=xyz123", "xyz123"),
    ],
)
def test_redact_masks_credentials(text, hidden):
    assert hidden not in redact(text)
    assert "********" in redact(text)


def test_redact_url_after_scheme_characters():
    text = "see xhttps://al:pw2@h and 9http://bo:pw3@h"

    assert redact(text) == "see xhttps://al:********@h and 9http://bo:********@h"


def test_redact_long_path_finishes():
    # Guards against backtracking that grows with the square of the length:
    # before the look-behind, 40,000 letters took about 17 s.
    text = "POST http://127.0.0.1:8080/hook/" + "a" * 200_000
    started = time.monotonic()

    assert redact(text) == text
    assert time.monotonic() - started < 5


def test_registered_secret_masked_anywhere():
    register_secret("pässwörd-unique-42")

    assert "pässwörd-unique-42" not in redact("sent pässwörd-unique-42 somewhere")


def test_log_file_redacts_tracebacks(log_path):
    logger = logging.getLogger("bchook_studio.test")
    try:
        raise ValueError("Authorization: Basic c2VjcmV0LXZhbHVl")
    except ValueError:
        logger.exception("failed with http://dave:opensesame@host/")
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = log_path.read_text()
    assert "c2VjcmV0LXZhbHVl" not in text
    assert "opensesame" not in text
    assert "ValueError" in text


def test_httpx_logger_quiet(log_path):
    assert logging.getLogger("httpx").level == logging.WARNING
    assert log_path.parent == home.app_home()


def _log_lines(handler: logging.Handler, count: int, text: str) -> None:
    for number in range(count):
        record = logging.LogRecord("t", logging.INFO, __file__, 1, text, (), None)
        record.msg = f"{number:04d} {text}"
        handler.handle(record)


def _write_log(path, max_bytes: int, backup_count: int, count: int, text: str):
    handler = RotatingLogFile(path, max_bytes=max_bytes, backup_count=backup_count)
    try:
        _log_lines(handler, count, text)
    finally:
        handler.close()


def test_log_file_rotates_before_passing_its_limit(tmp_path):
    path = tmp_path / "app.log"
    _write_log(path, max_bytes=200, backup_count=2, count=40, text="x" * 40)

    names = sorted(child.name for child in tmp_path.iterdir())
    assert names == ["app.log", "app.log.1", "app.log.2"]
    for name in names:
        assert 0 < (tmp_path / name).stat().st_size <= 200
    # The newest lines are in app.log, the ones before them in app.log.1.
    assert path.read_text().splitlines()[-1].startswith("0039 ")
    newest_backup = (tmp_path / "app.log.1").read_text().splitlines()
    oldest_current = path.read_text().splitlines()[0]
    assert int(newest_backup[-1][:4]) + 1 == int(oldest_current[:4])


def test_oversized_record_fills_empty_file(tmp_path):
    path = tmp_path / "app.log"
    handler = RotatingLogFile(path, max_bytes=50, backup_count=1)
    try:
        _log_lines(handler, 1, "y" * 120)
        _log_lines(handler, 1, "z" * 120)
    finally:
        handler.close()

    assert "y" * 120 in (tmp_path / "app.log.1").read_text()
    assert "z" * 120 in path.read_text()


def test_log_file_without_backups_starts_over(tmp_path):
    path = tmp_path / "app.log"
    _write_log(path, max_bytes=100, backup_count=0, count=10, text="w" * 30)

    assert [child.name for child in tmp_path.iterdir()] == ["app.log"]
    assert path.read_text().splitlines()[-1].startswith("0009 ")


def test_log_file_removed_while_running_starts_again(tmp_path):
    path = tmp_path / "app.log"
    handler = RotatingLogFile(path, max_bytes=300, backup_count=2)
    try:
        _log_lines(handler, 2, "v" * 40)
        path.unlink()
        _log_lines(handler, 20, "v" * 40)
    finally:
        handler.close()

    assert path.exists()
    assert path.stat().st_size <= 300
    assert path.read_text().splitlines()[-1].startswith("0019 ")


def test_log_file_without_a_limit_never_rotates(tmp_path):
    path = tmp_path / "app.log"
    _write_log(path, max_bytes=0, backup_count=2, count=20, text="u" * 40)

    assert [child.name for child in tmp_path.iterdir()] == ["app.log"]
    assert len(path.read_text().splitlines()) == 20
