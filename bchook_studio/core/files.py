"""File writes the GUI awaits, done off the GUI thread and atomically."""

import asyncio
import os
import tempfile
from pathlib import Path


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, so a crash leaves no half."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
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
