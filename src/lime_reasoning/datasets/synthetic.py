"""Synthetic LIME data as a pure function of (task mixture, config, seed).

A split is a sequence of fixed-size blocks; block ``b`` of split ``s`` is generated from its own
random generator seeded by ``(seed, s, b)``. Any worker can therefore produce any block, and a dataset
is byte-identical whatever the number of workers or shards. The last block is generated whole and
cut, so a dataset of N examples is a prefix of the one of 2N.

Python API: :func:`examples` (finite, the train split of ``lime generate`` before filtering) and
:func:`stream` (endless, optionally sharded for distributed training).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from lime_reasoning.datasets.columns import ColumnBlock, TextColumn
from lime_reasoning.errors import LimeError
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.mixture import Mixture

if TYPE_CHECKING:
    from lime_reasoning.tasks.engine import Engine

BLOCK_SIZE = 8192
SPLIT_CODES: dict[str, int] = {"train": 0, "valid": 1, "test": 2}
COLUMNS: tuple[str, ...] = ("src", "tgt", "task")


class Example(NamedTuple):
    src: str
    tgt: str
    task: str


@dataclass(frozen=True)
class SyntheticSpec:
    """What defines a synthetic dataset: the task mixture, every knob, and the seed."""

    task: str
    config: TaskConfig = field(default_factory=TaskConfig)
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.seed < 2**63:
            raise LimeError(f"--seed: must be between 0 and 2**63-1, got {self.seed}")
        self.config.validate()
        _ = self.mixture  # parse now, so that a bad --task fails before any work

    @cached_property
    def mixture(self) -> Mixture:
        return Mixture.parse(self.task)

    @cached_property
    def engine(self) -> Engine:
        return self.mixture.engine(self.config)

    def rng(self, split: str, block: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, SPLIT_CODES[split], block])


@dataclass(frozen=True)
class GeneratedBlock:
    """One block as text columns, with each row's task index and source hash."""

    rows: ColumnBlock
    task: np.ndarray
    hashes: np.ndarray


def task_labels(labels: list[str], indices: np.ndarray) -> TextColumn:
    """A column holding ``labels[i]`` for each index: one gather of fixed-width rows, then compaction."""
    lines = [label.encode("utf-8") + b"\n" for label in labels]
    width = max(len(line) for line in lines)
    table = np.zeros((len(lines), width), dtype=np.uint8)
    for row, line in enumerate(lines):
        table[row, : len(line)] = np.frombuffer(line, dtype=np.uint8)
    sizes = np.array([len(line) for line in lines], dtype=np.int64)[indices]
    data = table[indices][np.arange(width) < sizes[:, None]]
    return TextColumn(data, np.cumsum(sizes) - 1)


def generate_block(spec: SyntheticSpec, split: str, block: int) -> GeneratedBlock:
    text = spec.engine.generate(spec.rng(split, block), BLOCK_SIZE)
    columns = {
        "src": TextColumn(text.src, text.src_ends),
        "tgt": TextColumn(text.tgt, text.tgt_ends),
        "task": task_labels(spec.mixture.names, text.choices),
    }
    return GeneratedBlock(ColumnBlock(columns), text.choices, text.hashes)


def _to_examples(rows: ColumnBlock) -> Iterator[Example]:
    for src, tgt, task in zip(*(rows.columns[name].to_strings() for name in COLUMNS)):
        yield Example(src, tgt, task)


def examples(task: str, n: int, seed: int, config: TaskConfig | None = None) -> Iterator[Example]:
    """The first ``n`` examples of the seeded stream (``lime generate``'s train split before filtering)."""
    if n < 0:
        raise LimeError(f"n must be non-negative, got {n}")
    spec = SyntheticSpec(task, config or TaskConfig(), seed)
    for block in range((n + BLOCK_SIZE - 1) // BLOCK_SIZE):
        rows = generate_block(spec, "train", block).rows
        keep = min(BLOCK_SIZE, n - block * BLOCK_SIZE)
        if keep < BLOCK_SIZE:
            rows = rows.take(np.arange(keep))
        yield from _to_examples(rows)


def stream(
    task: str, seed: int, config: TaskConfig | None = None, shard: tuple[int, int] | None = None
) -> Iterator[Example]:
    """An endless seeded stream; ``shard=(rank, world)`` yields that rank's disjoint share of blocks."""
    rank, world = shard or (0, 1)
    if not 0 <= rank < world:
        raise LimeError(f"shard: rank {rank} is not in 0..{world - 1}")
    spec = SyntheticSpec(task, config or TaskConfig(), seed)
    block = rank
    while True:
        yield from _to_examples(generate_block(spec, "train", block).rows)
        block += world
