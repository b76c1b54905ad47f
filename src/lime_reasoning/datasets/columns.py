"""Blocks of dataset rows held column by column, ready to be written in any format.

A text column is stored exactly as a text file holds it (every line followed by a newline), so the
``text`` format writes it with one ``write`` call; ``jsonl`` and ``parquet`` are built from the same
buffer with vectorised numpy, never a Python loop per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lime_reasoning.ragged import Ragged, concat_rows, exclusive_cumsum

NEWLINE = 10
WHITESPACE = np.zeros(256, dtype=bool)
WHITESPACE[[9, 10, 11, 12, 13, 32]] = True


@dataclass(frozen=True)
class TextColumn:
    """Lines of UTF-8 text: ``data`` holds every line followed by a newline, ``ends`` each newline's index."""

    data: np.ndarray
    ends: np.ndarray

    @classmethod
    def from_strings(cls, lines: Sequence[str]) -> TextColumn:
        encoded = [line.encode("utf-8") for line in lines]
        if any(b"\n" in line for line in encoded):
            raise ValueError("a text field contains a newline")
        lengths = np.fromiter((len(line) for line in encoded), dtype=np.int64, count=len(encoded))
        data = np.frombuffer(b"".join(line + b"\n" for line in encoded), dtype=np.uint8)
        return cls(data, exclusive_cumsum(lengths + 1) + lengths)

    @classmethod
    def from_ragged_bytes(cls, rows: Ragged) -> TextColumn:
        """Lines from rows of bytes that hold no newline."""
        joined = concat_rows([rows, b"\n"], len(rows))
        return cls(joined.values, joined.starts + joined.lengths - 1)

    @classmethod
    def empty(cls) -> TextColumn:
        return cls(np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.ends)

    @property
    def starts(self) -> np.ndarray:
        starts = np.zeros(len(self.ends), dtype=np.int64)
        starts[1:] = self.ends[:-1] + 1
        return starts

    @property
    def lengths(self) -> np.ndarray:
        """Bytes per line, newline excluded."""
        return self.ends - self.starts

    def lines(self) -> Ragged:
        """The lines as rows of bytes, newlines excluded (no copy)."""
        return Ragged(self.data, self.starts, self.lengths)

    def to_strings(self) -> list[str]:
        text = self.data.tobytes().decode("utf-8")
        return text.split("\n")[:-1] if len(self) else []

    def take(self, rows: np.ndarray) -> TextColumn:
        return TextColumn.from_ragged_bytes(self.lines().take(rows))

    @staticmethod
    def concat(columns: Sequence[TextColumn]) -> TextColumn:
        if not columns:
            return TextColumn.empty()
        offsets = exclusive_cumsum(np.array([len(c.data) for c in columns], dtype=np.int64))
        data = np.concatenate([c.data for c in columns])
        ends = np.concatenate([c.ends + offset for c, offset in zip(columns, offsets)])
        return TextColumn(data, ends)

    def token_counts(self) -> np.ndarray:
        """Whitespace-separated tokens per line."""
        is_text = ~WHITESPACE[self.data]
        begins = is_text.copy()
        begins[1:] &= ~is_text[:-1]
        before = np.concatenate([[0], np.cumsum(begins, dtype=np.int64)])
        return before[self.ends] - before[self.starts]


@dataclass(frozen=True)
class IntColumn:
    """Integers, one per row (for example a proof step's index)."""

    values: np.ndarray

    def __len__(self) -> int:
        return len(self.values)

    def take(self, rows: np.ndarray) -> IntColumn:
        return IntColumn(self.values[rows])

    @staticmethod
    def concat(columns: Sequence[IntColumn]) -> IntColumn:
        if not columns:
            return IntColumn(np.zeros(0, dtype=np.int64))
        return IntColumn(np.concatenate([c.values for c in columns]))

    def as_text(self) -> TextColumn:
        return TextColumn.from_strings([str(v) for v in self.values.tolist()])


Column = TextColumn | IntColumn


@dataclass(frozen=True)
class ColumnBlock:
    """Rows of a dataset split, column by column; ``src`` and ``tgt`` are always present."""

    columns: Mapping[str, Column]

    def __post_init__(self) -> None:
        sizes = {name: len(column) for name, column in self.columns.items()}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"columns of different lengths: {sizes}")
        missing = {"src", "tgt"} - set(self.columns)
        if missing:
            raise ValueError(f"a block needs the columns src and tgt; missing {sorted(missing)}")

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, str | int]]) -> ColumnBlock:
        """Columns from dictionaries that all have the same keys; ints become integer columns."""
        if not records:
            raise ValueError("no records")
        columns: dict[str, Column] = {}
        for name, first in records[0].items():
            values = [record[name] for record in records]
            if isinstance(first, int):
                columns[name] = IntColumn(np.array(values, dtype=np.int64))
            else:
                columns[name] = TextColumn.from_strings([str(v) for v in values])
        return cls(columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def take(self, rows: np.ndarray) -> ColumnBlock:
        return ColumnBlock({name: column.take(rows) for name, column in self.columns.items()})

    @staticmethod
    def concat(blocks: Sequence[ColumnBlock]) -> ColumnBlock:
        names = list(blocks[0].columns)
        return ColumnBlock(
            {name: type(blocks[0].columns[name]).concat([b.columns[name] for b in blocks]) for name in names}
        )

    def records(self) -> list[dict[str, str | int]]:
        decoded = {
            name: column.to_strings() if isinstance(column, TextColumn) else column.values.tolist()
            for name, column in self.columns.items()
        }
        return [dict(zip(decoded, row)) for row in zip(*decoded.values())]
