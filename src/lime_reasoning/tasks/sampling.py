"""Vectorised sampling primitives shared by the tasks: one call draws for every example of a batch."""

from __future__ import annotations

import math

import numpy as np


def random_positions(rng: np.random.Generator, chosen: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    """An ``(n, width)`` mask with ``chosen`` cells set among the first ``lengths`` of each row, uniformly.

    Position by position, a cell is chosen with probability (still to choose) / (cells left): the
    sequential form of a uniformly random subset, cheaper than shuffling.
    """
    uniforms = rng.random((width, len(lengths)))
    to_choose = chosen.astype(np.float64)
    cells_left = lengths.astype(np.float64)
    mask = np.empty((width, len(lengths)), dtype=bool)
    for position in range(width):
        np.less(uniforms[position] * cells_left, to_choose, out=mask[position])
        to_choose -= mask[position]
        cells_left -= 1.0
    mask &= np.arange(width)[:, None] < lengths[None, :]
    return np.ascontiguousarray(mask.T)


def uniform_below(rng: np.random.Generator, bounds: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Integers uniform in ``0..bounds[row]-1``, exactly: one draw below a common multiple, reduced."""
    common = math.lcm(*np.unique(bounds).tolist())
    if common < 2**62:
        return rng.integers(0, common, size=shape) % bounds[:, None]
    return rng.integers(0, bounds[:, None], size=shape)


def shuffled_items(rng: np.random.Generator, lengths: np.ndarray, width: int) -> np.ndarray:
    """Per row, the items ``0..length-1`` in uniformly random order; padding columns hold ``>= length``."""
    keys = rng.random((len(lengths), width))
    keys[np.arange(width)[None, :] >= lengths[:, None]] = 2.0
    return np.argsort(keys, axis=1)


def row_offsets(n: int, width: int) -> np.ndarray:
    """Flat index of the first cell of each row of an ``(n, width)`` matrix, as a column."""
    return (np.arange(n, dtype=np.int64) * width)[:, None]
