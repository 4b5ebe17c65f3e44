"""Check the native Qt platform plugin of this OS, and start a QApplication.

Qt picks its platform plugin (xcb, cocoa, windows, offscreen) when the
QApplication starts, and aborts the process when the plugin or one of its
shared libraries is missing. The plugin check therefore loads the native
plugin's file with QPluginLoader, which reports a failure instead of aborting,
whatever QT_QPA_PLATFORM is set to.
"""

import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bchook_studio.core.selftest.cases import CheckFailed

logger = logging.getLogger(__name__)

OFFSCREEN = "offscreen"

# Platforms that need a display server, and the variable that names it.
_DISPLAY_VARIABLES = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}

# glibc's dlopen error names the first library it could not find.
_DLOPEN_MISSING = re.compile(r"([\w.+-]+\.so[\w.]*): cannot open shared object file")

_application = None
"""The QApplication the self-test created, kept until the process exits."""


def native_platform() -> str:
    """Return the name of the platform plugin Qt uses on this OS's desktop."""
    if sys.platform == "darwin":
        return "cocoa"
    if sys.platform == "win32":
        return "windows"
    return "xcb"


def plugin_file_name(platform: str) -> str:
    """Return the file name of a platform plugin on this OS, such as libqxcb.so."""
    if sys.platform == "win32":
        return f"q{platform}.dll"
    if sys.platform == "darwin":
        return f"libq{platform}.dylib"
    return f"libq{platform}.so"


def missing_libraries(plugin: Path, error: str) -> list[str]:
    """Return the shared libraries a plugin that failed to load cannot find.

    The loader's error names only the first one; on Linux, `ldd`, when it is
    installed, lists all of them.
    """
    names = _DLOPEN_MISSING.findall(error)
    ldd = shutil.which("ldd")
    if ldd is None or not sys.platform.startswith("linux"):
        return names

    # A frozen app's bootloader puts its own folder first on the library path
    # of the process, so ldd gets the same path.
    environment = dict(os.environ)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        inherited = os.environ.get("LD_LIBRARY_PATH", "")
        environment["LD_LIBRARY_PATH"] = os.pathsep.join(
            filter(None, [bundle, inherited])
        )

    try:
        listing = subprocess.run(
            [ldd, str(plugin)],
            capture_output=True,
            text=True,
            env=environment,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("ldd %s failed: %s", plugin, exc)
        return names

    for line in listing.splitlines():
        name, _, location = line.strip().partition(" => ")
        if location.strip() == "not found" and name not in names:
            names.append(name)
    return names


def check_platform_plugin() -> str:
    """Load the native platform plugin from Qt's plugins folder."""
    from PySide6.QtCore import QLibraryInfo, QPluginLoader

    platform = native_platform()
    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    plugin = folder / plugin_file_name(platform)
    if not plugin.is_file():
        present = (
            sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []
        )
        raise CheckFailed(
            f"the {platform} platform plugin {plugin} is missing; the folder "
            f"contains {', '.join(present) or 'nothing'}. Reinstall the app."
        )

    loader = QPluginLoader(str(plugin))
    if not loader.load():
        error = loader.errorString()
        missing = missing_libraries(plugin, error)
        if missing:
            raise CheckFailed(
                f"the {platform} platform plugin {plugin} cannot be loaded: these "
                f"libraries are missing: {', '.join(missing)}. Install the system "
                "packages that provide them; on Debian and Ubuntu the package is "
                "named after the library, such as libxcb-cursor0 for "
                "libxcb-cursor.so.0."
            )
        raise CheckFailed(
            f"the {platform} platform plugin {plugin} cannot be loaded: {error}"
        )

    keys = loader.metaData().get("MetaData", {}).get("Keys", [])
    if platform not in keys:
        raise CheckFailed(
            f"{plugin} loads but provides the platforms {keys}, not {platform}"
        )
    return f"{plugin.name} loads from {folder}"


def _startable(platforms: list[str]) -> bool:
    """Return whether Qt can start one of the QT_QPA_PLATFORM entries."""
    for entry in platforms:
        name = entry.split(":", 1)[0].strip()
        variable = _DISPLAY_VARIABLES.get(name)
        if variable is None or os.environ.get(variable):
            return True
    return False


def check_qt_application() -> str:
    """Start a QApplication and render a text editor off screen.

    QT_QPA_PLATFORM is set to offscreen unless it names a platform already,
    so the check runs without a display; with QT_QPA_PLATFORM=xcb and a
    display, it starts the native plugin for real.
    """
    global _application

    setting = os.environ.get("QT_QPA_PLATFORM", "").strip()
    if not setting:
        os.environ["QT_QPA_PLATFORM"] = setting = OFFSCREEN
    platforms = setting.split(";")
    if not _startable(platforms):
        variables = sorted(
            {_DISPLAY_VARIABLES[entry.split(":", 1)[0].strip()] for entry in platforms}
        )
        raise CheckFailed(
            f"QT_QPA_PLATFORM is {setting!r}, but {' and '.join(variables)} is not "
            "set, so Qt would abort. Unset QT_QPA_PLATFORM to run the self-test off "
            "screen."
        )

    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    if _application is None:
        _application = QApplication.instance() or QApplication(
            [sys.argv[0] if sys.argv else "bchook-studio"]
        )

    editor = QPlainTextEdit()
    editor.setPlainText('{"self-test": true}')
    editor.resize(320, 120)
    pixmap = editor.grab()
    editor.deleteLater()
    if pixmap.isNull() or pixmap.width() < 320:
        raise CheckFailed(
            f"Qt started on {_application.platformName()} but rendered an empty widget"
        )
    return f"Qt {qVersion()} runs on the {_application.platformName()} platform"
