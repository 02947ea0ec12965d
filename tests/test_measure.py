"""The one home of text measures: UTF-16 code units (Telegram's unit) and shortening with "…"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.measure import ELLIPSIS, shorten, utf16_index, utf16_len


def test_utf16_len_counts_astral_characters_twice_and_a_lone_surrogate_once():
    assert utf16_len("") == 0
    assert utf16_len("a中🎉") == 4
    assert utf16_len("𠀀") == 2  # CJK Extension B is astral too
    assert utf16_len("a\ud83d") == 2  # a lone surrogate is one unit, never an error


def test_utf16_index_maps_units_to_characters():
    text = "😀@Bot x"
    assert [utf16_index(text, u) for u in (0, 1, 2, 3, 6, 7, 8, 99)] == [0, 1, 1, 2, 5, 6, 7, 7]


@given(st.text())
def test_utf16_index_inverts_utf16_len(text):
    for i in range(len(text) + 1):
        assert utf16_index(text, utf16_len(text[:i])) == i


def test_shorten_cuts_to_the_limit_in_characters_with_an_ellipsis():
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
    assert shorten("開源模型", 2) == "開…"
    assert shorten("a b\nc", 10) == "a b\nc"  # whitespace is the caller's to fold
    assert shorten("abc", 1) == ELLIPSIS
    with pytest.raises(ValueError, match="limit"):
        shorten("abc", 0)


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_shorten_never_exceeds_and_keeps_a_prefix(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or (short.endswith(ELLIPSIS) and text.startswith(short[:-1]))
