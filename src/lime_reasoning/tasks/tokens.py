"""Tokens of a synthetic example: symbols ``0..V-1`` and, after them, the structural tokens.

Symbols print as their decimal id, exactly as the reference generator writes them, so its text files
and ours share one vocabulary. Structural token ``i`` has id ``V + i``.
"""

from __future__ import annotations

import numpy as np

STRUCTURAL: tuple[str, ...] = ("<UPPER>", "<LOWER>", "<MATH>", "<space>", ":", "[", "]", ",", "->")
MARK_UPPER, MARK_LOWER, MARK_MATH, MARK_SPACE, MARK_COLON, MARK_OPEN, MARK_CLOSE, MARK_COMMA, MARK_ARROW = range(9)
WORD = 8


def token_strings(vocab_size: int) -> list[str]:
    """The printed form of every token id."""
    return [str(i) for i in range(vocab_size)] + list(STRUCTURAL)


def token_table(vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every token followed by a space, NUL-padded to :data:`WORD` bytes, and that length."""
    strings = [s.encode("ascii") + b" " for s in token_strings(vocab_size)]
    words = np.zeros((len(strings), WORD), dtype=np.uint8)
    sizes = np.array([len(s) for s in strings], dtype=np.int64)
    for index, token in enumerate(strings):
        words[index, : len(token)] = np.frombuffer(token, dtype=np.uint8)
    return words, sizes
