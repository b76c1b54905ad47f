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

import json
import os
from collections.abc import Sequence
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


class AppendFileWriter:
    """One or more append-only files whose checkpoint state is their byte sizes."""

    def __init__(self, paths: dict[str, Path], state: dict[str, int] | None) -> None:
        self.paths = paths
        self.files = {}
        for name, path in paths.items():
            if state is not None and name in state:
                with open(path, "r+b") as handle:
                    handle.truncate(state[name])
            self.files[name] = open(path, "ab" if state is not None else "wb")

    def state(self) -> dict[str, int]:
        for handle in self.files.values():
            handle.flush()
        return {name: handle.tell() for name, handle in self.files.items()}

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


class TextWriter:
    """fairseq parallel files: ``{split}.{column}`` for every column."""

    def __init__(self, directory: Path, split: str, columns: Sequence[str], state: dict | None) -> None:
        self.files = AppendFileWriter({c: directory / f"{split}.{c}" for c in columns}, state)

    def write(self, block: ColumnBlock) -> None:
        for name, column in block.columns.items():
            text = column if isinstance(column, TextColumn) else column.as_text()
            self.files.files[name].write(memoryview(text.data))

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
        self.files = AppendFileWriter({"jsonl": directory / f"{split}.jsonl"}, state)

    def write(self, block: ColumnBlock) -> None:
        self.files.files["jsonl"].write(json_lines(block))

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
        if self.writer is None:
            self.writer = pq.ParquetWriter(self._path(self.completed), table.schema)
        self.writer.write_table(table, row_group_size=PARQUET_ROW_GROUP)
        self.pending, self.pending_rows = [], 0

    def write(self, block: ColumnBlock) -> None:
        self.pending.append(arrow_table(block))
        self.pending_rows += len(block)
        if self.pending_rows >= PARQUET_ROW_GROUP:
            self._flush()

    def checkpoint(self) -> dict[str, int]:
        self._flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
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

    def write(self, block: ColumnBlock) -> None:
        if len(block):
            for writer in self.writers.values():
                writer.write(block)
            self.rows += len(block)

    def checkpoint(self) -> dict[str, Any]:
        state: dict[str, Any] = {fmt: writer.checkpoint() for fmt, writer in self.writers.items()}
        state["rows"] = self.rows
        return state

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def fsync_directory(directory: Path) -> None:
    """Make renames inside ``directory`` durable (a no-op where the platform cannot)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
