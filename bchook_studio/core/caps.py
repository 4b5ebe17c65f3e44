"""Size caps for bodies: one place defines them, each a setting."""

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class SizeCaps:
    """Byte limits applied to bodies. A body over a cap is cut and marked truncated."""

    capture: int = 50 * MIB
    """Bytes of a response or request body kept, counted after decoding."""

    display: int = 32 * MIB
    """Bytes a view loads. "Save body…" writes all the bytes kept under `capture`."""

    highlight: int = 16 * MIB
    """Bytes above which a view shows plain text without syntax colours."""

    history: int = 1 * MIB
    """Bytes of each body stored with a delivery in the history."""


DEFAULT_CAPS = SizeCaps()


def format_size(size: int) -> str:
    """Return a byte count in binary units, as the settings give caps in MiB.

    Examples: `512 B`, `1 KiB`, `1.5 KiB`, `50 MiB`, `2.3 GiB`. One decimal
    place is shown unless it is 0.
    """
    if size < 1024:
        return f"{size} B"

    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        # Compare after rounding, so 1048575 B is `1 MiB` and not `1024 KiB`.
        if round(value, 1) < 1024 or unit == "GiB":
            break
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


def format_sizes_apart(first: int, second: int) -> tuple[str, str]:
    """Return two different byte counts as two different texts.

    Both are in binary units, as `format_size` writes them, unless rounding
    would show two different counts equal (10,485,773 and 10,485,760 bytes
    are both `10 MiB`). Then both are exact byte counts.
    """
    first_text, second_text = format_size(first), format_size(second)
    if first != second and first_text == second_text:
        return f"{first:,} bytes", f"{second:,} bytes"
    return first_text, second_text
