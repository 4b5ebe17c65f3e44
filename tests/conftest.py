"""Fixtures shared by every test: a private app home and a clean environment."""

import os

import pytest

# Qt must never reach for a real display in tests, and keyring must never reach
# for the tester's real keychain.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def app_home(tmp_path_factory, monkeypatch):
    """Give each test its own app home folder and no proxy settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BCHOOK_STUDIO_HOME", str(home))
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return home
