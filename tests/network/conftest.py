"""Fixtures for the network tests: certificates, and no name resolution but loopback."""

import ipaddress
import socket

import pytest

from tests.network.certificates import Certificates, make_certificates

TEST_NAMES = {"hooks.test": "127.0.0.1", "other.hooks.test": "127.0.0.1"}
"""Test host names and the loopback address each resolves to."""

_real_getaddrinfo = socket.getaddrinfo


def _loopback_literal(name: str) -> bool:
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_only_getaddrinfo(host, port, *args, **kwargs):
    """Resolve loopback names and TEST_NAMES only; fail for every other name."""
    name = host.decode("ascii") if isinstance(host, bytes) else host
    if name in TEST_NAMES:
        return _real_getaddrinfo(TEST_NAMES[name], port, *args, **kwargs)
    if name in {None, "localhost"} or _loopback_literal(name):
        return _real_getaddrinfo(host, port, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, f"{name} is not resolved in tests")


@pytest.fixture(autouse=True)
def loopback_names_only(monkeypatch):
    """Make sure no test resolves a real host name."""
    monkeypatch.setattr(socket, "getaddrinfo", loopback_only_getaddrinfo)


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Certificates:
    """Return the certificates and keys, made once per session."""
    return make_certificates(tmp_path_factory.mktemp("certs"))
