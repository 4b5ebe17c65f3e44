"""Atomic file writes: the bytes, long names, modes, links and special files."""

import os
import stat
import sys

import pytest

from bchook_studio.core.files import write_bytes_atomically


@pytest.mark.parametrize("name", ["body.json", "b" * 250 + ".json", "é" * 125 + ".t"])
def test_written_byte_for_byte(tmp_path, name):
    path = tmp_path / name

    write_bytes_atomically(path, b"\x00\x01 data")

    assert path.read_bytes() == b"\x00\x01 data"
    assert [entry.name for entry in tmp_path.iterdir()] == [name]


def test_new_file_gets_mode(tmp_path):
    path = tmp_path / "export.sh"

    write_bytes_atomically(path, b"curl", mode=0o640)

    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_symlink_target_replaced_link_kept(tmp_path):
    target = tmp_path / "real.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(target)

    write_bytes_atomically(link, b"new")

    assert link.is_symlink()
    assert target.read_bytes() == b"new"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX only")
def test_fifo_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The reader opens its end before the write starts, as a program already
    # waiting on the FIFO has. It reads after the write, because a read before
    # any writer opens the FIFO returns end of file. The bytes wait in the buffer.
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_bytes_atomically(fifo, b"through the pipe")
        read_back = os.read(descriptor, 1024)
    finally:
        os.close(descriptor)

    assert read_back == b"through the pipe"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX only")
def test_fifo_without_reader_fails_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    with pytest.raises(OSError, match="no program reads from this FIFO"):
        write_bytes_atomically(fifo, b"nobody listens")

    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_dangling_symlink_names_missing_folder(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "missing" / "real.json")

    with pytest.raises(FileNotFoundError) as raised:
        write_bytes_atomically(link, b"data")

    assert raised.value.filename == str(tmp_path / "missing")
