"""Sequential sends to a loopback server, timed from the first to the last.

Roles: `product` sends through `bchook_studio.core.delivery.send.deliver` with a
ClientPool and records each result with `store.history.record`, as the command
line does for each send. The store is opened, and its history module loaded,
before the clock starts. The baseline, `httpx`, posts the same body and headers
with one `httpx.AsyncClient`. Both create their HTTP client inside the timed
loop and read every response body.
"""

import argparse
import asyncio

from benchmarks.probes.output import emit

TOPIC = "course.created"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("product", "httpx"))
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=500)
    options = parser.parse_args()
    run = _product if options.role == "product" else _httpx
    elapsed, statuses = asyncio.run(run(options.url, options.count))
    emit(
        {
            "sends": options.count,
            "elapsed_ms": elapsed * 1000,
            "per_second": options.count / elapsed,
            "ok": statuses.count(200),
        }
    )


def _request(url: str):
    from bchook_studio.core.bodies import default_body
    from bchook_studio.core.delivery.request import OutgoingRequest
    from bchook_studio.core.formats import BodyFormat
    from bchook_studio.core.topics import find_topic

    body = default_body(find_topic(TOPIC), BodyFormat.JSON).encode("utf-8")
    return OutgoingRequest(url=url, body=body, content_type="application/json")


async def _product(url: str, count: int) -> tuple[float, list[int]]:
    from bchook_studio.core.delivery.clients import ClientPool
    from bchook_studio.core.delivery.send import deliver
    from bchook_studio.core.store import Store
    from benchmarks.clock import now

    request = _request(url)
    statuses: list[int] = []
    with Store.open(interactive=False) as store:
        # The history module loads on first use; like opening the store, that
        # is set-up, not part of a send.
        history = store.history
        started = now()
        pool = ClientPool()
        for _ in range(count):
            result = await deliver(request, pool)
            history.record(result, None, "benchmark", TOPIC)
            statuses.append(result.response.status if result.response else 0)
        await pool.aclose()
        elapsed = now() - started
    return elapsed, statuses


async def _httpx(url: str, count: int) -> tuple[float, list[int]]:
    import httpx

    from benchmarks.clock import now

    request = _request(url)
    headers = [(name, value) for name, value in request.wire_headers()]
    statuses: list[int] = []
    started = now()
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(count):
            response = await client.post(url, content=request.body, headers=headers)
            await response.aread()
            statuses.append(response.status_code)
    elapsed = now() - started
    return elapsed, statuses


if __name__ == "__main__":
    main()
