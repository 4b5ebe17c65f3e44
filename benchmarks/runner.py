"""Run the suite, print one table, and write the JSON record and the docs page."""

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import report
from benchmarks.criteria import CRITERIA, judge
from benchmarks.machine import describe_machine
from benchmarks.processes import ROOT, ProbeRunner
from benchmarks.scenarios import FULL, SCENARIOS, SMOKE, Sizes

logger = logging.getLogger(__name__)

JSON_NAME = "latest.json"
MARKDOWN_NAME = "benchmarks.md"
PROBE_TIMEOUT_SECONDS = 300.0


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios asked for; return 0 when the run completed."""
    options = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    sizes = SMOKE if options.smoke else FULL
    output = _output_folder(options)
    names = options.only or list(SCENARIOS)

    started = time.monotonic()
    measured: dict[str, tuple[list[float], list[float] | None]] = {}
    with tempfile.TemporaryDirectory(prefix="bchook-bench-") as work:
        runner = ProbeRunner(Path(work), PROBE_TIMEOUT_SECONDS)
        for name in names:
            scenario_started = time.monotonic()
            logger.info("running %s", name)
            measured.update(SCENARIOS[name](runner, sizes, Path(work)))
            logger.info("%s took %.0f s", name, time.monotonic() - scenario_started)

    records = [
        judge(criterion, *measured[criterion.name])
        for criterion in CRITERIA
        if criterion.name in measured
    ]
    run = {
        "mode": "smoke" if options.smoke else "full",
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "elapsed_s": time.monotonic() - started,
        "machine": describe_machine(),
        "repeats": _repeats(sizes),
    }
    print(report.text_table(records))
    if output is None:
        json_path = ROOT / "benchmarks" / JSON_NAME
        markdown_path = ROOT / "docs" / MARKDOWN_NAME
    else:
        output.mkdir(parents=True, exist_ok=True)
        json_path, markdown_path = output / JSON_NAME, output / MARKDOWN_NAME
    report.write_json(json_path, records, run)
    report.write_markdown(markdown_path, report.markdown_results(records, run))
    logger.info("wrote %s and %s", json_path, markdown_path)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the studio against its baselines and print one table.",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="small sizes and one repeat, to check that every probe runs",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="folder for latest.json and benchmarks.md; without it a full run "
        "updates benchmarks/latest.json and docs/benchmarks.md, and a smoke run "
        "writes to a new temporary folder",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(SCENARIOS),
        help="run these scenarios only (needs --output-dir)",
    )
    options = parser.parse_args(argv)
    if options.only and options.output_dir is None:
        parser.error(
            "--only needs --output-dir, so a partial run never replaces "
            "the committed results"
        )
    return options


def _output_folder(options: argparse.Namespace) -> Path | None:
    """Return the folder to write to, or None for the committed files."""
    if options.output_dir is not None:
        return options.output_dir
    if options.smoke:
        return Path(tempfile.mkdtemp(prefix="bchook-bench-smoke-"))
    return None


def _repeats(sizes: Sizes) -> str:
    return (
        f"start-up {sizes.startup_repeats}, large bodies {sizes.body_repeats}, "
        f"typing {sizes.typing_repeats} ({sizes.typing_bursts} bursts each), "
        f"sends {sizes.sends_repeats}, receiver {sizes.receiver_repeats}"
    )
