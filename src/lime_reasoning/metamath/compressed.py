"""Decoding the letters of a compressed proof into step numbers.

The encoding (Metamath book, appendix B): a number is written as zero or more "high" digits ``U``..``Y``
(base 5, values 1..5) followed by one final digit ``A``..``T`` (base 20, values 1..20); ``Z`` marks the
previous step for reuse and ``?`` is an unknown step. Numbers 1..m name the mandatory hypotheses,
the next ones the labels in parentheses, the rest the steps saved with ``Z`` in order.

One ``re.findall`` cuts the letters into numerals in C; each distinct numeral is converted once and
then served from a dictionary with ``map`` (a few thousand distinct numerals cover all of set.mm).
"""

from __future__ import annotations

import re

SAVE = -1
UNKNOWN = -2
NUMERAL = re.compile(r"[U-Y]*[A-T]|Z|\?")
WELL_FORMED = re.compile(r"(?:[U-Y]*[A-T]|Z|\?)*")


class CompressedProofError(ValueError):
    """The letters are not a valid compressed proof; the message says what is wrong."""


def numeral_value(numeral: str) -> int:
    """The 0-based number a numeral stands for (``A`` is 0), or ``SAVE`` / ``UNKNOWN``."""
    if numeral == "Z":
        return SAVE
    if numeral == "?":
        return UNKNOWN
    value = 0
    for letter in numeral[:-1]:
        value = value * 5 + ord(letter) - ord("T")
    return value * 20 + ord(numeral[-1]) - ord("A")


_VALUES: dict[str, int] = {}


def decode(letters: str) -> list[int]:
    """Step numbers (0-based), ``SAVE`` for each ``Z`` and ``UNKNOWN`` for each ``?``."""
    numerals = NUMERAL.findall(letters)
    if len("".join(numerals)) != len(letters):
        _explain(letters)
    values = _VALUES
    for numeral in set(numerals).difference(values):
        values[numeral] = numeral_value(numeral)
    return list(map(values.__getitem__, numerals))


def _explain(letters: str) -> None:
    """Raise the error saying where ``letters`` stop being a compressed proof."""
    bad = WELL_FORMED.match(letters).end()
    rest = letters[bad:]
    high = len(rest) - len(rest.lstrip("UVWXY"))
    if high and (high == len(rest) or rest[high] in "Z?"):
        raise CompressedProofError(f"the numeral at letter {bad + 1} has no final letter A-T")
    raise CompressedProofError(f"{rest[high]!r} at letter {bad + high + 1} is not one of A-Z or '?'")
