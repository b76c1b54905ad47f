"""Compressed-proof numerals, with values worked out from the encoding in the Metamath book (appendix B)."""

from __future__ import annotations

import pytest

from lime_reasoning.metamath.compressed import SAVE, UNKNOWN, CompressedProofError, decode


@pytest.mark.parametrize(
    ("numeral", "one_based"),
    [("A", 1), ("T", 20), ("UA", 21), ("UT", 40), ("VA", 41), ("YT", 120), ("UUA", 121), ("UUT", 140), ("UVA", 141)],
)
def test_numeral_values(numeral, one_based):
    assert decode(numeral) == [one_based - 1]


def test_marks_and_unknown_steps():
    assert decode("ABZCUAZ?") == [0, 1, SAVE, 2, 20, SAVE, UNKNOWN]
    assert decode("") == []


@pytest.mark.parametrize(
    ("letters", "message"),
    [
        ("ABa", "'a' at letter 3"),
        ("AB1C", "'1' at letter 3"),
        ("ABU", "numeral at letter 3 has no final letter"),
        ("ABUVZ", "numeral at letter 3 has no final letter"),
    ],
)
def test_corrupt_letters_are_reported_with_their_position(letters, message):
    with pytest.raises(CompressedProofError, match=message):
        decode(letters)
