"""An HTTP/1.1 load generator on raw sockets: N keep-alive connections posting bodies.

Run it in its own process: `python -m benchmarks.load_generator PORT`. It opens
every connection to 127.0.0.1:PORT first, then each connection posts its
requests one after another and reads each response in full. It stops at
`--deadline` seconds even when requests remain, and prints one line
`BENCH-RESULT {json}` with the counts and the elapsed time.
"""

import argparse
import asyncio
import json

from benchmarks.clock import now
from benchmarks.probes.output import emit

BODY = json.dumps(
    {"resource": "course", "action": "created", "id": 7, "name": "Zoë's course"}
).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="per connection")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds")
    options = parser.parse_args()
    emit(asyncio.run(_load(options)))


async def _load(options: argparse.Namespace) -> dict[str, object]:
    streams = [
        await asyncio.open_connection("127.0.0.1", options.port)
        for _ in range(options.connections)
    ]
    request = (
        b"POST /load HTTP/1.1\r\n"
        b"Host: 127.0.0.1:%d\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: %d\r\n"
        b"\r\n" % (options.port, len(BODY))
    ) + BODY
    started = now()
    deadline = started + options.deadline
    counts = await asyncio.gather(
        *(
            _post_all(reader, writer, request, options.requests, deadline)
            for reader, writer in streams
        )
    )
    elapsed = now() - started
    for _reader, writer in streams:
        writer.close()
    sent = sum(count[0] for count in counts)
    ok = sum(count[1] for count in counts)
    return {
        "sent": sent,
        "ok": ok,
        "planned": options.connections * options.requests,
        "elapsed_ms": elapsed * 1000,
        "per_second": ok / elapsed,
    }


async def _post_all(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: bytes,
    count: int,
    deadline: float,
) -> tuple[int, int]:
    """Send `count` requests on one connection; return how many were sent and
    how many got a 200."""
    sent = ok = 0
    for _ in range(count):
        if now() > deadline:
            break
        writer.write(request)
        sent += 1
        try:
            status = await asyncio.wait_for(
                _read_response(reader), max(deadline - now(), 0.0)
            )
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            break
        ok += status == 200
    return sent, ok


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


if __name__ == "__main__":
    main()
