"""Print the size of a frozen bundle and what dominates it.

    python packaging/bundle_report.py [BUNDLE] [--top N] [--xz] [--system-libraries]

BUNDLE defaults to dist/bchook-studio. The report gives the unpacked size,
which is the sum of the regular files (symbolic links count as nothing), and
the largest folders and files. With `--xz` it adds the size of the bundle as a
tar stream compressed like `xz -9`, by Python's lzma with preset 9 on one
thread. That took about two minutes for 134 MB on one core of a 2-core machine.

With `--system-libraries` (Linux only) it runs `ldd` on every shared library
and executable in the bundle, as the bundled app resolves them (the
bootloader puts `_internal` on LD_LIBRARY_PATH), and lists the libraries
taken from the system and any that are not found. It exits with status 1
when a library is not found.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE = ROOT / "dist" / "bchook-studio"
MB = 1_000_000
ELF_MAGIC = b"\x7fELF"


def regular_files(bundle: Path) -> list[tuple[Path, int]]:
    """Return every regular file under `bundle` with its size; links are skipped."""
    files = []
    for folder, _dirs, names in os.walk(bundle):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink():
                files.append((path, path.stat().st_size))
    return files


def unpacked_size(bundle: Path) -> int:
    """Return the total size in bytes of the regular files under `bundle`."""
    return sum(size for _path, size in regular_files(bundle))


def group_name(relative: Path) -> str:
    """Return the folder a file is counted under in the breakdown.

    Files in `_internal/PySide6/Qt/lib` and `.../plugins/<type>` are grouped
    by that folder, the other PySide6 files as its Python bindings, other files
    by their first folder under `_internal`, and files directly in `_internal`
    by their own name, because each is a library.
    """
    parts = relative.parts
    if parts and parts[0] == "_internal":
        parts = parts[1:]
    if len(parts) <= 1:
        return "/".join(parts)
    if parts[:2] == ("PySide6", "Qt") and len(parts) > 3:
        depth = 4 if parts[2] == "plugins" and len(parts) > 4 else 3
        return "/".join(parts[:depth])
    if parts[0] == "PySide6":
        return "PySide6/ (Python bindings)"
    return parts[0] + "/"


class _CountingWriter(io.RawIOBase):
    """A write-only stream that only counts the bytes written to it."""

    def __init__(self) -> None:
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.count += len(data)
        return len(data)


def xz_size(bundle: Path) -> int:
    """Return the size of `bundle` as a tar stream compressed with xz preset 9."""
    counter = _CountingWriter()
    with tarfile.open(fileobj=counter, mode="w:xz", preset=9) as archive:
        archive.add(bundle, arcname=bundle.name)
    return counter.count


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == ELF_MAGIC


def system_libraries(bundle: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Run ldd on every ELF file and return the system and the missing libraries.

    The first dict maps each soname resolved outside the bundle to its path.
    The second maps each soname that was not found to the files that need it.
    """
    internal = bundle / "_internal"
    environment = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    bundle_root = str(bundle.resolve())
    from_system: dict[str, str] = {}
    missing: dict[str, list[str]] = {}

    for path, _size in regular_files(bundle):
        if not _is_elf(path):
            continue
        listing = subprocess.run(
            ["ldd", str(path)],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        ).stdout
        for line in listing.splitlines():
            name, arrow, location = line.strip().partition(" => ")
            if not arrow:
                continue
            location = location.split(" (", 1)[0].strip()
            if location == "not found":
                missing.setdefault(name, []).append(str(path.relative_to(bundle)))
            elif not os.path.realpath(location).startswith(bundle_root):
                from_system[name] = location
    return from_system, missing


def print_breakdown(bundle: Path, top: int) -> int:
    """Print the total, the largest groups and files; return the total in bytes."""
    files = regular_files(bundle)
    total = sum(size for _path, size in files)
    print(f"bundle: {bundle}")
    print(f"unpacked: {total / MB:.1f} MB in {len(files)} files")

    groups: Counter[str] = Counter()
    for path, size in files:
        groups[group_name(path.relative_to(bundle))] += size
    print(f"\nlargest parts (of {len(groups)}):")
    for name, size in groups.most_common(top):
        print(f"  {size / MB:7.1f} MB  {100 * size / total:4.1f}%  {name}")

    print("\nlargest files:")
    ranked = sorted(files, key=lambda item: item[1], reverse=True)[:top]
    for path, size in ranked:
        print(f"  {size / MB:7.1f} MB  {path.relative_to(bundle)}")
    return total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument(
        "--top", type=int, default=15, help="rows per table (default 15)"
    )
    parser.add_argument(
        "--xz", action="store_true", help="also measure the xz -9 compressed size"
    )
    parser.add_argument(
        "--system-libraries",
        action="store_true",
        help="list the libraries taken from the system (Linux, needs ldd)",
    )
    options = parser.parse_args(argv[1:])

    bundle: Path = options.bundle
    if not bundle.is_dir():
        print(
            f"bundle_report: {bundle} does not exist; run `make package` first",
            file=sys.stderr,
        )
        return 2

    print_breakdown(bundle, options.top)
    if options.xz:
        print(f"\ntar | xz -9: {xz_size(bundle) / MB:.1f} MB")

    status = 0
    if options.system_libraries:
        from_system, missing = system_libraries(bundle)
        print(f"\nlibraries taken from the system ({len(from_system)}):")
        print("  " + " ".join(sorted(from_system)))
        if missing:
            status = 1
            print(f"\nlibraries not found ({len(missing)}):")
            for name, needers in sorted(missing.items()):
                print(f"  {name}, needed by {', '.join(needers[:3])}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
