"""A weighted mixture of tasks: each example's task is drawn independently (LIME's "mixed")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lime_reasoning.errors import LimeError
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.registry import ALIASES, Task, get

if TYPE_CHECKING:
    from lime_reasoning.tasks.engine import Engine


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

    def engine(self, config: TaskConfig) -> Engine:
        """The compiled generator for this mixture under ``config`` (imports numba on first use)."""
        from lime_reasoning.tasks.engine import Engine

        return Engine(self.names, list(self.weights), config)
