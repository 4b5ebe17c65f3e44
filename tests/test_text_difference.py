"""The changed span turns the old text into the new one, and is the smallest."""

import random

from hypothesis import given
from hypothesis import strategies as st

from bchook_studio.core.text_difference import ChangedSpan, changed_span, utf16_offset


def apply(old: str, new: str, span: ChangedSpan | None) -> str:
    if span is None:
        return old
    return old[: span.start] + new[span.start : span.new_end] + old[span.old_end :]


def test_equal_texts_have_no_span():
    assert changed_span("abc", "abc") is None


def test_one_character_typed():
    assert changed_span("abcd", "abXcd") == ChangedSpan(2, 2, 3)


def test_repeated_character_typed():
    span = changed_span("aaaa", "aaaaa")

    assert apply("aaaa", "aaaaa", span) == "aaaaa"
    assert span.old_end - span.start == 0
    assert span.new_end - span.start == 1


def test_edit_in_middle_of_large_text():
    old = "x" * 300_000 + "middle" + "y" * 300_000
    new = "x" * 300_000 + "MIDDLE!" + "y" * 300_000

    assert changed_span(old, new) == ChangedSpan(300_000, 300_006, 300_007)


@given(st.text(max_size=60), st.text(max_size=60))
def test_span_rebuilds_new_text(old, new):
    assert apply(old, new, changed_span(old, new)) == new


def test_random_edits_of_long_text():
    generator = random.Random(7)
    old = "".join(generator.choice("ab{}\n") for _ in range(200_000))
    for _ in range(20):
        start = generator.randrange(len(old))
        end = start + generator.randrange(5)
        new = old[:start] + generator.choice(["", "a", "}\n"]) + old[end:]
        span = changed_span(old, new)

        assert apply(old, new, span) == new


def test_utf16_offset_counts_astral_characters_twice():
    text = "a😀b"

    assert utf16_offset(text, 1) == 1
    assert utf16_offset(text, 2) == 3
    assert utf16_offset("é" * 4, 3) == 3
