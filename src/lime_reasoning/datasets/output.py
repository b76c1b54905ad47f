"""Writing a whole dataset directory: every split, every format, and ``meta.json``, atomically.

Builders that finish in about a minute (benchmarks extracted from a corpus) use
:func:`write_dataset`; the synthetic generator, which can run for hours, drives the same writers
through its own resumable loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lime_reasoning.datasets.columns import ColumnBlock
from lime_reasoning.datasets.reading import META_FILE
from lime_reasoning.atomic import write_json_atomic
from lime_reasoning.datasets.staging import StagedDirectory, lime_meta
from lime_reasoning.datasets.writers import FORMATS, SplitWriter
from lime_reasoning.errors import LimeError


def check_formats(formats: Sequence[str]) -> list[str]:
    """Validate a list of format names, keeping the given order and dropping repeats."""
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise LimeError(f"--format: unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def base_meta(kind: str, formats: Sequence[str]) -> dict[str, Any]:
    """Fields every ``meta.json`` carries, whatever built the dataset; they also let ``--overwrite`` replace it."""
    return {**lime_meta(kind), "formats": list(formats)}


def write_meta(directory: Path, meta: Mapping[str, Any]) -> None:
    write_json_atomic(directory / META_FILE, dict(meta))


def write_dataset(
    target: Path | str,
    splits: Mapping[str, Iterable[ColumnBlock]],
    formats: Sequence[str],
    columns: Sequence[str],
    meta: Mapping[str, Any],
    overwrite: bool = False,
) -> dict[str, int]:
    """Write every split of a dataset into ``target`` and return the row count of each split.

    ``target`` appears only once everything is written; on any error it is left untouched.
    ``meta`` is stored in ``meta.json`` with the row counts added under ``"counts"``.
    """
    formats = check_formats(formats)
    staged = StagedDirectory(target, overwrite, key="one-shot")
    directory = staged.open()
    counts: dict[str, int] = {}
    try:
        for split, blocks in splits.items():
            writer = SplitWriter(directory, split, formats, columns)
            try:
                for block in blocks:
                    if list(block.columns) != list(columns):
                        raise ValueError(f"block columns {list(block.columns)} differ from {list(columns)}")
                    writer.write(block)
            finally:
                writer.close()
            counts[split] = writer.rows
        write_meta(directory, {**meta, "formats": formats, "columns": list(columns), "counts": counts})
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    return counts
