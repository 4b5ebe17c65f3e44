"""The network table: each case's failure kind and message, then a normal delivery.

Every case runs with its own ClientPool. After the case, a plain delivery to a
fresh loopback server must succeed with the same pool, so no case leaves the
delivery code or the pool unusable. The log is written at DEBUG level, httpx
and httpcore included, and must never contain a secret a case used.
"""

import asyncio
import logging
from pathlib import Path

import pytest

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.logs import configure_logging
from tests.network.cases_bodies import BODY_CASES
from tests.network.cases_connection import CONNECTION_CASES, URL_CASES
from tests.network.cases_proxy import PROXY_CASES
from tests.network.cases_redirects import REDIRECT_CASES
from tests.network.cases_tls import TLS_CASES
from tests.network.table import Case, Env, Outcome
from tests.servers import RawServer, respond

CASES: list[Case] = [
    *URL_CASES,
    *CONNECTION_CASES,
    *TLS_CASES,
    *PROXY_CASES,
    *REDIRECT_CASES,
    *BODY_CASES,
]


@pytest.fixture(scope="module")
def debug_log(tmp_path_factory):
    """Log everything, libraries included, to one file for the whole module."""
    home = tmp_path_factory.mktemp("log-home")
    root = logging.getLogger()
    level = root.level
    log_path = configure_logging(home, logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield log_path

    for handler in [h for h in root.handlers if h.get_name() == "bchook-studio-file"]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_case(case: Case, env_parts: tuple) -> tuple[Outcome, object]:
    """Run the case and a normal delivery after it with the same pool."""
    certs, folder, monkeypatch = env_parts

    async def scenario():
        pool = ClientPool()
        env = Env(certs, folder, monkeypatch, pool)
        try:
            outcome = await case.scenario(env)
            with RawServer(respond("200 OK", b"fine")) as server:
                after = await env.send(server.url)
        finally:
            await pool.aclose()
        return outcome, after

    return asyncio.run(scenario())


def logged_secrets(log_path: Path, secrets: tuple[str, ...]) -> list[str]:
    """Return the secrets that appear in the log file."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    return [secret for secret in secrets if secret in text]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case, certs, tmp_path, monkeypatch, debug_log):
    outcome, after = run_case(case, (certs, tmp_path, monkeypatch))
    result = outcome.result

    if case.kind is None:
        assert result.failure is None, result.failure
    else:
        assert result.failure is not None
        assert result.failure.kind is case.kind, result.failure
    if case.fragment is not None:
        assert case.fragment in result.failure.message
    if case.check is not None:
        case.check(outcome)
    assert after.ok, after.failure
    assert logged_secrets(debug_log, case.secrets) == []


def test_table_size():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


def test_log_has_no_secrets(certs, tmp_path, monkeypatch, debug_log):
    secret_cases = [case for case in CASES if case.secrets]
    for case in secret_cases:
        run_case(case, (certs, tmp_path, monkeypatch))
    secrets = {secret for case in secret_cases for secret in case.secrets}
    text = debug_log.read_text(encoding="utf-8")

    assert len(secrets) >= 5
    assert "built an SSL context" in text
    assert "send_request_headers" in text
    assert logged_secrets(debug_log, tuple(secrets)) == []
