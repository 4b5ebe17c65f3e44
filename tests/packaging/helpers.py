"""Paths of the packaging recipes, and imports of their helper modules."""

import importlib
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BUNDLE = ROOT / "dist" / "bchook-studio"
README = PACKAGING / "README.md"
SIZE_ROW = re.compile(
    r"^\| (?P<measure>[^|]+?) \| (?P<size>[\d.]+) \| (?P<limit>[\d.]+) \|$"
)


def packaging_module(name: str) -> ModuleType:
    """Import a module from packaging/, which is a folder of scripts, not a package.

    The folder itself goes on sys.path, never the checkout root, where the
    folder's name would hide the `packaging` distribution.
    """
    folder = str(PACKAGING)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


def recorded_sizes() -> dict[str, tuple[float, float]]:
    """Return the size table of packaging/README.md: measure -> (MB, limit MB)."""
    sizes = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = SIZE_ROW.match(line.strip())
        if match:
            sizes[match["measure"]] = (float(match["size"]), float(match["limit"]))
    return sizes
