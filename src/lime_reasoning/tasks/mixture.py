"""A weighted mixture of tasks: each example's task is drawn independently (LIME's "mixed")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lime_reasoning.errors import LimeError
from lime_reasoning.ragged import Ragged
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.registry import ALIASES, Task, get


@dataclass(frozen=True)
class MixedBatch:
    src: Ragged
    tgt: Ragged
    task: np.ndarray  # index into Mixture.tasks, per example

    def __len__(self) -> int:
        return len(self.src)


@dataclass(frozen=True)
class Mixture:
    tasks: tuple[Task, ...]
    weights: tuple[float, ...]

    @classmethod
    def parse(cls, spec: str) -> Mixture:
        """``deduct``, ``mixed``, ``deduct,induct,abduct`` or ``deduct=2,abduct=1`` (weights are relative)."""
        entries: dict[str, float] = {}
        for item in spec.split(","):
            item = item.strip()
            name, _, weight_text = item.partition("=")
            try:
                weight = float(weight_text) if weight_text else 1.0
            except ValueError:
                raise LimeError(f"--task: weight of {name!r} is not a number: {weight_text!r}") from None
            if not weight > 0 or weight == float("inf"):
                raise LimeError(f"--task: weight of {name!r} must be a positive number, got {weight_text}")
            expanded = ALIASES.get(name, (name,))
            for member in expanded:
                get(member)
                if member in entries:
                    raise LimeError(f"--task: {member!r} is listed twice in {spec!r}")
                entries[member] = weight / len(expanded) if weight_text and len(expanded) > 1 else weight
        if not entries:
            raise LimeError("--task: no task given")
        total = sum(entries.values())
        return cls(tuple(get(name) for name in entries), tuple(w / total for w in entries.values()))

    @property
    def names(self) -> list[str]:
        return [task.name for task in self.tasks]

    def describe(self) -> str:
        if len(self.tasks) == 1:
            return self.tasks[0].name
        return ",".join(f"{task.name}={weight:.6g}" for task, weight in zip(self.tasks, self.weights))

    def generate(self, rng: np.random.Generator, n: int, config: TaskConfig) -> MixedBatch:
        """``n`` examples; each example's task is drawn by weight, then tasks are generated in turn."""
        if len(self.tasks) == 1:
            batch = self.tasks[0].generate(rng, n, config)
            return MixedBatch(batch.src, batch.tgt, np.zeros(n, dtype=np.int64))
        choice = rng.choice(len(self.tasks), size=n, p=np.array(self.weights))
        order = np.argsort(choice, kind="stable")
        counts = np.bincount(choice, minlength=len(self.tasks))
        batches = [task.generate(rng, int(count), config) for task, count in zip(self.tasks, counts)]
        # Generated grouped by task; put every example back at its own position.
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        src = concat_ragged([b.src for b in batches]).take(inverse)
        tgt = concat_ragged([b.tgt for b in batches]).take(inverse)
        return MixedBatch(src, tgt, choice.astype(np.int64))


def concat_ragged(parts: list[Ragged]) -> Ragged:
    """Rows of several contiguous batches, one after the other."""
    return Ragged.from_lengths(
        np.concatenate([p.values for p in parts]), np.concatenate([p.lengths for p in parts])
    )
