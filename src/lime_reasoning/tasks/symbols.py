"""Per-example symbol roles: ``count`` distinct ids from ``0..vocab-1``, in uniformly random order.

Every example re-draws which ids are rule, case and math symbols; that is what makes the tasks
symbol-agnostic. For thousands of examples at once: draw a short stream of ids with replacement per
row and keep the first ``count`` distinct ones in order of first appearance. That is exactly the
sequential "draw again until new" algorithm, so every ordered tuple of distinct ids is equally likely.
A row whose stream holds too few distinct ids is drawn again from scratch; the event depends on no
particular id, so conditioning on it keeps the distribution uniform.
"""

from __future__ import annotations

import math

import numpy as np

FLOAT32_EXACT = 1 << 24


def stream_length(vocab: int, count: int) -> int:
    """Draws per row so that a row rarely holds fewer than ``count`` distinct ids."""
    expected_repeats = count * count / (2 * vocab)
    return count + math.ceil(2 * expected_repeats) + 6


def _first_distinct(draws: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` distinct ids of each row, and which rows had that many."""
    n, width = draws.shape
    exact_in_float = int(draws.max(initial=0)) * width + width < FLOAT32_EXACT
    key_type, int_type = (np.float32, np.int32) if exact_in_float else (np.int64, np.int64)
    # Sort each row by (id, position): within a run of equal ids, all but the first are repeats.
    keys = draws.astype(key_type) * key_type(width) + np.arange(width, dtype=key_type)
    keys = np.sort(keys, axis=1).astype(int_type)
    ids = keys // width
    rows, columns = np.nonzero(ids[:, 1:] == ids[:, :-1])
    keep = np.ones((n, width), dtype=bool)
    keep[rows, keys[rows, columns + 1] % width] = False
    keep &= np.cumsum(keep, axis=1, dtype=np.int16) <= count
    complete = keep.sum(axis=1) == count
    if complete.all():
        return draws[keep].reshape(n, count), complete
    return draws[complete][keep[complete]].reshape(-1, count), complete


def draw_symbols(rng: np.random.Generator, n: int, vocab: int, count: int) -> np.ndarray:
    """An ``(n, count)`` int32 matrix; each row holds distinct ids in uniformly random order."""
    if count > vocab:
        raise ValueError(f"cannot draw {count} distinct symbols from {vocab}")
    if vocab <= 4 * count:
        # Few ids to choose from: a random permutation of all of them is cheaper than rejection.
        return np.argsort(rng.random((n, vocab)), axis=1)[:, :count].astype(np.int32)
    width = stream_length(vocab, count)
    result = np.empty((n, count), dtype=np.int32)
    missing = np.arange(n)
    while len(missing):
        draws = rng.integers(0, vocab, size=(len(missing), width), dtype=np.int32)
        chosen, complete = _first_distinct(draws, count)
        result[missing[complete]] = chosen
        missing = missing[~complete]
    return result
