"""A cell's test outcomes, recomputed from its predictions: rates per subset, and hits per example.

The evaluation stage keeps every prediction with its rank and checker verdicts. Re-tallying those rows
against the novelty of the seed's own split (:mod:`lime_reasoning.datasets.novelty`) gives the report
its subsets with the same counting as ``lime evaluate``, and the per-example hits, grouped by theorem,
that the hierarchical bootstrap resamples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.datasets.novelty import NOVEL, SEEN, Novelty
from lime_reasoning.evaluation.tally import Tally, hits

SUBSETS = ("all", NOVEL, SEEN)


def metric_names(beam: int) -> tuple[str, ...]:
    """The metrics of a summary, once each (with beam 1, top-k is top-1)."""
    return tuple(dict.fromkeys(("top1", f"top{beam}", "checked_top1", f"checked_top{beam}")))


@dataclass(frozen=True)
class Outcomes:
    """One cell on its test split: ``rates`` by ``subset/metric``, and per example its theorem and hits."""

    rates: dict[str, float]
    theorems: tuple[str, ...]
    novel: tuple[bool, ...]
    hits: dict[str, tuple[bool, ...]]  # metric -> per example


def flat_rates(summary: dict[str, Any], beam: int) -> dict[str, float]:
    """``{"all/top1": ..., "novel/checked_top10": ...}`` from a :meth:`Tally.summary` with subsets."""
    parts = {"all": summary, **summary.get("per_subset", {})}
    return {f"{subset}/{metric}": parts[subset][metric] for subset in SUBSETS if subset in parts
            for metric in metric_names(beam) if metric in parts[subset]}


def read_predictions(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def cell_outcomes(predictions: Path, novelty: Novelty, beam: int) -> Outcomes:
    """Re-tally an evaluation's ``predictions.jsonl`` (in file order, as ``novelty`` was computed)."""
    rows = read_predictions(predictions)
    if len(rows) != len(novelty.novel):
        raise ValueError(f"{predictions}: {len(rows)} predictions for {len(novelty.novel)} test examples")
    tally = Tally()
    per_example: dict[str, list[bool]] = {name: [] for name in metric_names(beam)}
    for index, row in enumerate(rows):
        verdicts = row.get("checked")
        tally.add(str(row.get("task", "")), row["rank"], verdicts, (novelty.subset(index),), novelty.label_seen[index])
        named = {name.replace("topk", f"top{beam}"): hit for name, hit in hits(row["rank"], verdicts).items()}
        for name, hit in named.items():  # with beam 1 top-k and top-1 are one name, with one outcome
            per_example[name].append(hit)
    rates = flat_rates(tally.summary(beam, checker=any("checked" in row for row in rows)), beam)
    return Outcomes(rates, tuple(str(row.get("theorem", index)) for index, row in enumerate(rows)),
                    tuple(novelty.novel), {name: tuple(values) for name, values in per_example.items() if values})
