"""Exact-match filtering of sources across splits and within a split, in bounded memory.

Each source line is reduced to a 64-bit hash of its token ids (computed by the generator as it writes
the line). Two different lines collide with probability about 2**-64; a collision can only drop a row,
never let an overlap through. Seen hashes live in sorted numpy arrays of doubling sizes (a log-structured merge), so checking and
inserting a block costs O(block · log N) and 10 M hashes take 80 MB.
"""

from __future__ import annotations

import numpy as np

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
