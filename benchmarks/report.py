"""The results table as text, as Markdown for docs/benchmarks.md, and as JSON."""

import json
from pathlib import Path

RESULTS_START = "<!-- results:start -->"
RESULTS_END = "<!-- results:end -->"

_COLUMNS = ("criterion", "unit", "value", "baseline", "ratio", "target", "met")


def _number(value: object) -> str:
    if value is None:
        return "–"
    assert isinstance(value, int | float)
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _target(record: dict) -> str:
    checked = "ratio" if record["target_of"] == "ratio" else "value"
    suffix = "x" if checked == "ratio" else f" {record['unit']}"
    if record.get("aggregate") == "worst run":
        checked = f"worst run's {checked}"
    return f"{checked} {record['op']} {record['target']:g}{suffix}"


def _row(record: dict) -> tuple[str, ...]:
    ratio = record["ratio"]
    return (
        record["title"],
        record["unit"],
        _number(record["value"]),
        _number(record["baseline"]),
        "–" if ratio is None else f"{ratio:.2f}x",
        _target(record),
        "yes" if record["met"] else "NO",
    )


def text_table(records: list[dict]) -> str:
    """Return the records as one plain-text table for the terminal."""
    rows = [_COLUMNS, *(_row(record) for record in records)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(_COLUMNS))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(width) if index < 2 or index > 4 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_results(records: list[dict], run: dict) -> str:
    """Return the generated part of docs/benchmarks.md: machine, mode and table."""
    machine = run["machine"]
    lines = [
        RESULTS_START,
        f"Measured {run['finished']} ({run['mode']} run, {run['elapsed_s']:.0f} s) on:",
        "",
        f"- CPU: {machine['cpu']}, {machine['cores']} cores; "
        f"RAM: {machine['ram_gib']} GiB; {machine['os']}",
        f"- Python {machine['python']}, PySide6 {machine['pyside6']} "
        f"(Qt {machine['qt']}), qasync {machine['qasync']}, httpx "
        f"{machine['httpx']}, lxml {machine['lxml']}, uvicorn {machine['uvicorn']}",
        f"- Repeats: {run['repeats']}",
        "",
        "| " + " | ".join(_COLUMNS) + " |",
        "| " + " | ".join("---" for _ in _COLUMNS) + " |",
    ]
    lines += ["| " + " | ".join(_row(record)) + " |" for record in records]
    lines.append(RESULTS_END)
    return "\n".join(lines) + "\n"


def write_markdown(path: Path, generated: str) -> None:
    """Put `generated` between the result markers of `path`, or start the file."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        start = text.find(RESULTS_START)
        end = text.find(RESULTS_END)
        if start >= 0 and end > start:
            text = text[:start] + generated + text[end + len(RESULTS_END) + 1 :]
            path.write_text(text, encoding="utf-8")
            return
    path.write_text("# Benchmarks\n\n" + generated, encoding="utf-8")


def write_json(path: Path, records: list[dict], run: dict) -> None:
    """Write the run's description and one record per criterion to `path`."""
    document = {**run, "criteria": records}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
