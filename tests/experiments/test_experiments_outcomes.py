"""A cell's outcomes re-tallied from a hand-written predictions.jsonl: rates per subset and hits per example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lime_reasoning.datasets.novelty import BY_TEXT, Novelty
from lime_reasoning.experiments.outcomes import (
    Outcomes,
    cell_outcomes,
    flat_rates,
    metric_names,
)

# Six test examples, beam 3; the checker's verdicts on the three predictions of each.
#   index  theorem  subset  rank  checked            top1  top3  checked_top1  checked_top3
#   0      a        novel   1     [T, F, F]          T     T     T             T
#   1      a        seen    2     [F, T, F]          F     T     F             T
#   2      b        novel   None  [F, F, T]          F     F     F             T   (an accepted non-gold step)
#   3      b        novel   None  [F, F, F]          F     F     F             F
#   4      c        seen    1     [T, T, F]          T     T     T             T
#   5      d        novel   3     [T, F, F]          F     T     T             T
ROWS = [
    {"rank": 1, "checked": [True, False, False], "theorem": "a"},
    {"rank": 2, "checked": [False, True, False], "theorem": "a"},
    {"rank": None, "checked": [False, False, True], "theorem": "b"},
    {"rank": None, "checked": [False, False, False], "theorem": "b"},
    {"rank": 1, "checked": [True, True, False], "theorem": "c"},
    {"rank": 3, "checked": [True, False, False], "theorem": "d"},
]
NOVEL = [True, False, True, True, False, True]
NOVELTY = Novelty(novel=NOVEL, label_seen=[True, True, False, True, True, False], by=BY_TEXT)


def write_predictions(path: Path, rows: list[dict]) -> Path:
    """predictions.jsonl as ``lime evaluate`` writes it: one JSON object a line, the record's fields and more."""
    lines = [json.dumps({"index": i, "src": f"source {i}", "tgt": f"target {i}", "predictions": ["p", "q", "r"], **row})
             for i, row in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n\n")  # a trailing blank line is no prediction
    return path


def test_rates_per_subset_and_hits_per_example(tmp_path: Path) -> None:
    outcomes = cell_outcomes(write_predictions(tmp_path / "predictions.jsonl", ROWS), NOVELTY, beam=3)
    assert isinstance(outcomes, Outcomes)
    assert outcomes.rates == pytest.approx({
        # all six: top-1 hits at 0 and 4; top-3 at 0, 1, 4, 5; checked top-1 at 0, 4, 5; checked top-3 all but 3
        "all/top1": 2 / 6, "all/top3": 4 / 6, "all/checked_top1": 3 / 6, "all/checked_top3": 5 / 6,
        # novel 0, 2, 3, 5: top-1 at 0; top-3 at 0, 5; checked top-1 at 0, 5; checked top-3 at 0, 2, 5
        "novel/top1": 1 / 4, "novel/top3": 2 / 4, "novel/checked_top1": 2 / 4, "novel/checked_top3": 3 / 4,
        # seen 1, 4: top-1 at 4; top-3 at both; checked top-1 at 4; checked top-3 at both
        "seen/top1": 1 / 2, "seen/top3": 2 / 2, "seen/checked_top1": 1 / 2, "seen/checked_top3": 2 / 2,
    })
    assert set(outcomes.rates) == {f"{s}/{m}" for s in ("all", "novel", "seen") for m in metric_names(3)}
    assert outcomes.hits == {
        "top1": (True, False, False, False, True, False),
        "top3": (True, True, False, False, True, True),
        "checked_top1": (True, False, False, False, True, True),
        "checked_top3": (True, True, True, False, True, True),
    }
    assert outcomes.theorems == ("a", "a", "b", "b", "c", "d")
    assert outcomes.novel == tuple(NOVEL)


def test_without_a_checker_there_are_no_checked_counts(tmp_path: Path) -> None:
    rows = [{"rank": row["rank"]} for row in ROWS]  # no "checked", no "theorem"
    outcomes = cell_outcomes(write_predictions(tmp_path / "predictions.jsonl", rows), NOVELTY, beam=3)
    assert outcomes.rates == pytest.approx({"all/top1": 2 / 6, "all/top3": 4 / 6, "novel/top1": 1 / 4,
                                            "novel/top3": 2 / 4, "seen/top1": 1 / 2, "seen/top3": 2 / 2})
    assert set(outcomes.hits) == {"top1", "top3"}
    assert outcomes.theorems == ("0", "1", "2", "3", "4", "5")  # each example its own cluster


def test_a_subset_without_examples_has_no_rates(tmp_path: Path) -> None:
    novelty = Novelty(novel=[True] * 6, label_seen=[True] * 6, by=BY_TEXT)
    outcomes = cell_outcomes(write_predictions(tmp_path / "predictions.jsonl", ROWS), novelty, beam=3)
    assert not any(key.startswith("seen/") for key in outcomes.rates)
    assert outcomes.rates["novel/top1"] == pytest.approx(2 / 6)  # every example is novel: the novel rates are all's
    assert outcomes.rates["novel/checked_top3"] == pytest.approx(outcomes.rates["all/checked_top3"])


@pytest.mark.parametrize("count", [5, 7])
def test_a_length_mismatch_is_an_error(tmp_path: Path, count: int) -> None:
    rows = (ROWS * 2)[:count]
    path = write_predictions(tmp_path / "predictions.jsonl", rows)
    with pytest.raises(ValueError, match=f"{count} predictions for 6 test examples"):
        cell_outcomes(path, NOVELTY, beam=3)


def test_flat_rates_of_a_summary() -> None:
    summary = {"examples": 4, "top1": 0.25, "top5": 0.5, "per_task": {"deduct": {"top1": 1.0}},
               "per_subset": {"novel": {"examples": 1, "top1": 0.0, "top5": 1.0, "share": 0.25, "label_coverage": 1.0},
                              "seen": {"examples": 3, "top1": 1 / 3, "top5": 1 / 3, "share": 0.75}}}
    assert flat_rates(summary, beam=5) == {"all/top1": 0.25, "all/top5": 0.5, "novel/top1": 0.0, "novel/top5": 1.0,
                                           "seen/top1": 1 / 3, "seen/top5": 1 / 3}  # no shares, counts or tasks
    assert flat_rates({"top1": 0.5, "top5": 0.75}, beam=5) == {"all/top1": 0.5, "all/top5": 0.75}
