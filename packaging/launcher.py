"""Entry script of the frozen app: the same `main` as the `bchook-studio` command."""

import multiprocessing
import os
import sys

from bchook_studio.cli import main

# The platform plugins the Linux bundle ships (see bundle_rules.PLATFORM_PLUGINS).
LINUX_PLATFORMS = frozenset({"xcb", "offscreen"})


def use_bundled_platform() -> None:
    """Point Qt at a platform plugin the Linux bundle ships: xcb or offscreen.

    On a Wayland desktop (WAYLAND_DISPLAY set) Qt tries its Wayland plugin
    first, and some desktops set QT_QPA_PLATFORM to `wayland` or
    `wayland;xcb`. The bundle ships no Wayland plugin, so Qt would print a
    qt.qpa.plugin error for each missing entry and abort when none is left.
    X11 apps run on Wayland desktops through XWayland, so xcb takes their place.
    """
    if not sys.platform.startswith("linux"):
        return
    setting = os.environ.get("QT_QPA_PLATFORM", "").strip()
    if not setting:
        if os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "xcb"
        return
    entries = [entry.strip() for entry in setting.split(";") if entry.strip()]
    bundled = [e for e in entries if e.split(":", 1)[0].strip() in LINUX_PLATFORMS]
    os.environ["QT_QPA_PLATFORM"] = ";".join(bundled) or "xcb"


def restore_library_path() -> None:
    """Give programs the app starts the LD_LIBRARY_PATH the user had.

    PyInstaller's bootloader puts the bundle's `_internal` folder on
    LD_LIBRARY_PATH and keeps the original in LD_LIBRARY_PATH_ORIG. Programs
    the app starts, such as xdg-open and the browser it opens, would otherwise
    load the bundle's OpenSSL, SQLite and libstdc++ instead of their own. This
    process keeps its search path: the dynamic loader reads the variable once,
    at start-up, and a worker process re-runs the bootloader, which sets it again.
    """
    if not sys.platform.startswith("linux") or not getattr(sys, "frozen", False):
        return
    original = os.environ.get("LD_LIBRARY_PATH_ORIG")
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


if __name__ == "__main__":
    # A worker process started with the "spawn" method re-runs this executable;
    # freeze_support turns that run into the worker instead of a second app.
    multiprocessing.freeze_support()
    use_bundled_platform()
    restore_library_path()
    sys.exit(main())
