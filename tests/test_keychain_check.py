"""The keychain check in a child process: its result, and the fallback on failure."""

import logging
import sys

from bchook_studio.cli import main
from bchook_studio.core.store import keychain_check
from bchook_studio.core.store.keychain_check import CHECK_ARGUMENT, usable_in_child


def test_child_finds_no_keychain(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert usable_in_child() is False


def test_child_finds_keychain(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.memory_keyring.MemoryKeyring")
    assert usable_in_child() is True


def test_failed_child_returns_none(monkeypatch, caplog):
    command = [sys.executable, "-c", "import sys; sys.exit(3)"]
    monkeypatch.setattr(keychain_check, "_check_command", lambda: command)
    with caplog.at_level(logging.WARNING, logger=keychain_check.__name__):
        assert usable_in_child() is None
    assert "status 3" in caplog.text


def test_unexpected_output_returns_none(monkeypatch):
    command = [sys.executable, "-c", "print('maybe')"]
    monkeypatch.setattr(keychain_check, "_check_command", lambda: command)
    assert usable_in_child() is None


def test_cli_argument_runs_check(monkeypatch, capsys):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert main([CHECK_ARGUMENT]) == 0
    assert capsys.readouterr().out == "not usable\n"
