"""Draw the app icon source: a white hook with an arrow tip on a blue tile.

Writes a 1024x1024 RGBA PNG, by default to resources/icons/bchook-studio.png.
The committed PNG is the source that `make_icons.py` converts for each OS;
run this script again only to change the design.

    python packaging/make_icon_source.py [OUTPUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 1024
SCALE = 4
"""Drawing happens at SCALE times the size, then is reduced, for smooth edges."""

# The tile leaves a margin of 100 px, as macOS icons do, so the icon has the same
# visual weight as its neighbours in the Dock and in Finder.
TILE_MARGIN = 100
TILE_RADIUS = 190
TOP_BLUE = (47, 128, 237)
BOTTOM_BLUE = (21, 72, 178)
WHITE = (255, 255, 255, 255)
SHADOW = (8, 30, 80, 90)

STROKE = 86
SHANK_X = 676
SHANK_TOP = 360
SHANK_BOTTOM = 630
BEND_RADIUS = 150
EYE_RADIUS = 70
EYE_STROKE = 38
TIP_TOP = 535
ARROW_HALF_WIDTH = 92
ARROW_HEIGHT = 130

DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "resources/icons/bchook-studio.png"
)


def _scaled(*values: float) -> list[float]:
    return [value * SCALE for value in values]


def _gradient_tile() -> Image.Image:
    """Return the blue tile with a vertical gradient and rounded corners."""
    size = SIZE * SCALE
    gradient = Image.new("RGBA", (1, size))
    for y in range(size):
        share = y / (size - 1)
        colour = tuple(
            round(top + (bottom - top) * share)
            for top, bottom in zip(TOP_BLUE, BOTTOM_BLUE, strict=True)
        )
        gradient.putpixel((0, y), (*colour, 255))
    gradient = gradient.resize((size, size))

    mask = Image.new("L", (size, size), 0)
    low, high = TILE_MARGIN, SIZE - TILE_MARGIN
    ImageDraw.Draw(mask).rounded_rectangle(
        _scaled(low, low, high, high), radius=TILE_RADIUS * SCALE, fill=255
    )
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    tile.paste(gradient, (0, 0), mask)
    return tile


def _draw_hook(
    draw: ImageDraw.ImageDraw, colour: tuple[int, ...], dx: float = 0.0, dy: float = 0.0
) -> None:
    """Draw the hook: eye ring, shank, bend, and an arrow head on the point."""
    half = STROKE / 2
    bend_centre_x = SHANK_X - BEND_RADIUS
    tip_x = bend_centre_x - BEND_RADIUS

    eye_y = SHANK_TOP - EYE_RADIUS + EYE_STROKE / 2
    draw.ellipse(
        _scaled(
            SHANK_X - EYE_RADIUS + dx,
            eye_y - EYE_RADIUS + dy,
            SHANK_X + EYE_RADIUS + dx,
            eye_y + EYE_RADIUS + dy,
        ),
        outline=colour,
        width=EYE_STROKE * SCALE,
    )

    draw.rectangle(
        _scaled(
            SHANK_X - half + dx, SHANK_TOP + dy, SHANK_X + half + dx, SHANK_BOTTOM + dy
        ),
        fill=colour,
    )
    draw.arc(
        _scaled(
            bend_centre_x - BEND_RADIUS - half + dx,
            SHANK_BOTTOM - BEND_RADIUS - half + dy,
            bend_centre_x + BEND_RADIUS + half + dx,
            SHANK_BOTTOM + BEND_RADIUS + half + dy,
        ),
        start=0,
        end=180,
        fill=colour,
        width=STROKE * SCALE,
    )
    draw.rectangle(
        _scaled(tip_x - half + dx, TIP_TOP + dy, tip_x + half + dx, SHANK_BOTTOM + dy),
        fill=colour,
    )
    draw.polygon(
        _scaled(
            tip_x - ARROW_HALF_WIDTH + dx,
            TIP_TOP + 2 + dy,
            tip_x + ARROW_HALF_WIDTH + dx,
            TIP_TOP + 2 + dy,
            tip_x + dx,
            TIP_TOP - ARROW_HEIGHT + dy,
        ),
        fill=colour,
    )


def draw_icon() -> Image.Image:
    """Return the 1024x1024 icon."""
    tile = _gradient_tile()

    shadow = Image.new("RGBA", tile.size, (0, 0, 0, 0))
    _draw_hook(ImageDraw.Draw(shadow), SHADOW, dx=10, dy=16)
    tile.alpha_composite(shadow)

    hook = Image.new("RGBA", tile.size, (0, 0, 0, 0))
    _draw_hook(ImageDraw.Draw(hook), WHITE)
    tile.alpha_composite(hook)

    return tile.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    draw_icon().save(output, optimize=True)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
