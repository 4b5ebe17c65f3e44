"""Fixtures and builders for the store, history and export tests."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import keyring
from keyring.backend import KeyringBackend

from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.proxies import ProxyMode, ProxySetting
from bchook_studio.core.delivery.redirects import RedirectSetting
from bchook_studio.core.delivery.request import Timeouts
from bchook_studio.core.delivery.result import (
    DeliveryResult,
    Failure,
    ReceivedResponse,
    SentRequest,
)
from bchook_studio.core.delivery.tls import TlsSetting
from bchook_studio.core.formats import BodyFormat
from bchook_studio.core.store.secrets import keychain_usable
from bchook_studio.core.webhook import BodyMode, HeaderRow, Webhook
from tests.memory_keyring import MemoryKeyring

CANARY = "Zq7-Leak-Canary-9931"
"""A distinctive secret that must never show up in files written with masking."""


@contextmanager
def use_keyring(backend: KeyringBackend | None = None) -> Iterator[KeyringBackend]:
    """Make keyring use `backend` (a fresh MemoryKeyring by default) in the block."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring() if backend is None else backend
    keyring.set_keyring(backend)
    keychain_usable(refresh=True)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        keychain_usable(refresh=True)


def full_webhook(secret: str = CANARY) -> Webhook:
    """Return a webhook whose every field differs from its default."""
    return Webhook(
        name="Orders → CRM ü",
        url=f"https://carol:{secret}-url@example.test/hooks?token={secret}-q&x=1",
        topic_key="sale.new",
        body_format=BodyFormat.XML,
        body_mode=BodyMode.TEMPLATE,
        body="<order>{{ event.id }}</order>",
        event_text='{"id": 7}',
        auth_enabled=True,
        username="carol",
        password=secret,
        headers=(
            HeaderRow("X-Api-Key", f"{secret}-header", enabled=False, secret=True),
            HeaderRow("X-Plain", "plain value"),
        ),
        secret_query_parameters=("token",),
        charset_parameter=True,
        user_agent="Custom/1.0",
        timeouts=Timeouts(operation=5.5, total=60.0),
        proxy=ProxySetting(
            ProxyMode.EXPLICIT, f"http://pu:{secret}-proxy@proxy.test:3128"
        ),
        tls=TlsSetting(
            verify=False,
            ca_bundle="/certs/ca.pem",
            client_cert="/certs/client.pem",
            client_key="/certs/client.key",
            client_cert_password=f"{secret}-cert",
        ),
        redirects=RedirectSetting(follow=True, max_redirects=3),
    )


def sample_result(
    *,
    url: str = "http://127.0.0.1:9/hook?token=tok-value&x=1",
    status: int | None = 200,
    body: bytes = b'{"ok": true}',
    request_body: bytes = b'{"id": 1}',
    failure: Failure | None = None,
    headers: tuple[tuple[str, str], ...] = (),
    secret_headers: frozenset[str] = frozenset({"authorization"}),
) -> DeliveryResult:
    """Return a delivery result as the sender builds one, without a network."""
    sent_headers = (
        ("Host", "127.0.0.1:9"),
        ("Content-Type", "application/json"),
        ("User-Agent", "BrainCertHookStudio/test"),
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate"),
        ("Authorization", "Basic Y2Fyb2w6cGFzcy13b3Jk"),  # carol:pass-word
        *headers,
        ("Content-Length", str(len(request_body))),
    )
    request = SentRequest("POST", url, sent_headers, request_body, secret_headers)
    response = None
    if status is not None:
        response = ReceivedResponse(
            status=status,
            reason="OK" if status == 200 else "Error",
            http_version="HTTP/1.1",
            headers=(("Content-Type", "application/json"),),
            body=body,
            size=len(body),
        )
    return DeliveryResult(
        url=url,
        started_at=datetime(2026, 12, 4, 16, 12, 0, 123000, tzinfo=UTC),
        elapsed_ms=42.5,
        request=request,
        response=response,
        failure=failure,
        headers_ms=30.25 if response is not None else None,
    )


def failed_result(kind: FailureKind = FailureKind.REFUSED) -> DeliveryResult:
    """Return a delivery that got no response."""
    return sample_result(
        status=None, failure=Failure(kind, "Connection refused.", "errno 111")
    )
