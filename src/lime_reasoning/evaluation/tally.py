"""Counting exact matches (top-1, top-k) and checker verdicts: overall, per task of a mixture, per subset.

A subset is a named slice of the examples (``novel`` / ``seen`` against the train split, see
:mod:`lime_reasoning.datasets.novelty`); its rates say how much of a score survives where memorising
train cannot help. :meth:`Tally.score` is the one place where a prediction list becomes a rank and
verdicts, for models and baselines alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lime_reasoning.evaluation.checkers import Checker
from lime_reasoning.evaluation.decoding import correct_rank

COUNTS = ("examples", "top1", "topk", "checked_top1", "checked_topk")
LABELS = ("labelled", "label_seen")  # examples whose label_seen was given, and of those how many were True


def hits(rank: int | None, verdicts: list[bool] | None) -> dict[str, bool]:
    """One example's outcome on every count of :data:`COUNTS` (the checked ones only with verdicts)."""
    found = {"top1": rank == 1, "topk": rank is not None}
    if verdicts is not None:
        found |= {"checked_top1": bool(verdicts[:1] and verdicts[0]), "checked_topk": any(verdicts)}
    return found


def _count(row: dict[str, int], rank: int | None, verdicts: list[bool] | None) -> None:
    row["examples"] += 1
    for name, hit in hits(rank, verdicts).items():
        row[name] += hit


@dataclass
class Tally:
    """Counts per task and per subset; ``summary()`` turns them into rates. Plain dicts so a checkpoint can store them."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # "all" and each task
    subsets: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, task: str, rank: int | None, verdicts: list[bool] | None, subsets: Sequence[str] = (),
            label_seen: bool | None = None) -> None:
        for key in ("all", task) if task else ("all",):
            _count(self.counts.setdefault(key, dict.fromkeys(COUNTS, 0)), rank, verdicts)
        for name in subsets:
            row = self.subsets.setdefault(name, dict.fromkeys(COUNTS + LABELS, 0))
            _count(row, rank, verdicts)
            if label_seen is not None:
                row["labelled"] += 1
                row["label_seen"] += bool(label_seen)

    def score(self, record: Mapping[str, Any], predictions: list[str], checker: Checker | None,
              subsets: Sequence[str] = (), label_seen: bool | None = None) -> tuple[int | None, list[bool] | None]:
        """Rank the predictions against ``record['tgt']``, judge them with ``checker``, count them; return both."""
        rank = correct_rank(predictions, record["tgt"])
        verdicts = None if checker is None else [bool(checker(record, p)) for p in predictions]
        self.add(str(record.get("task", "")), rank, verdicts, subsets, label_seen)
        return rank, verdicts

    def summary(self, beam: int, checker: bool) -> dict[str, Any]:
        """Rates overall, ``per_task`` (mixtures only) and ``per_subset`` (where subsets were counted).

        A subset's rates add its ``share`` of all examples and, where ``label_seen`` was given,
        ``label_coverage``: the share of its examples whose gold label occurs in train, the ceiling of
        any predictor that only emits labels it has seen.
        """
        def rates(row: dict[str, int]) -> dict[str, Any]:
            n = max(row["examples"], 1)
            out: dict[str, Any] = {"examples": row["examples"], "top1": row["top1"] / n, f"top{beam}": row["topk"] / n}
            if checker:
                out["checked_top1"] = row["checked_top1"] / n
                out[f"checked_top{beam}"] = row["checked_topk"] / n
            return out

        everything = self.counts.get("all", dict.fromkeys(COUNTS, 0))
        overall = rates(everything)
        tasks = {name: rates(row) for name, row in sorted(self.counts.items()) if name != "all"}
        summary = {**overall, "per_task": tasks} if len(tasks) > 1 else overall
        if self.subsets:
            total = max(everything["examples"], 1)
            summary["per_subset"] = {
                name: {**rates(row), "share": row["examples"] / total,
                       **({"label_coverage": row["label_seen"] / row["labelled"]} if row["labelled"] else {})}
                for name, row in sorted(self.subsets.items())
            }
        return summary
