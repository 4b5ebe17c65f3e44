"""The benchmark suite's smoke mode: every probe runs and every criterion is written.

Only the shape of the results is checked here; whether targets are met is for
`make bench` on a quiet machine.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.criteria import CRITERIA

ROOT = Path(__file__).resolve().parent.parent
NUMBER = (int, float)
COMMITTED = (ROOT / "benchmarks" / "latest.json", ROOT / "docs" / "benchmarks.md")


def _modification_times() -> list[int | None]:
    return [path.stat().st_mtime_ns if path.exists() else None for path in COMMITTED]


@pytest.fixture(scope="module")
def smoke_results(tmp_path_factory) -> dict:
    """Run `python -m benchmarks --smoke` once into a temporary folder."""
    pytest.importorskip(
        "uvicorn", reason="the receiver's baseline needs the bench extra: uvicorn"
    )
    output = tmp_path_factory.mktemp("bench")
    before = _modification_times()
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output-dir", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return {
        "stdout": completed.stdout,
        "json": json.loads((output / "latest.json").read_text(encoding="utf-8")),
        "markdown": (output / "benchmarks.md").read_text(encoding="utf-8"),
        "committed_before": before,
        "committed_after": _modification_times(),
    }


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_writes_every_criterion(smoke_results):
    names = [record["name"] for record in smoke_results["json"]["criteria"]]
    assert names == [criterion.name for criterion in CRITERIA]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda item: item.name)
def test_smoke_record_types(smoke_results, criterion):
    records = {record["name"]: record for record in smoke_results["json"]["criteria"]}
    record = records[criterion.name]
    assert record["unit"] == criterion.unit
    assert isinstance(record["value"], NUMBER)
    assert record["baseline"] is None or isinstance(record["baseline"], NUMBER)
    assert record["ratio"] is None or isinstance(record["ratio"], NUMBER)
    assert record["op"] in ("<=", ">=")
    assert isinstance(record["target"], NUMBER)
    assert isinstance(record["met"], bool)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_ratio_targets_have_baselines(smoke_results):
    for record in smoke_results["json"]["criteria"]:
        if record["target_of"] == "ratio":
            assert isinstance(record["baseline"], NUMBER), record["name"]
            assert isinstance(record["ratio"], NUMBER), record["name"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_describes_machine(smoke_results):
    machine = smoke_results["json"]["machine"]
    assert machine["cpu"]
    assert machine["cores"] >= 1
    assert machine["ram_gib"] > 0
    assert machine["python"]
    assert machine["qt"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_prints_one_table(smoke_results):
    lines = smoke_results["stdout"].strip().splitlines()
    assert lines[0].split()[0] == "criterion"
    assert len(lines) == 2 + len(CRITERIA)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_writes_markdown_results(smoke_results):
    assert "<!-- results:start -->" in smoke_results["markdown"]
    assert "<!-- results:end -->" in smoke_results["markdown"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_smoke_leaves_committed_files(smoke_results):
    assert smoke_results["committed_after"] == smoke_results["committed_before"]
