"""Locate the data files that ship with the app (topic catalogue, icons).

A wheel and a frozen bundle carry the top-level `resources/` folder inside the
package as `bchook_studio/_resources`. An editable install or a plain checkout
has no such folder, so the locator falls back to `resources/` beside the package.
"""

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGED_NAME = "_resources"


class ResourcesNotFoundError(FileNotFoundError):
    """Neither the packaged nor the checkout resources folder exists."""


@cache
def resources_root() -> Traversable:
    """Return the folder that holds the app's resources."""
    packaged = resources.files("bchook_studio") / PACKAGED_NAME
    if packaged.is_dir():
        return packaged

    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout

    raise ResourcesNotFoundError(
        f"the app's resources are missing: looked for {packaged} and {checkout}. "
        "Reinstall BrainCert Hook Studio."
    )


def resource(*parts: str) -> Traversable:
    """Return one file or folder under the resources root."""
    node = resources_root()
    for part in parts:
        node = node / part
    return node
