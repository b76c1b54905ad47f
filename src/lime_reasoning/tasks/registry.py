"""The task registry: every synthetic task by name, with the alias ``mixed``.

``get(name)`` and ``names()`` are the public entry points. How a task's examples are drawn lives in
:mod:`lime_reasoning.tasks.peirce`, :mod:`lime_reasoning.tasks.rewrite` and
:mod:`lime_reasoning.tasks.sequence` (the content-free controls ``set`` and ``identity``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lime_reasoning.errors import LimeError


@dataclass(frozen=True)
class Task:
    name: str
    summary: str


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
    "set": "sequence -> its distinct tokens in first-occurrence order (control)",
    "identity": "sequence -> itself (control)",
}
_TASKS: dict[str, Task] = {name: Task(name, summary) for name, summary in SUMMARIES.items()}
ALIASES: dict[str, tuple[str, ...]] = {"mixed": ("deduct", "induct", "abduct")}


def get(name: str) -> Task:
    try:
        return _TASKS[name]
    except KeyError:
        raise LimeError(f"--task: unknown task {name!r}; known tasks: {', '.join(names())} (and 'mixed')") from None


def names() -> list[str]:
    return list(_TASKS)
