"""The task registry: every synthetic task by name, and mixtures of them.

``get(name)`` and ``names()`` are the public entry points; a task is a pure function of a
``numpy.random.Generator``, a batch size and a :class:`TaskConfig`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from lime_reasoning.errors import LimeError
from lime_reasoning.tasks import peirce, rewrite
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.layout import TaskBatch

Generate = Callable[[np.random.Generator, int, TaskConfig], TaskBatch]


@dataclass(frozen=True)
class Task:
    name: str
    summary: str
    generate: Generate


SUMMARIES: dict[str, str] = {
    "deduct": "Rule, Case -> Result",
    "abduct": "Rule, Result -> Case",
    "induct": "Result, Case -> Rule",
    "induct_v2": "Result -> Case, Rule",
    "induct_v3": "two Results of one Rule -> Rule",
    "induct_hard": "Result -> Rule",
    "induct_v2_double": "two Results of one Rule -> both Cases, Rule",
    "rewrite": "rule, string -> rewritten string",
    "induct_rewrite": "string, rewritten string -> rule",
    "rewrite_multistep_hard": "rules, string -> string after every rewrite",
    "rewrite_multistep_easy": "rules, string -> every intermediate string",
}

_TASKS: dict[str, Task] = {}

ALIASES: dict[str, tuple[str, ...]] = {"mixed": ("deduct", "induct", "abduct")}


def register(task: Task) -> None:
    """Add a task; names are unique."""
    if task.name in _TASKS or task.name in ALIASES:
        raise ValueError(f"task {task.name!r} is already registered")
    _TASKS[task.name] = task


def get(name: str) -> Task:
    try:
        return _TASKS[name]
    except KeyError:
        raise LimeError(f"--task: unknown task {name!r}; known tasks: {', '.join(names())} (and 'mixed')") from None


def names() -> list[str]:
    return list(_TASKS)


for _name in peirce.LAYOUTS:
    register(Task(_name, SUMMARIES[_name], partial(peirce.generate, _name)))
for _name in (*rewrite.LAYOUTS, *rewrite.MULTISTEP):
    register(Task(_name, SUMMARIES[_name], partial(rewrite.generate, _name)))
