"""TLS settings: secrets, the temporary PKCS#12 file, and the client pool's keys."""

import asyncio
import os
import ssl
import stat
import tempfile

import pytest

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.send import deliver
from bchook_studio.core.delivery.ssl_context import build_ssl_context
from bchook_studio.core.delivery.tls import TlsSetting, TlsSettingError, file_state
from bchook_studio.core.logs import redact
from tests.network.certificates import KEY_PASSPHRASE, PKCS12_PASSWORD, server_context
from tests.network.servers import TlsServer
from tests.servers import respond


def test_password_not_in_repr(certs):
    setting = TlsSetting(
        client_cert=str(certs.client_p12), client_cert_password="s3cret-pw"
    )

    assert "s3cret-pw" not in repr(setting)
    assert "client.p12" in repr(setting)


def test_password_registered_for_redaction(certs):
    setting = TlsSetting(
        client_cert=str(certs.client_cert),
        client_key=str(certs.client_key_encrypted),
        client_cert_password=KEY_PASSPHRASE,
    )
    build_ssl_context(setting)

    assert redact(f"loading with {KEY_PASSPHRASE} now") == "loading with ******** now"


def test_pkcs12_temporary_file_private(certs, monkeypatch):
    created = []
    real_mkstemp = tempfile.mkstemp

    def recording_mkstemp(*args, **kwargs):
        descriptor, path = real_mkstemp(*args, **kwargs)
        created.append((path, stat.S_IMODE(os.stat(path).st_mode)))
        return descriptor, path

    monkeypatch.setattr(tempfile, "mkstemp", recording_mkstemp)
    setting = TlsSetting(
        client_cert=str(certs.client_p12), client_cert_password=PKCS12_PASSWORD
    )
    build_ssl_context(setting)

    path, mode = created[0]
    assert len(created) == 1
    assert mode == 0o600
    assert not os.path.exists(path)


def test_pkcs12_temporary_file_deleted_on_error(certs, monkeypatch):
    created = []
    real_mkstemp = tempfile.mkstemp

    def recording_mkstemp(*args, **kwargs):
        descriptor, path = real_mkstemp(*args, **kwargs)
        created.append(path)
        return descriptor, path

    def failing_load(self, *args, **kwargs):
        raise ssl.SSLError(1, "simulated failure")

    monkeypatch.setattr(tempfile, "mkstemp", recording_mkstemp)
    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", failing_load)
    setting = TlsSetting(
        verify=False,
        client_cert=str(certs.client_p12),
        client_cert_password=PKCS12_PASSWORD,
    )
    with pytest.raises(TlsSettingError) as raised:
        build_ssl_context(setting)

    assert "could not be used: simulated failure" in str(raised.value)
    assert not os.path.exists(created[0])


def test_file_state_follows_changes(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(b"one")
    before = file_state(TlsSetting(ca_bundle=str(bundle)))
    bundle.write_bytes(b"longer content")

    assert file_state(TlsSetting(ca_bundle=str(bundle))) != before
    assert file_state(TlsSetting(ca_bundle=str(tmp_path / "gone.pem"))) == (
        (str(tmp_path / "gone.pem"),),
    )


def test_pool_reuses_client_per_setting(certs):
    async def scenario():
        pool = ClientPool()
        setting = TlsSetting(ca_bundle=str(certs.ca_file))
        first = pool.client_for(None, setting)
        again = pool.client_for(None, TlsSetting(ca_bundle=str(certs.ca_file)))
        other = pool.client_for(None, TlsSetting())
        await pool.aclose()
        return first, again, other

    first, again, other = asyncio.run(scenario())

    assert first is again
    assert first is not other


def test_pool_picks_up_changed_ca_bundle(certs, tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(certs.unknown_ca.cert.read_bytes())
    setting = TlsSetting(ca_bundle=str(bundle))

    async def scenario(url):
        pool = ClientPool()
        try:
            request = OutgoingRequest(url, b"{}", "application/json", tls=setting)
            before = await deliver(request, pool)
            bundle.write_bytes(certs.ca_file.read_bytes() + b"\n")
            after = await deliver(request, pool)
        finally:
            await pool.aclose()
        return before, after

    with TlsServer(respond("200 OK", b"ok"), server_context(certs.good)) as server:
        before, after = asyncio.run(scenario(server.url))

    assert before.failure.kind is FailureKind.TLS
    assert after.ok
