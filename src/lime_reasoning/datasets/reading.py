"""Reading (src, tgt) datasets back, in any of the formats the writers produce.

A dataset directory holds, per split, fairseq text files (``train.src`` + ``train.tgt`` and optional
``train.<column>`` files), ``train.jsonl``, or ``train*.parquet``. ``meta.json`` is optional, so a
user's own fairseq-style data (IsarStep, say) reads the same way. Problems are reported as one
:class:`LimeError` line naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lime_reasoning.datasets.columns import ColumnBlock, IntColumn, TextColumn
from lime_reasoning.errors import LimeError

META_FILE = "meta.json"
SPLITS: tuple[str, ...] = ("train", "valid", "test")
READ_BLOCK = 65536


def read_meta(directory: Path | str) -> dict[str, Any]:
    """``meta.json`` of a dataset directory, or ``{}`` when there is none."""
    path = Path(directory) / META_FILE
    if not path.exists():
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            meta = json.load(handle)
    except (OSError, ValueError) as error:
        raise LimeError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(meta, dict):
        raise LimeError(f"{path}: expected a JSON object")
    return meta


def parquet_files(directory: Path, split: str) -> list[Path]:
    single = directory / f"{split}.parquet"
    return [single] if single.exists() else sorted(directory.glob(f"{split}-*.parquet"))


def available_formats(directory: Path | str, split: str) -> list[str]:
    """The formats in which ``split`` is present, preferring text, then jsonl, then parquet."""
    directory = Path(directory)
    found = []
    if (directory / f"{split}.src").exists() and (directory / f"{split}.tgt").exists():
        found.append("text")
    if (directory / f"{split}.jsonl").exists():
        found.append("jsonl")
    if parquet_files(directory, split):
        found.append("parquet")
    return found


def _choose_format(directory: Path, split: str, fmt: str | None) -> str:
    if not directory.is_dir():
        raise LimeError(f"{directory}: no such dataset directory")
    found = available_formats(directory, split)
    if fmt is not None:
        if fmt not in found:
            raise LimeError(f"{directory}: no {split!r} split in {fmt} format")
        return fmt
    if not found:
        raise LimeError(
            f"{directory}: no {split!r} split ({split}.src + {split}.tgt, {split}.jsonl or {split}*.parquet)"
        )
    return found[0]


def _text_blocks(directory: Path, split: str, block_rows: int) -> Iterator[ColumnBlock]:
    declared = read_meta(directory).get("columns")
    if declared:
        names = [name for name in declared if (directory / f"{split}.{name}").exists()]
    else:
        extras = (path.name[len(split) + 1 :] for path in sorted(directory.glob(f"{split}.*")))
        names = ["src", "tgt"] + [n for n in extras if n not in ("src", "tgt", "jsonl", "parquet") and "." not in n]
    paths = {name: directory / f"{split}.{name}" for name in names}
    handles = {name: open(path, "rb") for name, path in paths.items()}
    try:
        row = 0
        while True:
            chunks = {name: list(islice(handle, block_rows)) for name, handle in handles.items()}
            counts = {name: len(lines) for name, lines in chunks.items()}
            if len(set(counts.values())) > 1:
                short = min(counts, key=counts.__getitem__)
                longer = max(counts, key=counts.__getitem__)
                raise LimeError(
                    f"{paths[short]}: ends after {row + counts[short]} lines but {paths[longer].name} has more "
                    "(every file of a split needs one line per example)"
                )
            if not counts["src"]:
                return
            columns = {}
            for name, lines in chunks.items():
                data = np.frombuffer(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines), np.uint8)
                columns[name] = TextColumn(data, np.flatnonzero(data == 10))
            yield ColumnBlock(columns)
            row += counts["src"]
    finally:
        for handle in handles.values():
            handle.close()


def _jsonl_blocks(directory: Path, split: str, block_rows: int) -> Iterator[ColumnBlock]:
    path = directory / f"{split}.jsonl"
    with open(path, encoding="utf-8") as handle:
        number = 0
        while True:
            records = []
            for line in islice(handle, block_rows):
                number += 1
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise LimeError(f"{path}:{number}: not valid JSON ({error})") from None
                if not isinstance(record, dict) or not isinstance(record.get("src"), str) or not isinstance(
                    record.get("tgt"), str
                ):
                    raise LimeError(f"{path}:{number}: expected an object with string fields src and tgt")
                records.append(record)
            if not records:
                return
            keys = list(records[0])
            for offset, record in enumerate(records):
                if list(record) != keys:
                    raise LimeError(f"{path}:{number - len(records) + offset + 1}: fields differ from the first line's")
            yield ColumnBlock.from_records(records)


def _parquet_blocks(directory: Path, split: str, block_rows: int) -> Iterator[ColumnBlock]:
    for path in parquet_files(directory, split):
        try:
            parquet = pq.ParquetFile(path)
        except Exception as error:  # pyarrow raises several types for a corrupt file
            raise LimeError(f"{path}: not a readable parquet file ({error})") from None
        names = parquet.schema_arrow.names
        if "src" not in names or "tgt" not in names:
            raise LimeError(f"{path}: needs the columns src and tgt (has {', '.join(names)})")
        for batch in parquet.iter_batches(batch_size=block_rows):
            columns = {}
            for name in names:
                array = batch.column(name)
                if pa.types.is_integer(array.type):
                    columns[name] = IntColumn(array.to_numpy(zero_copy_only=False).astype(np.int64))
                else:
                    columns[name] = TextColumn.from_strings(array.to_pylist())
            yield ColumnBlock(columns)


READERS = {"text": _text_blocks, "jsonl": _jsonl_blocks, "parquet": _parquet_blocks}


def iter_blocks(
    directory: Path | str, split: str, fmt: str | None = None, block_rows: int = READ_BLOCK
) -> Iterator[ColumnBlock]:
    """Blocks of up to ``block_rows`` rows of ``split``, in file order."""
    directory = Path(directory)
    yield from READERS[_choose_format(directory, split, fmt)](directory, split, block_rows)


def read_records(
    directory: Path | str, split: str, fmt: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows of ``split`` as dictionaries (``src``, ``tgt`` and any other column)."""
    records: list[dict[str, Any]] = []
    for block in iter_blocks(directory, split, fmt):
        records.extend(block.records())
        if limit is not None and len(records) >= limit:
            return records[:limit]
    return records


def present_splits(directory: Path | str, splits: Sequence[str] = SPLITS) -> list[str]:
    return [split for split in splits if available_formats(directory, split)]
