"""The window's file dialogs, and the start path of its save dialogs.

A save dialog proposes a file name in the last folder used. Every file dialog
of the process shares the folder. It starts as the home folder, so no dialog
opens in the working directory the app was launched from.

QFileDialog is imported when a dialog opens, so that no start builds its
Python type and enum types.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bchook_studio.core.content_types import JSON, XML, language_for_content_type
from bchook_studio.gui.placeholders import fill

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

BINARY_SUFFIX = ".bin"

_last_folder: Path | None = None


def ask_save_path(
    parent: QWidget | None, title: str, name: str, file_filter: str = ""
) -> Path | None:
    """Ask where to save a file, proposing `name` in the last folder used.

    Return the chosen path, or None when the dialog was cancelled.
    """
    from PySide6.QtWidgets import QFileDialog

    path, _filter = QFileDialog.getSaveFileName(
        parent, title, str(save_folder() / name), file_filter
    )
    if not path:
        return None
    remember_folder(Path(path))
    return Path(path)


def ask_open_path(
    parent: QWidget | None, title: str, start: str, file_filter: str = ""
) -> str:
    """Ask for a file to open, starting at `start`; return '' when cancelled.

    The chosen file's folder becomes the last folder used.
    """
    from PySide6.QtWidgets import QFileDialog

    path, _filter = QFileDialog.getOpenFileName(parent, title, start, file_filter)
    if path:
        remember_folder(Path(path))
    return path


def save_folder() -> Path:
    """Return the folder of the last file saved, or the home folder."""
    return _last_folder if _last_folder is not None else Path.home()


def remember_folder(path: Path) -> None:
    """Start the next save dialog in the folder that contains `path`."""
    global _last_folder
    _last_folder = path.parent


_SUFFIXES = {
    "text/plain": ".txt",
    "text/html": ".html",
    "text/css": ".css",
    "text/csv": ".csv",
    "text/javascript": ".js",
    "application/javascript": ".js",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/gzip": ".gz",
    "application/octet-stream": BINARY_SUFFIX,
}
"""Suffixes of common media types. The mimetypes module reads the system's
tables too, which can list a rarer suffix first, such as .es for JavaScript."""


def body_file_name(stem: str, content_type: str) -> str:
    """Return `stem` with the file suffix usual for a body of `content_type`.

    Common media types take their usual suffix, and other JSON and XML types,
    suffixes such as `+json` included, give `.json` and `.xml`. Other types
    take the suffix the mimetypes module lists, and a missing or unknown type
    gives `.bin`.
    """
    mimetype = content_type.split(";", 1)[0].strip().lower()
    if mimetype in _SUFFIXES:
        return f"{stem}{_SUFFIXES[mimetype]}"
    language = language_for_content_type(content_type)
    if language == JSON:
        return f"{stem}.json"
    if language == XML:
        return f"{stem}.xml"
    import mimetypes

    suffix = mimetypes.guess_extension(mimetype) if mimetype else None
    return f"{stem}{suffix or BINARY_SUFFIX}"


def save_error_text(template: str, path: Path | str, error: OSError) -> str:
    """Return `template` ("Could not save to %1: %2.") filled in, with the fix.

    A folder given as the file needs a file name after it. Other errors, such
    as permissions or a full disk, need another folder.
    """
    from PySide6.QtCore import QCoreApplication

    # Windows reports a folder opened as a file as PermissionError.
    if isinstance(error, IsADirectoryError) or Path(path).is_dir():
        fix = QCoreApplication.translate("SavePaths", "Enter a file name after it.")
    else:
        fix = QCoreApplication.translate("SavePaths", "Choose another folder.")
    return fill(template, str(path), error.strerror or str(error)) + " " + fix
