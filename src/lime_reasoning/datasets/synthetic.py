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
from typing import NamedTuple

import numpy as np

from lime_reasoning.datasets.columns import ColumnBlock
from lime_reasoning.datasets.dedup import row_hashes
from lime_reasoning.datasets.render import TokenRenderer, render_labels
from lime_reasoning.errors import LimeError
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.mixture import Mixture
from lime_reasoning.tasks.tokens import token_strings

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
    def renderer(self) -> TokenRenderer:
        return TokenRenderer(token_strings(self.config.vocab_size))

    def rng(self, split: str, block: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, SPLIT_CODES[split], block])


@dataclass(frozen=True)
class GeneratedBlock:
    """One block, rendered; ``hashes`` are the source hashes when filtering needs them."""

    rows: ColumnBlock
    task: np.ndarray
    hashes: np.ndarray | None


def generate_block(spec: SyntheticSpec, split: str, block: int, with_hashes: bool = False) -> GeneratedBlock:
    batch = spec.mixture.generate(spec.rng(split, block), BLOCK_SIZE, spec.config)
    columns = {
        "src": spec.renderer.render(batch.src),
        "tgt": spec.renderer.render(batch.tgt),
        "task": render_labels(spec.mixture.names, batch.task),
    }
    return GeneratedBlock(ColumnBlock(columns), batch.task, row_hashes(batch.src) if with_hashes else None)


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
