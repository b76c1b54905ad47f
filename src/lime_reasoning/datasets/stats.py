"""``lime stats``: counts and token-length distributions per split and per task.

Lengths are accumulated as histograms, so statistics of a 10 M-example dataset need little memory.
Percentiles are nearest-rank: the smallest length at or below which the given share of lines falls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lime_reasoning.datasets.columns import TextColumn
from lime_reasoning.datasets.reading import SPLITS, iter_blocks, present_splits
from lime_reasoning.errors import LimeError

ALL_TASKS = "(all)"


@dataclass
class LengthHistogram:
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(self, lengths: np.ndarray) -> None:
        if not len(lengths):
            return
        histogram = np.bincount(lengths)
        if len(histogram) > len(self.counts):
            histogram[: len(self.counts)] += self.counts
            self.counts = histogram
        else:
            self.counts[: len(histogram)] += histogram

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def summary(self) -> dict[str, float]:
        total = self.total
        if not total:
            return {"mean": 0.0, "min": 0, "p50": 0, "p95": 0, "max": 0}
        lengths = np.arange(len(self.counts))
        cumulative = np.cumsum(self.counts)
        present = np.flatnonzero(self.counts)

        def percentile(share: float) -> int:
            return int(np.searchsorted(cumulative, share * total))

        return {
            "mean": float((lengths * self.counts).sum() / total),
            "min": int(present[0]),
            "p50": percentile(0.5),
            "p95": percentile(0.95),
            "max": int(present[-1]),
        }


def dataset_statistics(directory: Path | str) -> dict[str, dict[str, dict[str, Any]]]:
    """``{split: {task: {"count", "src": {...}, "tgt": {...}}}}``; task ``(all)`` covers every row."""
    directory = Path(directory)
    splits = present_splits(directory, SPLITS)
    if not splits:
        raise LimeError(f"{directory}: no dataset split found (train/valid/test in text, jsonl or parquet)")
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for split in splits:
        histograms: dict[str, dict[str, LengthHistogram]] = {}
        for block in iter_blocks(directory, split):
            src = block.columns["src"].token_counts()
            tgt = block.columns["tgt"].token_counts()
            groups = {ALL_TASKS: slice(None)}
            task_column = block.columns.get("task")
            if isinstance(task_column, TextColumn):
                names, inverse = np.unique(np.array(task_column.to_strings()), return_inverse=True)
                if len(names) > 1 or names[0] != ALL_TASKS:
                    groups.update({str(name): inverse == i for i, name in enumerate(names)})
            for name, rows in groups.items():
                entry = histograms.setdefault(name, {"src": LengthHistogram(), "tgt": LengthHistogram()})
                entry["src"].add(src[rows])
                entry["tgt"].add(tgt[rows])
        result[split] = {
            name: {"count": entry["src"].total, "src": entry["src"].summary(), "tgt": entry["tgt"].summary()}
            for name, entry in histograms.items()
        }
        if len(result[split]) == 2:  # one task: its rows are all rows
            result[split] = {ALL_TASKS: result[split][ALL_TASKS]}
    return result


def format_statistics(stats: dict[str, dict[str, dict[str, Any]]]) -> str:
    header = f"{'split':<6} {'task':<24} {'count':>10}   {'src mean  p50  p95  max':>24}   {'tgt mean  p50  p95  max':>24}"
    lines = [header, "-" * len(header)]
    for split, tasks in stats.items():
        for task, entry in tasks.items():
            cells = []
            for side in ("src", "tgt"):
                s = entry[side]
                cells.append(f"{s['mean']:>8.1f} {s['p50']:>4} {s['p95']:>4} {s['max']:>4}")
            lines.append(f"{split:<6} {task:<24} {entry['count']:>10,}   {cells[0]:>24}   {cells[1]:>24}")
    return "\n".join(lines)


def print_summary(directory: Path | str, meta: dict[str, Any]) -> None:
    """What ``lime generate`` reports when it finishes."""
    splits = meta.get("splits", {})
    parts = []
    for split, entry in splits.items():
        dropped = entry["overlap"] + entry["duplicate"]
        note = f" ({entry['overlap']} overlapping, {entry['duplicate']} duplicate dropped)" if dropped else ""
        parts.append(f"{split} {entry['rows']:,}{note}")
    seconds = meta.get("seconds")
    rows = sum(entry["rows"] for entry in splits.values())
    speed = f" in {seconds:.1f} s ({rows / seconds:,.0f} examples/s)" if seconds else ""
    print(f"wrote {directory}: " + ", ".join(parts) + speed)


