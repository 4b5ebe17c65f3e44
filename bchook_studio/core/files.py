"""Atomic file writes, and reads bounded to regular files of a limited size."""

import asyncio
import errno
import logging
import os
import stat
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

_TEMPORARY_NAME_BYTES = 200
"""UTF-8 bytes of the target's name kept in the temporary file's name. File
systems allow 255 bytes (or UTF-16 units), and mkstemp adds a dot, another
dot and 8 random characters, so a name of the full length needs shortening."""

_SYSTEM_FOLDERS = ("/dev/", "/proc/")
"""Folders whose entries (such as /dev/stdout) are devices or open files."""


def write_bytes_atomically(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write `data` to `path` through a temporary file, so a crash leaves no half.

    The new file gets `mode`. A symbolic link is followed: the file it points
    to is replaced and the link stays. A device, a FIFO or a name under /dev
    or /proc (such as /dev/stdout) is written in place instead, because
    replacing it would put a regular file where it was.
    """
    path = Path(path)
    if _is_special(path):
        logger.debug("writing %d bytes in place to %s", len(data), path)
        _write_in_place(path, data, mode)
        return

    target = Path(os.path.realpath(path))
    name = target.name.encode("utf-8")[:_TEMPORARY_NAME_BYTES]
    prefix = "." + name.decode("utf-8", "ignore") + "."
    try:
        handle, temporary = tempfile.mkstemp(prefix=prefix, dir=target.parent)
    except FileNotFoundError:
        # Named after the folder, not the temporary file in it.
        raise FileNotFoundError(
            errno.ENOENT, "the folder does not exist", str(target.parent)
        ) from None
    try:
        # os.chmod, because os.fchmod is missing on Windows before Python 3.13.
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_in_place(path: Path, data: bytes, mode: int) -> None:
    # A FIFO opened for writing waits for a reader, so it is opened without
    # waiting: with no reader, the open fails with ENXIO instead of hanging.
    # O_CREAT and O_TRUNC matter for a regular file under /dev, such as in
    # /dev/shm; devices and FIFOs ignore them.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OSError(
                errno.ENXIO, "no program reads from this FIFO", str(path)
            ) from None
        raise
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    with open(descriptor, "wb") as stream:
        stream.write(data)


def _is_special(path: Path) -> bool:
    """True for a path that names something other than a regular file."""
    if str(path.absolute()).startswith(_SYSTEM_FOLDERS):
        return True
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return False
    return not stat.S_ISREG(status.st_mode)


class UnsuitableFileError(ValueError):
    """A file that is not a regular file, or is larger than its reader allows."""


def read_regular_file(path: Path, limit: int, description: str) -> bytes:
    """Return the bytes of the regular file `path` of up to `limit` bytes.

    Raises UnsuitableFileError, with `description` naming the file in the
    message, for a device, a FIFO or a socket (reading one can wait forever or
    never end) and for a larger file. OSError passes through.
    """
    from bchook_studio.core.caps import format_size

    named = f"the {description} {path}"
    status = os.stat(path)
    if stat.S_ISDIR(status.st_mode):
        raise UnsuitableFileError(f"{named} is a folder. Choose a file.")
    if not stat.S_ISREG(status.st_mode):
        raise UnsuitableFileError(
            f"{named} is not a regular file (it is a device, a pipe or a socket). "
            "Choose a file."
        )
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnsuitableFileError(
            f"{named} is over {format_size(limit)}, the most it can be. Choose a "
            "smaller file."
        )
    return data


async def save_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` on a worker thread; raises OSError on failure."""
    await asyncio.to_thread(write_bytes_atomically, path, data)
