"""Reading (src, tgt) datasets back, in any of the formats the writers produce.

A dataset directory holds, per split, fairseq text files (``train.src`` + ``train.tgt`` and optional
``train.<column>`` files), ``train.jsonl``, or ``train*.parquet``. ``meta.json`` is optional, so a
user's own fairseq-style data (IsarStep, say) reads the same way. Problems are reported as one
:class:`LimeError` line naming the file and line. Bytes are checked to be UTF-8 here, as they are read,
so no later ``decode`` (``TextColumn.to_strings``) can fail in the middle of a command.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
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


def decode_utf8(data: bytes, path: Path, first_line: int, first_byte: int) -> str:
    """``data`` as text; a byte that is not UTF-8 is a :class:`LimeError` naming its line and file offset.

    ``data`` holds whole lines of ``path`` from line ``first_line`` (1-based), which starts at byte
    ``first_byte``. Every reader decodes through here, so no command meets a raw ``UnicodeDecodeError``.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        raise _not_utf8(f"{path}:{line}", data, error, first_byte, "file") from None


def _not_utf8(where: str, data: bytes, error: UnicodeDecodeError, base: int, whole: str) -> LimeError:
    return LimeError(f"{where}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {base + error.start} "
                     f"of the {whole}); data files must be UTF-8")


def _newline_in_field(where: str, name: str) -> LimeError:
    return LimeError(f"{where}: field {name!r} contains a newline, which a dataset row cannot hold")


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
    offsets = dict.fromkeys(names, 0)
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
                raw = b"".join(lines)  # only a file's very last line can lack its newline
                if not raw.isascii():
                    decode_utf8(raw, paths[name], row + 1, offsets[name])
                offsets[name] += len(raw)
                data = np.frombuffer(raw if raw.endswith(b"\n") else raw + b"\n", np.uint8)
                columns[name] = TextColumn(data, np.flatnonzero(data == 10))
            yield ColumnBlock(columns)
            row += counts["src"]
    finally:
        for handle in handles.values():
            handle.close()


def _jsonl_blocks(directory: Path, split: str, block_rows: int) -> Iterator[ColumnBlock]:
    path = directory / f"{split}.jsonl"
    with open(path, "rb") as handle:
        number = offset = 0
        while True:
            records = []
            for raw in islice(handle, block_rows):
                number += 1
                line = decode_utf8(raw, path, number, offset)
                offset += len(raw)
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise LimeError(f"{path}:{number}: not valid JSON ({error})") from None
                if not isinstance(record, dict) or not isinstance(record.get("src"), str) or not isinstance(
                    record.get("tgt"), str
                ):
                    raise LimeError(f"{path}:{number}: expected an object with string fields src and tgt")
                for name, value in record.items():
                    if isinstance(value, str) and "\n" in value:
                        raise _newline_in_field(f"{path}:{number}", name)
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
        row = 0
        for batch in parquet.iter_batches(batch_size=block_rows):
            columns = {}
            for name in names:
                array = batch.column(name)
                if array.null_count:
                    raise LimeError(f"{path}: row {row + pc.index(array.is_null(), True).as_py() + 1}: "
                                    f"column {name!r} is null")
                if pa.types.is_integer(array.type):
                    columns[name] = IntColumn(array.to_numpy(zero_copy_only=False).astype(np.int64))
                else:
                    columns[name] = _parquet_text(array, path, name, row)
            yield ColumnBlock(columns)
            row += batch.num_rows


def _parquet_text(array: pa.Array, path: Path, name: str, first_row: int) -> TextColumn:
    """A string column as text; a newline or bytes that are not UTF-8 name their row (1-based)."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise LimeError(f"{path}: column {name!r} has type {array.type}; expected strings or integers")
    try:
        values = array.to_pylist()
    except UnicodeDecodeError:
        for row, value in enumerate(array.cast(pa.large_binary()).to_pylist()):
            try:
                value.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _not_utf8(f"{path}: row {first_row + row + 1}, column {name!r}", value, error, 0,
                                "value") from None
        raise
    with_newline = pc.index(pc.match_substring(array, "\n"), True).as_py()
    if with_newline >= 0:
        raise _newline_in_field(f"{path}: row {first_row + with_newline + 1}", name)
    return TextColumn.from_strings(values)


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
