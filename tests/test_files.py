"""Atomic file writes: the bytes, and names at the file system's length limit."""

import pytest

from bchook_studio.core.files import write_bytes_atomically


@pytest.mark.parametrize("name", ["body.json", "b" * 250 + ".json", "é" * 125 + ".t"])
def test_written_byte_for_byte(tmp_path, name):
    path = tmp_path / name

    write_bytes_atomically(path, b"\x00\x01 data")

    assert path.read_bytes() == b"\x00\x01 data"
    assert [entry.name for entry in tmp_path.iterdir()] == [name]
