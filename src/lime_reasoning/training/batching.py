"""Token-budget batching with length bucketing, as fairseq's ``--max-tokens``.

Examples are sorted by (source length, target length), with ties broken at random, and cut greedily
into batches whose padded size stays within the budget on each side. A batch therefore holds many short
or few long examples, and almost no padding: that padding is what fixed-size batches waste.

A *global step* consumes ``world × accumulation`` consecutive batches of a seeded shuffle of the batch
list: rank ``r`` takes batches ``r, r + world, …``. One process accumulating two batches therefore sees
the same global batch as two processes accumulating one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lime_reasoning.errors import LimeError


def token_batches(src_lengths: np.ndarray, tgt_lengths: np.ndarray, max_tokens: int,
                  rng: np.random.Generator) -> list[np.ndarray]:
    """Index arrays of batches, in length order, each within ``max_tokens`` padded tokens per side."""
    longest = int(max(src_lengths.max(initial=0), tgt_lengths.max(initial=0)))
    if longest > max_tokens:
        raise LimeError(f"--max-tokens {max_tokens} is smaller than the longest example ({longest} tokens)")
    order = rng.permutation(len(src_lengths))
    order = order[np.lexsort((tgt_lengths[order], src_lengths[order]))]
    src_sorted, tgt_sorted = src_lengths[order].tolist(), tgt_lengths[order].tolist()
    batches = []
    start, widest_src, widest_tgt = 0, 0, 0
    for position, (s, t) in enumerate(zip(src_sorted, tgt_sorted)):
        size = position - start + 1
        new_src, new_tgt = max(widest_src, s), max(widest_tgt, t)
        if size > 1 and max(new_src, new_tgt) * size > max_tokens:
            batches.append(order[start:position])
            start, new_src, new_tgt = position, s, t
        widest_src, widest_tgt = new_src, new_tgt
    if start < len(order):
        batches.append(order[start:])
    return batches


@dataclass(frozen=True)
class EpochPlan:
    """The batches of one epoch in training order, and which of them each rank takes at each step."""

    batches: list[np.ndarray]
    world: int
    accumulation: int

    @classmethod
    def make(cls, src_lengths: np.ndarray, tgt_lengths: np.ndarray, max_tokens: int, seed: int, epoch: int,
             world: int, accumulation: int) -> EpochPlan:
        rng = np.random.default_rng([seed, epoch])
        batches = token_batches(src_lengths, tgt_lengths, max_tokens, rng)
        shuffled = [batches[i] for i in rng.permutation(len(batches))]
        plan = cls(shuffled, world, accumulation)
        if plan.steps == 0:
            raise LimeError(
                f"the training data makes {len(batches)} batches of --max-tokens {max_tokens}, fewer than the "
                f"{world * accumulation} one step needs ({world} processes × --grad-accum {accumulation})"
            )
        return plan

    @property
    def steps(self) -> int:
        """Whole global steps in the epoch (the leftover batches wait for the next epoch's shuffle)."""
        return len(self.batches) // (self.world * self.accumulation)

    def rank_batches(self, step: int, rank: int) -> list[np.ndarray]:
        first = step * self.world * self.accumulation
        return [self.batches[first + a * self.world + rank] for a in range(self.accumulation)]
