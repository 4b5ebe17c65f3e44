"""Searching a large text a chunk at a time, forward and backward, wrapping."""

import pytest

from bchook_studio.core.text_search import TextSearch

TEXT = "alpha Beta gamma beta delta BETA"


def test_forward_finds_next():
    assert TextSearch(TEXT, "beta", 0, match_case=True).run() == (17, 21)


def test_forward_ignores_case():
    assert TextSearch(TEXT, "beta", 0).run() == (6, 10)


def test_forward_from_middle():
    assert TextSearch(TEXT, "beta", 11).run() == (17, 21)


def test_forward_wraps_around():
    search = TextSearch(TEXT, "alpha", 10)
    assert search.run() == (0, 5)
    assert search.wrapped


def test_backward_finds_previous():
    search = TextSearch(TEXT, "beta", 17, backward=True)
    assert search.run() == (6, 10)
    assert not search.wrapped


def test_backward_wraps_around():
    search = TextSearch(TEXT, "beta", 3, backward=True)
    assert search.run() == (28, 32)
    assert search.wrapped


def test_not_found():
    search = TextSearch(TEXT, "omega", 5)
    assert search.run() is None
    assert search.done


def test_empty_needle_rejected():
    with pytest.raises(ValueError):
        TextSearch(TEXT, "", 0)


def test_match_across_chunk_border():
    text = "x" * 2_000_005 + "needle" + "y" * 10
    search = TextSearch(text, "needle", 0, match_case=True)
    steps = 0
    while not search.step(0):
        steps += 1
    assert search.match == (2_000_005, 2_000_011)
    assert steps >= 1


def test_case_insensitive_across_chunk_border():
    text = "x" * 249_998 + "NeEdLe" + "y" * 10
    assert TextSearch(text, "needle", 0).run() == (249_998, 250_004)


def test_backward_across_chunks():
    text = "needle" + "x" * 5_000_000
    assert TextSearch(text, "needle", len(text), backward=True).run() == (0, 6)


def test_step_is_bounded():
    text = "z" * 20_000_000
    search = TextSearch(text, "needle", 0)
    finished = search.step(0)
    assert not finished
    assert search.match is None
