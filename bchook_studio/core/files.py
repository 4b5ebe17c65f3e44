"""File writes the GUI awaits, done off the GUI thread and atomically."""

import asyncio
import os
import tempfile
from pathlib import Path

_TEMPORARY_NAME_BYTES = 200
"""UTF-8 bytes of the target's name kept in the temporary file's name. File
systems allow 255 bytes (or UTF-16 units), and mkstemp adds a dot, another
dot and 8 random characters, so a name of the full length needs shortening."""


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, so a crash leaves no half."""
    path = Path(path)
    name = path.name.encode("utf-8")[:_TEMPORARY_NAME_BYTES].decode("utf-8", "ignore")
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def save_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` on a worker thread; raises OSError on failure."""
    await asyncio.to_thread(write_bytes_atomically, path, data)
