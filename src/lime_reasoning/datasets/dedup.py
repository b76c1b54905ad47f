"""Exact-match filtering of sources across splits and within a split, in bounded memory.

Each source row is reduced to a 64-bit hash: the sum over positions of (token + 1) times a fixed
random odd 64-bit constant for that position, mixed with the row length. Two different rows collide
with probability about 2**-54, and a collision can only drop a row, never let an overlap through.
Seen hashes live in sorted numpy arrays of doubling sizes (a log-structured merge), so checking and
inserting a block costs O(block · log N) and 10 M hashes take 80 MB.
"""

from __future__ import annotations

import numpy as np

from lime_reasoning.ragged import Ragged, segment_positions

_MIX = np.random.default_rng(0x11AE).integers(1, 2**63, size=4096, dtype=np.int64).astype(np.uint64) | np.uint64(1)
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)


def row_hashes(rows: Ragged) -> np.ndarray:
    """A 64-bit hash of every row's token sequence."""
    rows = rows.compact()
    if len(rows) == 0:
        return np.zeros(0, dtype=np.uint64)
    positions = segment_positions(rows.lengths)
    if positions.max(initial=0) >= len(_MIX):
        positions = positions % len(_MIX)
    terms = (rows.values.astype(np.uint64) + np.uint64(1)) * _MIX[positions]
    sums = np.zeros(len(rows), dtype=np.uint64)
    nonempty = rows.lengths > 0
    sums[nonempty] = np.add.reduceat(terms, rows.starts[nonempty])
    return sums ^ (rows.lengths.astype(np.uint64) * _LENGTH_MIX)


def first_occurrences(hashes: np.ndarray) -> np.ndarray:
    """Mask of the rows whose hash does not appear earlier in the same array."""
    _, first = np.unique(hashes, return_index=True)
    keep = np.zeros(len(hashes), dtype=bool)
    keep[first] = True
    return keep


class HashSet:
    """A growing set of 64-bit hashes in sorted levels whose sizes double, merged like a binary counter."""

    def __init__(self, hashes: np.ndarray | None = None) -> None:
        self.levels: list[np.ndarray] = []
        if hashes is not None and len(hashes):
            self.add(hashes)

    def __len__(self) -> int:
        return sum(len(level) for level in self.levels)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(hashes), dtype=bool)
        for level in self.levels:
            index = np.searchsorted(level, hashes)
            found |= level[np.minimum(index, len(level) - 1)] == hashes
        return found

    def add(self, hashes: np.ndarray) -> None:
        level = np.unique(hashes)
        while self.levels and len(self.levels[-1]) <= len(level):
            level = np.union1d(self.levels.pop(), level)
        self.levels.append(level)

    def to_array(self) -> np.ndarray:
        return np.sort(np.concatenate(self.levels)) if self.levels else np.zeros(0, dtype=np.uint64)
