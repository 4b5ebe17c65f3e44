"""The shape of a network case: a scenario, its expected failure kind and message.

A scenario is a coroutine that starts its own loopback servers, sends through
`Env.send` with the case's shared ClientPool, and returns an Outcome. The
runner in test_table.py checks the kind and the fragment, runs the case's own
checks, and then sends a normal delivery with the same pool.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bchook_studio.core.delivery.clients import ClientPool
from bchook_studio.core.delivery.kinds import FailureKind
from bchook_studio.core.delivery.request import OutgoingRequest
from bchook_studio.core.delivery.result import DeliveryResult
from bchook_studio.core.delivery.send import deliver
from tests.network.certificates import Certificates

JSON = "application/json"
BASIC_PASSWORD = "basic-pass-c0ffee"
PROXY_PASSWORD = "proxy-pass-5d1e"
SECRET_HEADER_VALUE = "token-value-8b2f"
WRONG_PASSPHRASE = "wrong-passphrase-0e9d"


@dataclass
class Env:
    """What a scenario gets: certificates, a folder, the environment and the pool."""

    certs: Certificates
    folder: Path
    monkeypatch: pytest.MonkeyPatch
    pool: ClientPool

    async def send(
        self, url: str, body: bytes = b"{}", **options: Any
    ) -> DeliveryResult:
        """Deliver `body` to `url` as a JSON webhook with `options` on the request."""
        options.setdefault("content_type", JSON)
        request = OutgoingRequest(url=url, body=body, **options)
        return await deliver(request, self.pool)


@dataclass
class Outcome:
    """A scenario's result and whatever its servers saw."""

    result: DeliveryResult
    seen: dict[str, Any] = field(default_factory=dict)


Scenario = Callable[[Env], Awaitable[Outcome]]
Check = Callable[[Outcome], None]


@dataclass(frozen=True)
class Case:
    """One row of the table."""

    name: str
    scenario: Scenario
    kind: FailureKind | None
    """The failure kind expected, or None for a delivery that must not fail."""

    fragment: str | None = None
    """Text the failure message must contain."""

    check: Check | None = None
    """More assertions on the outcome."""

    secrets: tuple[str, ...] = ()
    """Secrets the case uses, which the log must never contain."""
