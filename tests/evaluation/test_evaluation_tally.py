"""Tally: rates overall and per task as before, plus per subset with its share and label coverage."""

from __future__ import annotations

import json

import pytest

from lime_reasoning.evaluation.tally import Tally

# (task, rank, verdicts, subset, label_seen), five examples; beam 3.
EXAMPLES = [
    ("a", 1, [True, False, False], "seen", True),
    ("a", 2, [False, True, False], "seen", True),
    ("b", None, [False, False, False], "seen", False),
    ("b", None, [True, False, True], "novel", False),
    ("b", 3, [False, False, False], "novel", True),
]


def tallied(with_labels: bool = True) -> Tally:
    tally = Tally()
    for task, rank, verdicts, subset, seen in EXAMPLES:
        tally.add(task, rank, verdicts, (subset,), seen if with_labels else None)
    return tally


def test_subsets_have_their_rates_share_and_label_coverage() -> None:
    summary = tallied().summary(beam=3, checker=True)
    assert summary["per_subset"] == {
        "novel": {"examples": 2, "top1": 0.0, "top3": 0.5, "checked_top1": 0.5, "checked_top3": 0.5,
                  "share": 0.4, "label_coverage": 0.5},
        "seen": {"examples": 3, "top1": pytest.approx(1 / 3), "top3": pytest.approx(2 / 3),
                 "checked_top1": pytest.approx(1 / 3), "checked_top3": pytest.approx(2 / 3),
                 "share": 0.6, "label_coverage": pytest.approx(2 / 3)},
    }


def test_overall_and_per_task_are_what_they_were() -> None:
    summary = tallied().summary(beam=3, checker=False)
    assert {k: v for k, v in summary.items() if k != "per_subset"} == {
        "examples": 5, "top1": 0.2, "top3": 0.6,
        "per_task": {"a": {"examples": 2, "top1": 0.5, "top3": 1.0},
                     "b": {"examples": 3, "top1": 0.0, "top3": pytest.approx(1 / 3)}},
    }
    assert "checked_top1" not in summary["per_subset"]["seen"]
    plain = Tally()
    plain.add("", 1, None)
    assert plain.summary(beam=3, checker=False) == {"examples": 1, "top1": 1.0, "top3": 1.0}  # no per_subset


def test_without_label_seen_there_is_no_coverage() -> None:
    rates = tallied(with_labels=False).summary(beam=3, checker=False)["per_subset"]
    assert rates["novel"] == {"examples": 2, "top1": 0.0, "top3": 0.5, "share": 0.4}


def test_counts_survive_a_json_checkpoint() -> None:
    tally = tallied()
    restored = Tally(**json.loads(json.dumps({"counts": tally.counts, "subsets": tally.subsets})))
    restored.add("a", 1, [True, True, True], ("novel",), True)
    tally.add("a", 1, [True, True, True], ("novel",), True)
    assert restored.summary(3, True) == tally.summary(3, True)


def test_score_ranks_judges_and_counts() -> None:
    tally = Tally()
    record = {"src": "x", "tgt": "b  c", "task": "t"}
    rank, verdicts = tally.score(record, ["a", "b c", "d"], lambda r, p: p.startswith("d"), ("seen",), False)
    assert (rank, verdicts) == (2, [False, False, True])
    assert tally.counts["t"] == {"examples": 1, "top1": 0, "topk": 1, "checked_top1": 0, "checked_topk": 1}
    assert tally.subsets["seen"]["labelled"] == 1 and tally.subsets["seen"]["label_seen"] == 0
