"""Where training batches come from: a tokenised file split (epochs) or an endless LIME stream.

Both hand each rank the batches of one global step and report a small *position* that a checkpoint
stores, so a resumed run continues with exactly the batches it would have seen.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Protocol

import numpy as np
from tokenizers import Tokenizer

from lime_reasoning.training.batching import EpochPlan, token_batches
from lime_reasoning.training.data import Batch, Encoded, collate, drop_too_long, encode_pairs
from lime_reasoning.training.distributed import Dist

STREAM_CHUNK = 8192
"""Examples a rank draws from the stream at a time: enough for length bucketing to leave little padding."""


class Source(Protocol):
    def next_step(self) -> list[Batch]: ...

    def position(self) -> dict[str, int]: ...

    def seek(self, position: dict[str, int]) -> None: ...


class FileSource:
    """Epochs over an encoded split; position = (epoch, step within the epoch)."""

    def __init__(self, data: Encoded, max_tokens: int, seed: int, d: Dist, accumulation: int) -> None:
        self.data, self.max_tokens, self.seed, self.d, self.accumulation = data, max_tokens, seed, d, accumulation
        self.epoch, self.step = 0, 0
        self.plan = self._plan()

    def _plan(self) -> EpochPlan:
        return EpochPlan.make(self.data.src.lengths, self.data.tgt.lengths, self.max_tokens, self.seed, self.epoch,
                              self.d.world, self.accumulation)

    def next_step(self) -> list[Batch]:
        if self.step >= self.plan.steps:
            self.epoch, self.step = self.epoch + 1, 0
            self.plan = self._plan()
        rows = self.plan.rank_batches(self.step, self.d.rank)
        self.step += 1
        return [collate(self.data, r) for r in rows]

    def position(self) -> dict[str, int]:
        return {"epoch": self.epoch, "step": self.step}

    def seek(self, position: dict[str, int]) -> None:
        self.epoch, self.step = int(position["epoch"]), int(position["step"])
        self.plan = self._plan()


def stream_seed(seed: int, *parts: int) -> int:
    """A 63-bit seed for one piece of a stream, independent of every other piece."""
    return int(np.random.SeedSequence([seed, *parts]).generate_state(2, np.uint64)[0] >> np.uint64(1))


def stream_examples(task: str, seed: int, count: int, shard: tuple[int, int] | None = None) -> list[Any]:
    from lime_reasoning.datasets.synthetic import stream

    return list(islice(stream(task, seed, shard=shard), count))


class StreamSource:
    """An endless seeded LIME stream: no files, no epochs. Position = (chunk, batch within the chunk).

    Chunk ``k`` of a rank is the first ``STREAM_CHUNK`` examples of the stream seeded by
    ``(seed, k)`` on that rank's shard, so a resumed run regenerates it instead of replaying the stream.
    """

    def __init__(self, task: str, seed: int, tokenizer: Tokenizer, max_tokens: int, max_positions: int,
                 d: Dist, accumulation: int) -> None:
        self.task, self.seed, self.tokenizer = task, seed, tokenizer
        self.max_tokens, self.max_positions, self.d, self.accumulation = max_tokens, max_positions, d, accumulation
        self.chunk, self.batch = 0, 0
        self.data, self.batches = self._load(0)

    def _load(self, chunk: int) -> tuple[Encoded, list[np.ndarray]]:
        examples = stream_examples(self.task, stream_seed(self.seed, chunk), STREAM_CHUNK, (self.d.rank, self.d.world))
        data, _ = drop_too_long(encode_pairs(self.tokenizer, [e.src for e in examples], [e.tgt for e in examples],
                                             [e.task for e in examples]), self.max_positions)
        rng = np.random.default_rng([self.seed, chunk, self.d.rank])
        batches = token_batches(data.src.lengths, data.tgt.lengths, self.max_tokens, rng)
        return data, [batches[i] for i in rng.permutation(len(batches))]

    def next_step(self) -> list[Batch]:
        step = []
        for _ in range(self.accumulation):
            if self.batch >= len(self.batches):
                self.chunk, self.batch = self.chunk + 1, 0
                self.data, self.batches = self._load(self.chunk)
            step.append(collate(self.data, self.batches[self.batch]))
            self.batch += 1
        return step

    def position(self) -> dict[str, int]:
        return {"chunk": self.chunk, "batch": self.batch}

    def seek(self, position: dict[str, int]) -> None:
        self.chunk, self.batch = int(position["chunk"]), int(position["batch"])
        self.data, self.batches = self._load(self.chunk)
