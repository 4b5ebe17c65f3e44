"""A distinctive secret never reaches the database file, the history, masked
exports or the log file."""

import asyncio
import base64
import logging

import pytest

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.export.curl import curl_command
from bchook_studio.core.export.definitions import export_definitions
from bchook_studio.core.export.har import har_text
from bchook_studio.core.export.powershell import powershell_command
from bchook_studio.core.export.requests import from_history, from_sent
from bchook_studio.core.export.text import text_report
from bchook_studio.core.logs import LOG_FILE_NAME, configure_logging
from bchook_studio.core.store import Store
from bchook_studio.core.webhook import HeaderRow, Webhook
from tests.servers import RawServer, respond
from tests.store_fixtures import CANARY, use_keyring


@pytest.fixture
def log_file(app_home):
    path = configure_logging(app_home)
    try:
        yield path
    finally:
        root = logging.getLogger()
        for handler in [
            h for h in root.handlers if h.get_name() == "bchook-studio-file"
        ]:
            root.removeHandler(handler)
            handler.close()


def _send(request):
    async def send_once():
        pool = ClientPool()
        try:
            return await deliver(request, pool)
        finally:
            await pool.aclose()

    return asyncio.run(send_once())


def _forms(secret: str) -> list[bytes]:
    """Return the secret as text and as the Basic credentials that carry it."""
    basic = base64.b64encode(f"carol:{secret}".encode())
    return [secret.encode(), basic]


def test_secret_stays_out_of_files(app_home, log_file, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    with use_keyring(), RawServer(respond("200 OK", b"ok")) as server:
        webhook = Webhook(
            name="Leak check",
            url=f"{server.url}?token={CANARY}&x=1",
            auth_enabled=True,
            username="carol",
            password=CANARY,
            headers=(HeaderRow("X-Api-Key", CANARY, secret=True),),
            secret_query_parameters=("token",),
        )
        with Store.open() as store:
            webhook_id = store.save_webhook(webhook)
            saved = store.get_webhook(webhook_id)
            result = _send(saved.webhook.outgoing_request(b'{"event": 1}'))
            entry_id = store.history.record(
                result,
                webhook_id,
                webhook.name,
                "user.created",
                secret_query_parameters=webhook.secret_query_parameters,
            )
            entry = store.history.get(entry_id)
            definitions = export_definitions(store)
            logging.getLogger("tests.leak").warning(
                "a careless line with the password %s inside", CANARY
            )

        received = server.requests[0]

    masked = from_sent(result.request, secret_query_parameters=["token"])
    stored = from_history(entry.request)
    files = {
        "live.curl": curl_command(masked).text,
        "history.curl": curl_command(stored).text,
        "live.ps1": powershell_command(masked).text,
        "history.ps1": powershell_command(stored).text,
        "live.har": har_text(result, masked),
        "history.har": har_text(entry.to_result(), stored),
        "live.txt": text_report(result, masked),
        "history.txt": text_report(entry.to_result(), stored),
        "definitions.json": definitions,
    }
    for name, text in files.items():
        (exports / name).write_text(text, encoding="utf-8")

    assert received.headers["x-api-key"] == CANARY
    assert saved.webhook.password == CANARY
    checked = sorted(app_home.iterdir()) + sorted(exports.iterdir())
    assert app_home / "studio.sqlite3" in checked
    assert app_home / LOG_FILE_NAME in checked
    for path in checked:
        data = path.read_bytes()
        for form in _forms(CANARY):
            assert form not in data, f"{path.name} holds the secret"
    assert "a careless line with the password ******** inside" in log_file.read_text()
