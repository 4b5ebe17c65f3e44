"""The operating system's trust store, simulated with SSL_CERT_FILE in a child process.

On Linux, truststore uses OpenSSL's default verify paths, which honour
SSL_CERT_FILE and SSL_CERT_DIR. Setting them in a child process makes the test
CA part of "the system store" there without touching the machine's own store.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.network.certificates import server_context
from tests.network.servers import TlsServer
from tests.servers import respond

pytestmark = pytest.mark.skipif(
    sys.platform != "linux",
    reason="truststore reads SSL_CERT_FILE only where it uses OpenSSL's store",
)

CHILD = """
import asyncio, json, sys
from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.send import deliver

async def main():
    pool = ClientPool()
    try:
        request = OutgoingRequest(sys.argv[1], b"{}", "application/json")
        return await deliver(request, pool)
    finally:
        await pool.aclose()

result = asyncio.run(main())
print(json.dumps({
    "kind": result.failure.kind.value if result.failure else None,
    "message": result.failure.message if result.failure else "",
    "status": result.response.status if result.response else None,
    "tls_verified": result.tls_verified,
}))
"""


def deliver_in_child(url: str, home, extra_env: dict[str, str]) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith("SSL_CERT_")
    }
    env.update(extra_env, BCHOOK_STUDIO_HOME=str(home))
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(completed.stdout)


def test_store_from_ssl_cert_file(certs, tmp_path):
    empty = tmp_path / "empty-cert-dir"
    empty.mkdir()
    variables = {"SSL_CERT_FILE": str(certs.ca_file), "SSL_CERT_DIR": str(empty)}
    with TlsServer(respond("200 OK", b"ok"), server_context(certs.good)) as server:
        outcome = deliver_in_child(server.url, tmp_path, variables)

    assert outcome["kind"] is None
    assert outcome["status"] == 200
    assert outcome["tls_verified"] is True


def test_store_without_test_ca(certs, tmp_path):
    empty = tmp_path / "empty-cert-dir"
    empty.mkdir()
    with TlsServer(respond("200 OK", b"ok"), server_context(certs.good)) as server:
        outcome = deliver_in_child(server.url, tmp_path, {"SSL_CERT_DIR": str(empty)})

    assert outcome["kind"] == "tls"
    assert "certificate verify failed" in outcome["message"]
    assert outcome["status"] is None
