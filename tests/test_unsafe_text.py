"""Unsafe characters: which ones a line of text contains, and where."""

import sys

import pytest

from bchook_studio.core.unsafe_text import is_unsafe, unsafe_positions


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ("plain text", []),
        ("tab\tkept", []),
        ("", []),
        ("a\u200bb", [1]),
        ("\x00\x1b[2J", [0, 1]),
        ("caf\u00e9 \u202edef\u202c", [5, 9]),
        ("zwj\u200d and zwnj\u200c kept", []),
        ("soft\u00adhyphen", [4]),
        ("tag \U000e0041 char", [4]),
        ("\ufeffbom", [0]),
        ("line\u2028break", [4]),
    ],
)
def test_unsafe_positions_cases(text, positions):
    assert unsafe_positions(text) == positions


def test_unsafe_positions_find_every_unsafe_character():
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if chr(code) != "\t"
        and is_unsafe(chr(code))
        and unsafe_positions(chr(code)) != [0]
    ]

    assert missed == []
