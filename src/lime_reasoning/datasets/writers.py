"""Writing blocks of rows in the three formats: fairseq text, JSON lines, parquet.

* ``text``: one file per column, ``{split}.src``, ``{split}.tgt`` (fairseq's parallel files, one
  example per line) plus ``{split}.task`` and any other column, so nothing is lost.
* ``jsonl``: ``{split}.jsonl``, one object per line with every column.
* ``parquet``: ``{split}-00000.parquet``, ``{split}-00001.parquet``, … (a new file at every
  checkpoint of a long split), which ``datasets.load_dataset("parquet", data_dir=DIR)`` reads as splits.

Every writer can report a checkpoint state and reopen from it, so an interrupted run resumes without
rewriting what it had finished.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lime_reasoning.datasets.columns import NEWLINE, ColumnBlock, IntColumn, TextColumn
from lime_reasoning.ragged import Ragged, concat_rows

FORMATS: tuple[str, ...] = ("text", "jsonl", "parquet")
PARQUET_ROW_GROUP = 65536
JSON_UNSAFE = np.zeros(256, dtype=bool)
JSON_UNSAFE[[ord('"'), ord("\\")]] = True
JSON_UNSAFE[:32] = True
JSON_UNSAFE[NEWLINE] = False


@contextlib.contextmanager
def naming(path: Path | str) -> Iterator[None]:
    """An OSError inside (a full disk, say) comes out naming ``path``, in the OS's own words for its errno."""
    try:
        yield
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else error.strerror
        raise OSError(error.errno, reason, str(path)) from None


def write_at(descriptor: int, data: np.ndarray | bytes, offset: int, path: Path | str) -> None:
    """Write all of ``data`` at ``offset`` of the open file ``path``."""
    view = memoryview(data)
    with naming(path):
        while len(view):
            written = os.pwrite(descriptor, view, offset)
            view, offset = view[written:], offset + written


class PositionedFiles:
    """Output files written at explicit offsets, so that other processes can fill reserved ranges.

    The checkpoint state is each file's length so far; reopening from it truncates what came after.
    """

    def __init__(self, paths: dict[str, Path], state: dict[str, int] | None) -> None:
        self.paths = paths
        self.offsets = {name: (state or {}).get(name, 0) for name in paths}
        self.descriptors = {}
        for name, path in paths.items():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
            os.ftruncate(descriptor, self.offsets[name])
            self.descriptors[name] = descriptor

    def reserve(self, name: str, size: int) -> int:
        """The offset of the next ``size`` bytes of file ``name``, which the caller will write."""
        offset = self.offsets[name]
        self.offsets[name] = offset + size
        return offset

    def write(self, name: str, data: np.ndarray | bytes) -> None:
        write_at(self.descriptors[name], data, self.reserve(name, len(data)), self.paths[name])

    def state(self) -> dict[str, int]:
        return dict(self.offsets)

    def close(self) -> None:
        for descriptor in self.descriptors.values():
            os.close(descriptor)
        self.descriptors = {}


class TextWriter:
    """fairseq parallel files: ``{split}.{column}`` for every column."""

    def __init__(self, directory: Path, split: str, columns: Sequence[str], state: dict | None) -> None:
        self.files = PositionedFiles({c: directory / f"{split}.{c}" for c in columns}, state)

    def write(self, block: ColumnBlock) -> None:
        for name, column in block.columns.items():
            self.files.write(name, (column if isinstance(column, TextColumn) else column.as_text()).data)

    def reserve(self, sizes: dict[str, int]) -> dict[str, tuple[str, int]]:
        """Room for rows another process writes: each column's (path, offset)."""
        return {name: (str(self.files.paths[name]), self.files.reserve(name, size)) for name, size in sizes.items()}

    def checkpoint(self) -> dict[str, int]:
        return self.files.state()

    def close(self) -> None:
        self.files.close()


def json_lines(block: ColumnBlock) -> bytes:
    """One JSON object per row; vectorised when no field needs escaping, which is the common case."""
    names = list(block.columns)
    texts = {n: c if isinstance(c, TextColumn) else c.as_text() for n, c in block.columns.items()}
    needs_escape = any(JSON_UNSAFE[texts[n].data].any() for n in names if isinstance(block.columns[n], TextColumn))
    if needs_escape:
        return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in block.records()).encode()
    parts: list[Ragged | bytes] = []
    for index, name in enumerate(names):
        quote = b'"' if isinstance(block.columns[name], TextColumn) else b""
        opening = (b"{" if index == 0 else b", ") + json.dumps(name).encode() + b": " + quote
        parts += [opening, texts[name].lines(), quote]
    parts.append(b"}\n")
    return concat_rows(parts, len(block)).values.tobytes()


