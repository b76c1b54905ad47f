"""What the importers of released benchmarks (IsarStep, LeanStep) share: reading, the split, writing.

An import reads its input in two rounds. The first checks every line and collects each example's
group (a theorem, a declaration, a source), so bad input stops the import before anything is staged
and the split is known up front; then each split is written in a pass of its own over the input that
keeps only that split's lines, so memory stays small whatever the size of the release. Output goes
through :func:`lime_reasoning.datasets.write_dataset`: it appears whole or not at all.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from lime_reasoning.benchmarks.splits import Size, assign_splits, resolve_sizes
from lime_reasoning.datasets import SPLITS, ColumnBlock, write_dataset
from lime_reasoning.datasets.reading import decode_utf8
from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.source import file_sha256
from lime_reasoning.wording import counted

Row = dict[str, str]
BLOCK_ROWS = 65536
# lean-step's proportions (92 / 4 / 4), also the default of a seeded split.
DEFAULT_SIZES: dict[str, Size] = {"train": 0.92, "valid": 0.04, "test": 0.04}
DEFAULT_SEED = 0
UNUSED = -1


@dataclass(frozen=True)
class SeededSplit:
    """``--train/--valid/--test/--seed`` as given; None where the option was not passed."""

    train: Size | None = None
    valid: Size | None = None
    test: Size | None = None
    seed: int | None = None

    def given(self) -> list[str]:
        return [f"--{name}" for name, value in asdict(self).items() if value is not None]

    def sizes(self) -> dict[str, Size]:
        return {name: DEFAULT_SIZES[name] if getattr(self, name) is None else getattr(self, name) for name in SPLITS}

    def resolved_seed(self) -> int:
        return DEFAULT_SEED if self.seed is None else self.seed

    def refuse(self, why: str) -> None:
        """Stop when a split option was passed for an input whose split is not seeded (``why`` says why)."""
        if self.given():
            raise LimeError(f"{', '.join(self.given())}: {why}, so there is no seeded split to size or seed")


@dataclass(frozen=True)
class Assignment:
    """The split of every example: ``labels[i]`` indexes :data:`SPLITS` (or is :data:`UNUSED`)."""

    labels: np.ndarray
    unit: str
    groups: dict[str, int]
    unused_groups: int = 0

    def examples(self) -> dict[str, int]:
        counts = np.bincount(self.labels[self.labels != UNUSED], minlength=len(SPLITS))
        return {name: int(count) for name, count in zip(SPLITS, counts)}

    def keep(self, split: str) -> np.ndarray:
        return self.labels == SPLITS.index(split)


def lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file without their line ends (bytes that are not UTF-8 are bad input)."""
    try:
        with open(path, "rb") as handle:
            offset = 0
            for number, raw in enumerate(handle, 1):
                yield decode_utf8(raw, path, number, offset).rstrip("\r\n")
                offset += len(raw)
    except OSError as error:
        raise LimeError(f"{path}: cannot read it ({error.strerror or error})") from None


def aligned_lines(paths: Sequence[Path]) -> Iterator[tuple[str, ...]]:
    """The files' lines side by side; files that do not all have the same number of lines are bad input."""
    for before, row in enumerate(zip_longest(*(lines(path) for path in paths))):
        if None in row:
            short = paths[row.index(None)]
            longer = next(path for path, line in zip(paths, row) if line is not None)
            raise LimeError(f"{longer}:{before + 1}: has no counterpart in {short.name}, which ends after "
                            f"{counted(before, 'line')} (the files must be line-aligned, one example per line)")
        yield row


def require_examples(count: int, path: Path, what: str) -> None:
    if not count:
        raise LimeError(f"{path}: holds no example, so {what} would be empty")


class Groups:
    """Each example's group (theorem, declaration, source) as a number, and the groups' keys in order of first
    appearance: about 8 bytes per example, whatever the keys."""

    def __init__(self) -> None:
        self.index: dict[Hashable, int] = {}
        self.ids: list[int] = []

    def add(self, key: Hashable) -> None:
        self.ids.append(self.index.setdefault(key, len(self.index)))

    def __len__(self) -> int:
        return len(self.index)

    def labels(self, label_of_group: np.ndarray) -> np.ndarray:
        """Every example's label, from its group's."""
        return label_of_group[np.array(self.ids, dtype=np.int64)]


def seeded_assignment(groups: Groups, split: SeededSplit, unit: str) -> Assignment:
    """Split the groups with :func:`~lime_reasoning.benchmarks.splits.assign_splits`.

    A split asked for with a fraction that rounds to no group is bad input rather than an empty split.
    """
    requested = split.sizes()
    sizes = resolve_sizes(len(groups), requested, f"{unit}s")
    for name, size in requested.items():
        if size and not sizes[name]:
            raise LimeError(f"--{name} {size:g}: the {name} split would be empty ({size:g} of "
                            f"{counted(len(groups), unit)} rounds to none); pass a count or a larger fraction")
    label_of_group = np.full(len(groups), UNUSED, dtype=np.int8)
    assigned = assign_splits(len(groups), sizes, split.resolved_seed())
    for label, name in enumerate(SPLITS):
        label_of_group[assigned[name]] = label
    return Assignment(groups.labels(label_of_group), unit, sizes, len(groups) - sum(sizes.values()))


def describe_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Name, size and SHA-256 of each input file, for ``meta.json``: which release was imported."""
    return [{"name": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path)} for path in paths]


def split_meta(by: str, assignment: Assignment | None, split: SeededSplit | None = None) -> dict[str, Any]:
    """``meta.json``'s account of the split: what it is by, the groups per split, the seeded options."""
    meta: dict[str, Any] = {"by": by}
    if assignment is not None:
        meta["unit"] = assignment.unit
        meta["groups"] = {**assignment.groups, "unused": assignment.unused_groups}
        meta["unused_examples"] = int((assignment.labels == UNUSED).sum())
    if split is not None:
        meta.update(sizes=split.sizes(), seed=split.resolved_seed())
    return meta


def _blocks(rows: Iterable[Row], progress: tqdm) -> Iterator[ColumnBlock]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BLOCK_ROWS:
            yield ColumnBlock.from_records(batch)
            progress.update(len(batch))
            batch = []
    if batch:
        yield ColumnBlock.from_records(batch)
        progress.update(len(batch))


def write_import(
    out: Path,
    splits: Mapping[str, Iterable[Row]],
    columns: Sequence[str],
    meta: dict[str, Any],
    formats: Sequence[str],
    total: int,
    overwrite: bool = False,
    quiet: bool = False,
) -> dict[str, Any]:
    """Write the rows of every split into ``out`` and return its ``meta.json`` content."""
    progress = tqdm(total=total, desc="writing", unit=" examples", disable=quiet)
    with progress:
        counts = write_dataset(
            out, {name: _blocks(rows, progress) for name, rows in splits.items()}, formats, columns, meta, overwrite
        )
    return {**meta, "formats": list(formats), "columns": list(columns), "counts": counts}
