"""Convert the icon source PNG to the formats each OS needs.

    python packaging/make_icons.py [SOURCE.png] OUTPUT_FOLDER

writes, under OUTPUT_FOLDER:

- `bchook-studio.ico`: Windows, 16 to 256 px;
- `bchook-studio.icns`: macOS, 16 to 1024 px (Pillow writes ICNS on any OS);
- `hicolor/NxN/apps/bchook-studio.png`: Linux, in the freedesktop icon theme
  layout, 16 to 512 px.

The source is 1024x1024 with a 100 px margin around the tile, as macOS icons
have. Sizes up to 48 px are cut from the tile without that margin, because at
those sizes the margin would waste a quarter of the pixels.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "resources/icons/bchook-studio.png"
ICON_NAME = "bchook-studio"

SOURCE_SIZE = 1024
TILE_MARGIN = 100
SMALL_SIZE_LIMIT = 48

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def load_source(path: Path) -> Image.Image:
    """Open the source PNG and check that it is a 1024x1024 image."""
    with Image.open(path) as opened:
        image = opened.convert("RGBA")
    if image.size != (SOURCE_SIZE, SOURCE_SIZE):
        raise ValueError(
            f"the icon source {path} is {image.size[0]}x{image.size[1]} px; "
            f"draw it at {SOURCE_SIZE}x{SOURCE_SIZE} (packaging/make_icon_source.py)"
        )
    return image


def render(source: Image.Image, size: int) -> Image.Image:
    """Return the icon at `size` px, without the margin at small sizes."""
    if size <= SMALL_SIZE_LIMIT:
        far = SOURCE_SIZE - TILE_MARGIN
        source = source.crop((TILE_MARGIN, TILE_MARGIN, far, far))
    return source.resize((size, size), Image.Resampling.LANCZOS)


def write_icons(source_path: Path, output: Path) -> list[Path]:
    """Write the .ico, the .icns and the hicolor PNGs; return the files written."""
    source = load_source(source_path)
    output.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    ico = output / f"{ICON_NAME}.ico"
    largest = render(source, ICO_SIZES[-1])
    smaller = [render(source, size) for size in ICO_SIZES[:-1]]
    largest.save(ico, format="ICO", append_images=smaller)
    written.append(ico)

    icns = output / f"{ICON_NAME}.icns"
    images = [render(source, size) for size in ICNS_SIZES]
    images[-1].save(icns, format="ICNS", append_images=images[:-1])
    written.append(icns)

    for size in HICOLOR_SIZES:
        png = output / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        render(source, size).save(png, optimize=True)
        written.append(png)
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[1]) if len(argv) == 3 else DEFAULT_SOURCE
    output = Path(argv[-1])
    for path in write_icons(source, output):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