class JsonlWriter:
    def __init__(self, directory: Path, split: str, columns: Sequence[str], state: dict | None) -> None:
        self.files = PositionedFiles({"jsonl": directory / f"{split}.jsonl"}, state)

    def write(self, block: ColumnBlock) -> None:
        self.files.write("jsonl", json_lines(block))

    def checkpoint(self) -> dict[str, int]:
        return self.files.state()

    def close(self) -> None:
        self.files.close()


def arrow_table(block: ColumnBlock) -> pa.Table:
    """The block as an Arrow table, text columns built from their buffers without a Python loop."""
    arrays = {}
    for name, column in block.columns.items():
        if isinstance(column, IntColumn):
            arrays[name] = pa.array(column.values, type=pa.int64())
            continue
        data = column.data[column.data != NEWLINE]
        offsets = np.append(column.starts - np.arange(len(column)), len(data))
        offset_type, array_type = (np.int32, pa.string()) if len(data) < 2**31 else (np.int64, pa.large_string())
        arrays[name] = pa.Array.from_buffers(
            array_type, len(column), [None, pa.py_buffer(offsets.astype(offset_type)), pa.py_buffer(data)]
        )
    return pa.table(arrays)


class ParquetWriter:
    """Numbered parquet files; a checkpoint closes the current file so it is complete on disk."""

    def __init__(self, directory: Path, split: str, columns: Sequence[str], state: dict | None) -> None:
        self.directory = directory
        self.split = split
        self.completed = int(state["files"]) if state else 0
        for stale in directory.glob(f"{split}-*.parquet"):
            if int(stale.stem.rsplit("-", 1)[1]) >= self.completed:
                stale.unlink()
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.writer: pq.ParquetWriter | None = None

    def _path(self, index: int) -> Path:
        return self.directory / f"{self.split}-{index:05d}.parquet"

    def _flush(self) -> None:
        if not self.pending:
            return
        table = pa.concat_tables(self.pending)
        self.pending, self.pending_rows = [], 0  # never retried: after a failed write a run resumes from its checkpoint
        path = self._path(self.completed)
        with naming(path):
            if self.writer is None:
                self.writer = pq.ParquetWriter(path, table.schema)
            self.writer.write_table(table, row_group_size=PARQUET_ROW_GROUP)

    def write(self, block: ColumnBlock) -> None:
        self.pending.append(arrow_table(block))
        self.pending_rows += len(block)
        if self.pending_rows >= PARQUET_ROW_GROUP:
            self._flush()

    def checkpoint(self) -> dict[str, int]:
        self._flush()
        if self.writer is not None:
            writer, self.writer = self.writer, None
            with naming(self._path(self.completed)):
                writer.close()
            self.completed += 1
        return {"files": self.completed}

    def close(self) -> None:
        self.checkpoint()


WRITERS = {"text": TextWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}


class SplitWriter:
    """All requested formats of one split, written and checkpointed together."""

    def __init__(
        self,
        directory: Path,
        split: str,
        formats: Sequence[str],
        columns: Sequence[str],
        state: dict[str, Any] | None = None,
    ) -> None:
        self.writers = {
            fmt: WRITERS[fmt](directory, split, columns, None if state is None else state.get(fmt))
            for fmt in formats
        }
        self.rows = int(state["rows"]) if state else 0

    def write(self, block: ColumnBlock, text: bool = True) -> None:
        """Write the rows in every format (``text=False``: the text files' rows come through :meth:`reserve_text`)."""
        if len(block):
            for fmt, writer in self.writers.items():
                if text or fmt != "text":
                    writer.write(block)
            if text or "text" not in self.writers:
                self.rows += len(block)

    def reserve_text(self, sizes: dict[str, int], rows: int) -> dict[str, tuple[str, int]]:
        """Room in the text files for ``rows`` rows of the given byte sizes, written by another process."""
        self.rows += rows
        writer = self.writers["text"]
        assert isinstance(writer, TextWriter)
        return writer.reserve(sizes)

    def checkpoint(self) -> dict[str, Any]:
        state: dict[str, Any] = {fmt: writer.checkpoint() for fmt, writer in self.writers.items()}
        state["rows"] = self.rows
        return state

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

