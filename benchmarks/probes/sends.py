"""Sequential sends to a loopback server, timed from the first to the last.

Roles: `product` sends through `bchook_studio.core.delivery.send.deliver` with a
ClientPool and records the results with `store.history.record_many`, in one
transaction per RECORD_BATCH deliveries. The window's StoreController writes
the deliveries that queue up while it waits 50 ms the same way (on its worker
thread, at most 50 per transaction). Its history first contains `--history`
entries (the default retention), so recording also deletes the oldest
entries, as it does for a user who has sent that many. The baseline, `httpx`, posts the
same body and headers with one `httpx.AsyncClient` and reads every response
body.

Both sides build their HTTP client and make `--warm-up` untimed sends before
the clock starts, so the figure is the steady rate. The lazy imports of the
first send, and the baseline client's CA bundle, stay outside the clock. The store is
opened, and its history module loaded, before the clock starts too.
"""

import argparse
import asyncio

from benchmarks.probes.output import emit

TOPIC = "course.created"
RECORD_BATCH = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("product", "httpx"))
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--warm-up", type=int, default=20, help="untimed sends first")
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="entries in the history before the first send",
    )
    options = parser.parse_args()
    if options.role == "product":
        run = _product(options.url, options.count, options.warm_up, options.history)
    else:
        run = _httpx(options.url, options.count, options.warm_up)
    elapsed, statuses = asyncio.run(run)
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


async def _product(
    url: str, count: int, warm_up: int, history_entries: int
) -> tuple[float, list[int]]:
    from bchook_studio.core.delivery.clients import ClientPool
    from bchook_studio.core.delivery.send import deliver
    from bchook_studio.core.store import DeliveryRecord, Store
    from benchmarks.clock import now

    request = _request(url)
    statuses: list[int] = []
    with Store.open(interactive=False) as store:
        history = store.history
        pool = ClientPool()
        result = await deliver(request, pool)
        for _ in range(history_entries):
            history.record(result, None, "benchmark", TOPIC)
        for _ in range(warm_up):
            history.record(await deliver(request, pool), None, "benchmark", TOPIC)
        started = now()
        batch: list[DeliveryRecord] = []
        for _ in range(count):
            result = await deliver(request, pool)
            batch.append(DeliveryRecord(result, None, "benchmark", TOPIC))
            if len(batch) == RECORD_BATCH:
                history.record_many(batch)
                batch = []
            statuses.append(result.response.status if result.response else 0)
        history.record_many(batch)
        elapsed = now() - started
        await pool.aclose()
    return elapsed, statuses


async def _httpx(url: str, count: int, warm_up: int) -> tuple[float, list[int]]:
    import httpx

    from benchmarks.clock import now

    request = _request(url)
    headers = [(name, value) for name, value in request.wire_headers()]
    statuses: list[int] = []
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(warm_up):
            response = await client.post(url, content=request.body, headers=headers)
            await response.aread()
        started = now()
        for _ in range(count):
            response = await client.post(url, content=request.body, headers=headers)
            await response.aread()
            statuses.append(response.status_code)
        elapsed = now() - started
    return elapsed, statuses


if __name__ == "__main__":
    main()
