"""Many clients at once: nothing lost, and bad clients do not stop good ones."""

import asyncio

import httpx
import pytest

from bchook_studio.core.receiver import ReceiverLimits
from tests.receiver.helpers import client, run, running, send_raw

CLIENTS = 20
REQUESTS_PER_CLIENT = 100
MALFORMED = 50


@pytest.mark.slow
def test_load_then_malformed_then_normal():
    limits = ReceiverLimits(max_kept_requests=5000)
    connection_limits = httpx.Limits(
        max_connections=CLIENTS, max_keepalive_connections=CLIENTS
    )

    async def one_client(http: httpx.AsyncClient, url: str, number: int) -> list[int]:
        statuses = []
        for index in range(REQUESTS_PER_CLIENT):
            body = f'{{"client": {number}, "index": {index}}}'.encode()
            response = await http.post(url, content=body)
            statuses.append(response.status_code)
        return statuses

    async def scenario():
        async with running(limits=limits) as receiver:
            url = f"{receiver.base_url}/load"
            async with client(limits=connection_limits) as http:
                async with asyncio.timeout(120):
                    results = await asyncio.gather(
                        *(one_client(http, url, n) for n in range(CLIENTS))
                    )
            loaded = receiver.log.requests()

            malformed = []
            async with asyncio.timeout(60):
                for index in range(MALFORMED):
                    data = f"BROKEN {index}\r\n\r\n".encode()
                    malformed.append((await send_raw(receiver, data)).status)

            async with client() as http:
                after = await http.post(url, content=b"{}")
            return results, loaded, malformed, after, receiver.log

    results, loaded, malformed, after, log = run(scenario(), timeout=240)

    total = CLIENTS * REQUESTS_PER_CLIENT
    statuses = [status for result in results for status in result]
    assert statuses == [200] * total
    assert len(loaded) == total
    assert sorted(r.id for r in loaded) == list(range(1, total + 1))
    expected_bodies = {
        f'{{"client": {n}, "index": {i}}}'.encode()
        for n in range(CLIENTS)
        for i in range(REQUESTS_PER_CLIENT)
    }
    assert {r.body for r in loaded} == expected_bodies
    # httpx reuses its connections, though it may replace a few of them.
    assert len({r.client_port for r in loaded}) < total / 10
    assert malformed == [400] * MALFORMED
    assert after.status_code == 200
    assert log.requests()[0].id == total + MALFORMED + 1
    assert log.dropped_count == 0
