"""Rules for the collected files that the frozen app leaves out, with reasons.

PyInstaller's Qt hooks collect every plugin of each type a Qt module can use,
every Qt translation, and the system libraries those plugins link against.
The spec passes each collected file's destination path (relative to the
bundle's `_internal` folder) to `exclusion_reason`, and drops the file when it
returns a reason. Keeping the rules here lets a test read them, and the spec
writes each dropped file with its reason to build/generated/dropped-files.txt.

Qt plugin file names differ per OS: `libqxcb.so` on Linux, `libqcocoa.dylib`
on macOS, `qwindows.dll` on Windows. `plugin_name` maps them to one name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TocEntry = tuple[str, str, str]
"""A PyInstaller TOC entry: destination path, source path, type code."""

LINUX = "linux"
MACOS = "darwin"
WINDOWS = "win32"

# The native platform plugin of each OS, plus offscreen for headless runs
# (the self-test and CI).
PLATFORM_PLUGINS: dict[str, frozenset[str]] = {
    LINUX: frozenset({"xcb", "offscreen"}),
    MACOS: frozenset({"cocoa", "offscreen"}),
    WINDOWS: frozenset({"windows", "offscreen"}),
}

# Plugin folders the app never loads. It reads no image files, because its
# icons are drawn with QPainter and PNG support is built into QtGui. It uses no
# SVG icons, no OpenGL surfaces and no network status. It uses QtNetwork only
# on Windows, for local sockets, which need no TLS backend.
DROPPED_PLUGIN_FOLDERS: dict[str, str] = {
    "imageformats": "the app loads no image files; PNG is built into QtGui",
    "iconengines": "the SVG icon engine; the app draws its icons with QPainter",
    "egldeviceintegrations": "EGLFS device integrations for embedded displays",
    "wayland-decoration-client": "Wayland plugins; the bundle runs on X11",
    "wayland-graphics-integration-client": "Wayland plugins; the bundle runs on X11",
    "wayland-graphics-integration-server": "Wayland plugins; the bundle runs on X11",
    "wayland-shell-integration": "Wayland plugins; the bundle runs on X11",
    "generic": "evdev and TUIO input plugins for EGLFS and touch tables",
    "xcbglintegrations": "OpenGL for xcb windows; the app has no OpenGL surface",
    "networkinformation": "network status plugins; the app does not use them",
    "tls": "QtNetwork TLS backends; httpx and Python's ssl module do the TLS",
    "permissions": "macOS permission prompts (camera, location); none are used",
}

# Individual plugins dropped from folders that are otherwise kept.
DROPPED_PLUGINS: dict[tuple[str, str], str] = {
    ("platformthemes", "gtk3"): (
        "the GTK 3 theme would pull a partial GTK stack (cairo, pango, "
        "gdk-pixbuf) from the build machine; the XDG portal theme stays"
    ),
    ("platforminputcontexts", "qtvirtualkeyboardplugin"): (
        "the virtual keyboard needs QtQuick and QML"
    ),
}

# Linux Qt libraries that only the dropped plugins link against (checked with
# readelf on PySide6 6.11). On Windows and macOS, where no build here can check
# the links, every Qt library PyInstaller collects stays.
_DROPPED_QT_LIBRARY = re.compile(
    r"^libQt6(Wayland\w*|Wl\w*|EglFS\w*|EglFsKmsSupport|Svg|OpenGL|Pdf|"
    r"VirtualKeyboard\w*)\.so\.6$"
)

# Linux libraries of the desktop stack. The app takes them from the system,
# exactly as `make test` does with the PySide6 wheel: libxcb, libX11 and
# fontconfig must match the X server, the GL driver and the font
# configuration of the user's machine. GLib and D-Bus come with every desktop,
# and so do the libraries only they load (systemd, gcrypt, pcre2 and others).
# The Debian packages that provide the libraries Qt links against directly are
# listed in .ci/install-system-packages and in packaging/README.md.
_SYSTEM_LIBRARY = re.compile(
    r"^lib("
    r"X11|X11-xcb|Xau|Xdmcp|Xext|Xrender|Xi|Xfixes|SM|ICE|"
    r"xcb(-[a-z0-9-]+)?|xkbcommon(-x11)?|"
    r"fontconfig|freetype|"
    r"glib-2\.0|gobject-2\.0|gio-2\.0|gmodule-2\.0|gthread-2\.0|"
    r"dbus-1|systemd|gcrypt|gpg-error|lz4|cap|mount|blkid|selinux|pcre2-8|"
    r"bsd|md"
    r")\.so(\.\d+)*$"
)

TRANSLATIONS_REASON = (
    "Qt translations: the UI is in English, and Qt's own English strings are "
    "compiled in"
)
SYSTEM_LIBRARY_REASON = "a desktop library the app takes from the system"
OPENGL_SOFTWARE_REASON = "software OpenGL for Windows; the app draws no OpenGL"


@dataclass(frozen=True)
class Dropped:
    """One collected file left out of the bundle."""

    path: str
    """Destination path in the bundle, relative to `_internal`."""

    reason: str
    source: str = ""
    """The file PyInstaller collected it from."""


def source_size(source: str) -> int:
    """Return the size in bytes of the file a collected path comes from.

    A system library's path is often a symbolic link; its target's size
    counts, because PyInstaller copies the target. The source of a link that
    PyInstaller itself creates inside the bundle is a relative path, which
    gives 0.
    """
    path = Path(source)
    if not source or not path.is_absolute() or not path.is_file():
        return 0
    return path.stat().st_size


def plugin_name(file_name: str) -> str:
    """Return a Qt plugin's name without its OS prefix and suffix.

    `libqxcb.so`, `libqcocoa.dylib` and `qwindows.dll` give `xcb`, `cocoa` and
    `windows`; a name without the usual `q` prefix keeps its stem.
    """
    stem = file_name
    for suffix in (".so", ".dylib", ".dll"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = stem.removeprefix("lib")
    if stem.startswith("q") and len(stem) > 1:
        stem = stem[1:]
    return stem


def _plugin_parts(parts: tuple[str, ...]) -> tuple[str, str] | None:
    """Return (folder, file name) for a path under a Qt `plugins` folder."""
    if "plugins" not in parts:
        return None
    index = len(parts) - 1 - parts[::-1].index("plugins")
    rest = parts[index + 1 :]
    if len(rest) != 2:
        return None
    return rest[0], rest[1]


def exclusion_reason(path: str, platform: str) -> str | None:
    """Return why the file at bundle path `path` is left out, or None to keep it.

    `path` is relative to the bundle's `_internal` folder, with either kind of
    slash; `platform` is a `sys.platform` value.
    """
    parts = PurePosixPath(path.replace("\\", "/")).parts
    name = parts[-1]

    if "translations" in parts and name.endswith(".qm"):
        return TRANSLATIONS_REASON

    plugin = _plugin_parts(parts)
    if plugin is not None:
        folder, file_name = plugin
        if folder in DROPPED_PLUGIN_FOLDERS:
            return DROPPED_PLUGIN_FOLDERS[folder]
        if (folder, plugin_name(file_name)) in DROPPED_PLUGINS:
            return DROPPED_PLUGINS[(folder, plugin_name(file_name))]
        keep = PLATFORM_PLUGINS.get(platform, frozenset())
        if folder == "platforms" and plugin_name(file_name) not in keep:
            return f"platform plugin not needed on {platform}; kept: {sorted(keep)}"
        return None

    if platform == LINUX and _DROPPED_QT_LIBRARY.match(name):
        return "a Qt library used only by the plugins left out"

    if platform == WINDOWS and name.lower() == "opengl32sw.dll":
        return OPENGL_SOFTWARE_REASON

    if platform == LINUX and len(parts) == 1 and _SYSTEM_LIBRARY.match(name):
        return SYSTEM_LIBRARY_REASON

    return None


def split_collected(
    entries: Iterable[TocEntry], platform: str
) -> tuple[list[TocEntry], list[TocEntry], list[Dropped]]:
    """Split TOC entries into kept and dropped ones by `exclusion_reason`.

    Returns the kept entries, the dropped entries, and a Dropped record for
    each dropped entry.
    """
    kept: list[TocEntry] = []
    dropped: list[TocEntry] = []
    records: list[Dropped] = []
    for entry in entries:
        reason = exclusion_reason(entry[0], platform)
        if reason is None:
            kept.append(entry)
        else:
            dropped.append(entry)
            records.append(Dropped(entry[0], reason, entry[1]))
    return kept, dropped, records


def _base_name(path: str) -> str:
    return PurePosixPath(path.replace("\\", "/")).name.lower()


def _reachable(
    starts: Iterable[TocEntry],
    by_name: dict[str, TocEntry],
    imported_names: Callable[[str], Iterable[str]],
) -> set[str]:
    """Return the base names of the libraries in `by_name` that `starts` load."""
    seen: set[str] = set()
    pending = list(starts)
    while pending:
        entry = pending.pop()
        for name in imported_names(entry[1]):
            key = _base_name(name)
            if key in by_name and key not in seen:
                seen.add(key)
                pending.append(by_name[key])
    return seen


def orphaned_libraries(
    kept: list[TocEntry],
    dropped: list[TocEntry],
    imported_names: Callable[[str], Iterable[str]],
) -> list[TocEntry]:
    """Return the kept libraries that only dropped binaries load.

    PyInstaller collects the libraries each collected binary links against, so
    dropping a plugin leaves its dependencies behind (the GTK theme leaves
    cairo and pango). `imported_names(source_path)` returns the names of the
    libraries a binary links against. A kept library stays when a kept binary
    outside the dropped binaries' dependencies reaches it, such as an
    extension module or a kept plugin. It also stays when no dropped binary
    loads it, because the app may open it at run time by name.
    """
    by_name = {_base_name(entry[0]): entry for entry in kept}
    needed_by_dropped = _reachable(dropped, by_name, imported_names)
    roots = [entry for entry in kept if _base_name(entry[0]) not in needed_by_dropped]
    needed_by_kept = _reachable(roots, by_name, imported_names)
    orphans = needed_by_dropped - needed_by_kept
    return [entry for entry in kept if _base_name(entry[0]) in orphans]
