"""Size caps for bodies: one place defines them, each a setting."""

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class SizeCaps:
    """Byte limits applied to bodies. A body over a cap is cut and marked truncated."""

    capture: int = 50 * MIB
    """Bytes of a response or request body kept, counted after decoding."""

    display: int = 32 * MIB
    """Bytes a view loads; the rest is reachable through "Save body to file"."""

    highlight: int = 16 * MIB
    """Bytes above which a view shows plain text without syntax colours."""

    history: int = 1 * MIB
    """Bytes of each body stored with a delivery in the history."""


DEFAULT_CAPS = SizeCaps()


def format_size(size: int) -> str:
    """Return a byte count as people read it: 512 B, 1.2 KB, 3.4 MB (powers of 1024)."""
    if size < 1024:
        return f"{size} B"

    value = float(size)
    for unit in ("KB", "MB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} GB"
