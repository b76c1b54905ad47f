"""Batches of variable-length rows as flat numpy arrays.

Lines of text, token-id sequences: one flat array plus row offsets (the layout of Arrow list arrays),
so that selecting, joining or padding thousands of rows is a handful of vectorised numpy calls
instead of a Python loop per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def exclusive_cumsum(lengths: np.ndarray) -> np.ndarray:
    """Start offset of each row when rows of ``lengths`` are laid end to end."""
    starts = np.zeros(len(lengths), dtype=np.int64)
    if len(lengths) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    return starts


def segment_positions(lengths: np.ndarray) -> np.ndarray:
    """For rows laid end to end, each element's position within its own row."""
    total = int(lengths.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(exclusive_cumsum(lengths), lengths)


@dataclass(frozen=True)
class Ragged:
    """Rows of different lengths: row ``i`` is ``values[starts[i] : starts[i] + lengths[i]]``."""

    values: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray

    @classmethod
    def from_lengths(cls, values: np.ndarray, lengths: np.ndarray) -> Ragged:
        """Rows stored contiguously, one after another."""
        lengths = np.asarray(lengths, dtype=np.int64)
        return cls(values, exclusive_cumsum(lengths), lengths)

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[int]], dtype: np.dtype | type = np.int32) -> Ragged:
        """Build from Python sequences (tests and small inputs)."""
        lengths = np.array([len(row) for row in rows], dtype=np.int64)
        flat = np.fromiter((x for row in rows for x in row), dtype=dtype, count=int(lengths.sum()))
        return cls.from_lengths(flat, lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def is_contiguous(self) -> bool:
        return bool(np.array_equal(self.starts, exclusive_cumsum(self.lengths)))

    def compact(self) -> Ragged:
        """The same rows stored contiguously (a copy only when needed)."""
        if self.is_contiguous and len(self.values) == int(self.lengths.sum()):
            return self
        return self.take(np.arange(len(self)))

    def take(self, rows: np.ndarray) -> Ragged:
        """Rows in the order given by an index array (or a boolean mask), stored contiguously."""
        rows = np.asarray(rows)
        if rows.dtype == np.bool_:
            rows = np.flatnonzero(rows)
        lengths = self.lengths[rows]
        new_starts = exclusive_cumsum(lengths)
        source = np.repeat(self.starts[rows] - new_starts, lengths) + np.arange(
            int(lengths.sum()), dtype=np.int64
        )
        return Ragged(self.values[source], new_starts, lengths)

    def padded(self, width: int | None = None, fill: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """A ``(rows, width)`` matrix and its validity mask."""
        width = int(self.lengths.max(initial=0)) if width is None else width
        mask = np.arange(width)[None, :] < self.lengths[:, None]
        matrix = np.full((len(self), width), fill, dtype=self.values.dtype)
        source = np.repeat(self.starts, self.lengths) + segment_positions(self.lengths)
        matrix[mask] = self.values[source]
        return matrix, mask


def concat_rows(parts: Sequence[Ragged | bytes | np.ndarray], count: int) -> Ragged:
    """Row-wise concatenation: row ``i`` of the result is row ``i`` of every part, in order.

    A part that is not :class:`Ragged` is a constant (``bytes`` or a 1-d array) repeated in every row.
    """
    constants: dict[int, np.ndarray] = {}
    lengths = np.zeros(count, dtype=np.int64)
    dtype = None
    for index, part in enumerate(parts):
        if isinstance(part, Ragged):
            lengths += part.lengths
            dtype = dtype or part.values.dtype
        else:
            constant = np.frombuffer(part, dtype=np.uint8) if isinstance(part, bytes) else part
            constants[index] = constant
            lengths += len(constant)
            dtype = dtype or constant.dtype
    starts = exclusive_cumsum(lengths)
    out = np.empty(int(lengths.sum()), dtype=dtype)
    offset = starts.copy()
    for index, part in enumerate(parts):
        if index in constants:
            constant = constants[index]
            if len(constant):
                out[offset[:, None] + np.arange(len(constant))] = constant
                offset += len(constant)
            continue
        within = segment_positions(part.lengths)
        out[np.repeat(offset, part.lengths) + within] = part.values[
            np.repeat(part.starts, part.lengths) + within
        ]
        offset += part.lengths
    return Ragged(out, starts, lengths)

