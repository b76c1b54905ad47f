"""Counting exact matches (top-1, top-k) and checker verdicts, overall and per task of a mixture."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COUNTS = ("examples", "top1", "topk", "checked_top1", "checked_topk")


@dataclass
class Tally:
    """Counts per task; ``summary()`` turns them into rates. Plain dicts so a checkpoint can store them."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, task: str, rank: int | None, verdicts: list[bool] | None) -> None:
        for key in ("all", task) if task else ("all",):
            row = self.counts.setdefault(key, dict.fromkeys(COUNTS, 0))
            row["examples"] += 1
            row["top1"] += rank == 1
            row["topk"] += rank is not None
            if verdicts is not None:
                row["checked_top1"] += bool(verdicts[:1] and verdicts[0])
                row["checked_topk"] += any(verdicts)

    def summary(self, beam: int, checker: bool) -> dict[str, Any]:
        def rates(row: dict[str, int]) -> dict[str, Any]:
            n = max(row["examples"], 1)
            out: dict[str, Any] = {"examples": row["examples"], "top1": row["top1"] / n, f"top{beam}": row["topk"] / n}
            if checker:
                out["checked_top1"] = row["checked_top1"] / n
                out[f"checked_top{beam}"] = row["checked_topk"] / n
            return out

        overall = rates(self.counts.get("all", dict.fromkeys(COUNTS, 0)))
        tasks = {name: rates(row) for name, row in sorted(self.counts.items()) if name != "all"}
        return {**overall, "per_task": tasks} if len(tasks) > 1 else overall
