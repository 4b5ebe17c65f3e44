"""The scenarios: each runs its baseline and candidate probes, interleaved.

Each repeat runs one baseline process and one candidate process, in the order
baseline-candidate on even repeats and candidate-baseline on odd ones, so a
slow spell on the machine does not fall on one side only. A full run's repeat
counts are even, so each side goes first equally often. Before its timed
repeats, each scenario runs each side once, untimed and with small sizes, to
compile the bytecode that both sides then load.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bchook_studio.core.store.settings import DEFAULT_HISTORY_RETENTION
from benchmarks import payloads
from benchmarks.processes import ProbeRunner, loopback_server

logger = logging.getLogger(__name__)

# name -> (candidate runs, baseline runs, or None without a baseline)
Measured = dict[str, tuple[list[float], list[float] | None]]


@dataclass(frozen=True)
class Sizes:
    """Sizes and repeat counts of one suite run."""

    startup_repeats: int
    body_bytes: int
    body_repeats: int
    template_lines: int
    template_bytes: int
    typing_bursts: int
    typing_repeats: int
    sends: int
    sends_repeats: int
    receiver_connections: int
    receiver_requests: int
    """Requests per connection."""

    receiver_repeats: int


# About 4 minutes in all on the 2-core VM of docs/benchmarks.md. Start-up runs
# take under half a second each, and on a shared VM one side's median moved by
# up to 20 % between runs of 15, so it gets more repeats than the rest. A
# receiver run lasts 2 to 5 seconds, so that connecting and the first requests
# are a small part of it.
FULL = Sizes(
    startup_repeats=24,
    body_bytes=10 * payloads.MB,
    body_repeats=6,
    template_lines=20_000,
    template_bytes=1 * payloads.MB,
    typing_bursts=8,
    typing_repeats=4,
    sends=500,
    sends_repeats=10,
    receiver_connections=20,
    receiver_requests=1000,
    receiver_repeats=8,
)

# Large enough that each path is the one the full run takes: a body over the
# 32 KiB that the response pane prepares inline, for example.
SMOKE = Sizes(
    startup_repeats=1,
    body_bytes=300_000,
    body_repeats=1,
    template_lines=2_000,
    template_bytes=100_000,
    typing_bursts=2,
    typing_repeats=1,
    sends=20,
    sends_repeats=1,
    receiver_connections=20,
    receiver_requests=5,
    receiver_repeats=1,
)


# Sizes of the untimed first run of each side.
WARM_UP_BODY_BYTES = 300_000
WARM_UP_TEMPLATE_LINES = 200
WARM_UP_TEMPLATE_BYTES = 10_000
WARM_UP_SENDS = 20
WARM_UP_REQUESTS = 5


def _pairs(repeats: int) -> Iterator[tuple[str, str]]:
    for repeat in range(repeats):
        yield (
            ("baseline", "candidate")
            if repeat % 2 == 0
            else (
                "candidate",
                "baseline",
            )
        )


def _interleave(
    repeats: int,
    baseline: Callable[[], dict],
    candidate: Callable[[], dict],
) -> tuple[list[dict], list[dict]]:
    """Run both sides `repeats` times in alternating order; return their results."""
    results: dict[str, list[dict]] = {"baseline": [], "candidate": []}
    runs = {"baseline": baseline, "candidate": candidate}
    for order in _pairs(repeats):
        for side in order:
            results[side].append(runs[side]())
    return results["candidate"], results["baseline"]


def startup(runner: ProbeRunner, sizes: Sizes, _work: Path) -> Measured:
    runner.run("startup", "bare", launched=True)
    runner.run("startup", "app", launched=True)
    app, bare = _interleave(
        sizes.startup_repeats,
        lambda: runner.run("startup", "bare", launched=True),
        lambda: runner.run("startup", "app", launched=True),
    )
    return {
        "startup": (_field(app, "startup_ms"), _field(bare, "startup_ms")),
        "idle_memory": (_field(app, "rss_mib"), _field(bare, "rss_mib")),
    }


def large_bodies(runner: ProbeRunner, sizes: Sizes, work: Path) -> Measured:
    measured: Measured = {}
    for language, build in (("json", payloads.json_body), ("xml", payloads.xml_body)):
        path = work / f"body.{language}"
        path.write_bytes(build(WARM_UP_BODY_BYTES))
        runner.run("large_body", "parse", language, str(path))
        runner.run("large_body", "view", language, str(path))
        path.write_bytes(build(sizes.body_bytes))
        view, parse = _interleave(
            sizes.body_repeats,
            lambda path=path, language=language: runner.run(
                "large_body", "parse", language, str(path)
            ),
            lambda path=path, language=language: runner.run(
                "large_body", "view", language, str(path)
            ),
        )
        measured[f"{language}_first_screen"] = (
            _field(view, "elapsed_ms"),
            _field(parse, "elapsed_ms"),
        )
        measured[f"{language}_max_stall"] = (_field(view, "max_gap_ms"), None)
        path.unlink()
    return measured


def typing(runner: ProbeRunner, sizes: Sizes, work: Path) -> Measured:
    path = work / "template.txt"
    text = payloads.template_text(sizes.template_lines, sizes.template_bytes)
    path.write_text(text, encoding="utf-8")
    bursts = ("--bursts", str(sizes.typing_bursts))
    small = work / "template-warm-up.txt"
    small.write_text(
        payloads.template_text(WARM_UP_TEMPLATE_LINES, WARM_UP_TEMPLATE_BYTES),
        encoding="utf-8",
    )
    for role in ("plain", "designer"):
        runner.run("typing", role, str(small), "--bursts", "1")
    designer, plain = _interleave(
        sizes.typing_repeats,
        lambda: runner.run("typing", "plain", str(path), *bursts),
        lambda: runner.run("typing", "designer", str(path), *bursts),
    )
    return {
        "typing_p95": (_field(designer, "p95_ms"), _field(plain, "p95_ms")),
        "typing_max": (_field(designer, "max_ms"), _field(plain, "max_ms")),
    }


def sends(runner: ProbeRunner, sizes: Sizes, _work: Path) -> Measured:
    history = ("--history", str(DEFAULT_HISTORY_RETENTION))

    def run(role: str, count: int = sizes.sends) -> dict:
        arguments = ("--count", str(count), *(history if role == "product" else ()))
        with loopback_server() as url:
            result = runner.run("sends", role, f"{url}/hook", *arguments)
        if result["ok"] != count:
            logger.warning("%s: %d of %d sends got 200", role, result["ok"], count)
        return result

    run("httpx", WARM_UP_SENDS)
    run("product", WARM_UP_SENDS)
    product, plain = _interleave(
        sizes.sends_repeats, lambda: run("httpx"), lambda: run("product")
    )
    return {
        "sends_throughput": (_field(product, "per_second"), _field(plain, "per_second"))
    }


def receiver(runner: ProbeRunner, sizes: Sizes, _work: Path) -> Measured:
    def load(requests: int) -> tuple[str, ...]:
        connections = str(sizes.receiver_connections)
        return ("--connections", connections, "--requests", str(requests))

    for role in ("uvicorn", "app"):
        runner.run("receiver", role, *load(WARM_UP_REQUESTS))
    app, uvicorn = _interleave(
        sizes.receiver_repeats,
        lambda: runner.run("receiver", "uvicorn", *load(sizes.receiver_requests)),
        lambda: runner.run("receiver", "app", *load(sizes.receiver_requests)),
    )
    return {
        "receiver_throughput": (
            _field(app, "per_second"),
            _field(uvicorn, "per_second"),
        ),
        "receiver_lost": (_field(app, "lost"), _field(uvicorn, "lost")),
        "receiver_max_stall": (_field(app, "max_gap_ms"), None),
    }


SCENARIOS: dict[str, Callable[[ProbeRunner, Sizes, Path], Measured]] = {
    "startup": startup,
    "large_bodies": large_bodies,
    "typing": typing,
    "sends": sends,
    "receiver": receiver,
}


def _field(results: list[dict], name: str) -> list[float]:
    return [float(result[name]) for result in results]
