"""The primary contrast and the Holm-corrected secondary ones, from hand-made outcomes of three seeds."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest
from scipy import stats

from lime_reasoning.experiments.contrasts import (
    BOOTSTRAP_DRAWS,
    primary_contrast,
    secondary_contrasts,
)
from lime_reasoning.experiments.experiment_presets import Contrast
from lime_reasoning.experiments.outcomes import Outcomes

# Five test examples per seed (the arms of a seed share them): four novel ones of theorems a, a, b, c, one seen (d).
THEOREMS = ("a", "a", "b", "c", "d")
NOVEL = (True, True, True, True, False)


def outcome(top1: str, novel: float, every: float) -> Outcomes:
    """``top1``: the five examples' top-1 hits ("11000"); the rates given by hand, novel first four, all five."""
    hits = tuple(c == "1" for c in top1)
    return Outcomes({"novel/top1": novel, "all/top1": every}, THEOREMS, NOVEL, {"top1": hits})


def rates(novel: float) -> Outcomes:
    """A secondary arm: its rate only (no contrast but the primary one looks at the examples)."""
    return Outcomes({"novel/top1": novel}, THEOREMS, NOVEL, {})


# Primary: deduct - scratch, top-1 on novel examples.
#   seed  scratch novel | seen  all      deduct novel | seen  all      novel difference  all difference
#   0     1000 = 1/4    | 0     1/5      1100 = 2/4   | 1     3/5      1/4               2/5
#   1     0000 = 0      | 1     1/5      1000 = 1/4   | 1     2/5      1/4               1/5
#   2     1100 = 2/4    | 1     3/5      1111 = 4/4   | 0     4/5      2/4               1/5
PRIMARY_CELLS = {
    ("scratch", 0): outcome("10000", 0.25, 0.2), ("deduct", 0): outcome("11001", 0.5, 0.6),
    ("scratch", 1): outcome("00001", 0.0, 0.2), ("deduct", 1): outcome("10001", 0.25, 0.4),
    ("scratch", 2): outcome("11001", 0.5, 0.6), ("deduct", 2): outcome("11110", 1.0, 0.8),
}
# Novel differences 1/4, 1/4, 1/2: mean 1/3; deviations -1/12, -1/12, 1/6, squares summing to 6/144, variance
# 3/144, sd sqrt(3)/12, standard error 1/12, t = (1/3) / (1/12) = 4 on 2 degrees of freedom.
PRIMARY_MEAN, PRIMARY_SD, PRIMARY_T = 1 / 3, math.sqrt(3) / 12, 4.0


def contrast(**changes: object) -> dict:
    return {**asdict(Contrast(arm="deduct", seeds=3)), **changes}


def test_the_primary_contrast() -> None:
    result = primary_contrast(contrast(), PRIMARY_CELLS)
    assert result["arm"] == "deduct" and result["baseline"] == "scratch" and result["key"] == "novel/top1"
    assert result["seeds"] == [0, 1, 2] and result["effect"] == 0.03
    paired = result["paired"]
    assert paired["n"] == 3 and paired["mean"] == pytest.approx(PRIMARY_MEAN)
    assert paired["p_value"] == pytest.approx(2 * stats.t.sf(PRIMARY_T, 2))  # about 0.057
    half = stats.t.ppf(0.975, 2) * PRIMARY_SD / math.sqrt(3)  # 4.303 / 12
    assert (paired["low"], paired["high"]) == pytest.approx((PRIMARY_MEAN - half, PRIMARY_MEAN + half))
    boot = result["bootstrap"]  # the mean over seeds of each seed's novel accuracy difference
    assert boot["draws"] == BOOTSTRAP_DRAWS and boot["observed"] == pytest.approx(PRIMARY_MEAN)
    assert boot["low"] <= boot["observed"] <= boot["high"]
    power = result["power"]
    assert power["n"] == 3 and power["sd"] == pytest.approx(PRIMARY_SD) and power["effect"] == 0.03


def test_the_bootstrap_takes_the_contrast_subset_from_the_examples() -> None:
    result = primary_contrast(contrast(subset="all"), PRIMARY_CELLS)
    assert result["key"] == "all/top1"
    # all differences 2/5, 1/5, 1/5: mean 4/15, from the rates and from the five examples' hits alike
    assert result["paired"]["mean"] == pytest.approx(4 / 15)
    assert result["bootstrap"]["observed"] == pytest.approx(4 / 15)


def test_no_bootstrap_where_the_arms_examples_differ() -> None:
    cells = dict(PRIMARY_CELLS)
    for seed in (0, 1, 2):  # the same rates, but deduct's examples are of other theorems
        mine = cells[("deduct", seed)]
        cells[("deduct", seed)] = Outcomes(mine.rates, ("e",) * 5, mine.novel, mine.hits)
    result = primary_contrast(contrast(), cells)
    assert result["bootstrap"] is None and result["paired"]["mean"] == pytest.approx(PRIMARY_MEAN)


def test_no_primary_contrast_without_a_shared_seed() -> None:
    assert primary_contrast(contrast(), {("scratch", 0): PRIMARY_CELLS[("scratch", 0)],
                                         ("deduct", 1): PRIMARY_CELLS[("deduct", 1)]}) is None
    assert primary_contrast(contrast(arm="set"), PRIMARY_CELLS) is None


def test_one_seed_has_no_interval_and_no_power() -> None:
    result = primary_contrast(contrast(), {key: value for key, value in PRIMARY_CELLS.items() if key[1] == 2})
    assert result["seeds"] == [2] and result["paired"]["mean"] == pytest.approx(0.5)
    assert result["paired"]["low"] is None and result["paired"]["p_value"] is None and result["power"] is None
    assert result["bootstrap"]["observed"] == pytest.approx(0.5)


# Secondary arms, novel top-1 per seed, scratch being 1/4, 0, 1/2 and deduct 1/2, 1/4, 1:
#   scratch_long  5/8, 3/8, 1      minus scratch: 3/8, 3/8, 1/2     deduct minus it: -1/8, -1/8, 0
#   param_stats   1/2, 1/4, 7/8    minus scratch: 1/4, 1/4, 3/8     deduct minus it: 0, 0, 1/8
#   set           3/4, 1/4 (two seeds only)  minus scratch: 1/2, 1/4
SECONDARY_CELLS = {
    **PRIMARY_CELLS,
    **{("scratch_long", seed): rates(value) for seed, value in enumerate((0.625, 0.375, 1.0))},
    **{("param_stats", seed): rates(value) for seed, value in enumerate((0.5, 0.25, 0.875))},
    **{("set", seed): rates(value) for seed, value in enumerate((0.75, 0.25))},
}
ARMS = ("scratch", "scratch_long", "deduct", "set", "param_stats")


def three_seeds_t(a: float, b: float) -> float:
    """t of the differences (a, a, b): mean (2a + b) / 3, sd |b - a| / sqrt(3), standard error |b - a| / 3."""
    return (2 * a + b) / abs(b - a)


def test_secondary_contrasts_and_their_holm_correction() -> None:
    rows = secondary_contrasts(contrast(), ARMS, SECONDARY_CELLS)
    # every other arm against the primary baseline, in arm order, then the primary arm against the controls
    assert [(row["arm"], row["baseline"]) for row in rows] == [
        ("scratch_long", "scratch"), ("set", "scratch"), ("param_stats", "scratch"),
        ("deduct", "scratch_long"), ("deduct", "param_stats")]
    assert all(row["key"] == "novel/top1" for row in rows)
    found = {f"{row['arm']} - {row['baseline']}": row for row in rows}
    means = {name: row["paired"]["mean"] for name, row in found.items()}
    assert means == pytest.approx({"scratch_long - scratch": (3 / 8 + 3 / 8 + 1 / 2) / 3,
                                   "set - scratch": (1 / 2 + 1 / 4) / 2,
                                   "param_stats - scratch": (1 / 4 + 1 / 4 + 3 / 8) / 3,
                                   "deduct - scratch_long": (-1 / 8 - 1 / 8 + 0) / 3,
                                   "deduct - param_stats": (0 + 0 + 1 / 8) / 3})
    assert {name: row["exploratory"] for name, row in found.items()} == {
        "scratch_long - scratch": False, "set - scratch": True, "param_stats - scratch": False,
        "deduct - scratch_long": False, "deduct - param_stats": False}  # set: 2 seeds, the primary 3
    assert found["set - scratch"]["paired"]["n"] == 2

    # raw two-sided p-values: t = 10, 7, -2, 1 on 2 degrees of freedom; set: (1/2, 1/4) has mean 3/8,
    # standard error |1/2 - 1/4| / 2 = 1/8, t = 3 on 1 degree of freedom
    t_values = {"scratch_long - scratch": three_seeds_t(3 / 8, 1 / 2), "param_stats - scratch": three_seeds_t(1 / 4, 3 / 8),
                "deduct - scratch_long": three_seeds_t(-1 / 8, 0), "deduct - param_stats": three_seeds_t(0, 1 / 8)}
    assert t_values == pytest.approx({"scratch_long - scratch": 10, "param_stats - scratch": 7,
                                      "deduct - scratch_long": -2, "deduct - param_stats": 1})
    raw = {name: 2 * stats.t.sf(abs(t), 2) for name, t in t_values.items()}
    raw["set - scratch"] = 2 * stats.t.sf(3, 1)
    assert {name: row["paired"]["p_value"] for name, row in found.items()} == pytest.approx(raw)

    # Holm over the five: ascending p, the i-th smallest times (5 - i), never below the one before, at most 1
    order = ["scratch_long - scratch", "param_stats - scratch", "deduct - scratch_long", "set - scratch",
             "deduct - param_stats"]  # about 0.0099, 0.0198, 0.184, 0.205, 0.423
    assert sorted(raw, key=raw.get) == order
    expected, running = {}, 0.0
    for index, name in enumerate(order):
        running = max(running, min(1.0, (5 - index) * raw[name]))
        expected[name] = running
    # that is 5 p1, 4 p2, 3 p3, then 3 p3 again (2 p4 is smaller), and again (1 p5 is smaller)
    assert expected["set - scratch"] == expected["deduct - param_stats"] == pytest.approx(3 * raw["deduct - scratch_long"])
    assert {name: row["p_holm"] for name, row in found.items()} == pytest.approx(expected)


def test_secondary_contrasts_without_the_controls() -> None:
    rows = secondary_contrasts(contrast(), ("scratch", "deduct", "set"), SECONDARY_CELLS)
    assert [(row["arm"], row["baseline"]) for row in rows] == [("set", "scratch")]
    # one contrast: Holm leaves its p-value as it is
    assert rows[0]["p_holm"] == pytest.approx(rows[0]["paired"]["p_value"])
    assert rows[0]["p_holm"] == pytest.approx(2 * stats.t.sf(3, 1))


def test_an_arm_without_finished_cells_has_no_contrast() -> None:
    rows = secondary_contrasts(contrast(), ("scratch", "deduct", "abduct", "param_stats"), SECONDARY_CELLS)
    assert [(row["arm"], row["baseline"]) for row in rows] == [("param_stats", "scratch"), ("deduct", "param_stats")]


def test_a_one_seed_contrast_has_no_p_value_and_stays_out_of_the_family() -> None:
    cells = {**SECONDARY_CELLS, ("abduct", 1): rates(0.5)}  # against scratch's 0 on seed 1
    rows = secondary_contrasts(contrast(), ("scratch", "deduct", "abduct", "set"), cells)
    found = {row["arm"]: row for row in rows}
    assert found["abduct"]["paired"] == {"mean": pytest.approx(0.5), "low": None, "high": None, "n": 1, "p_value": None}
    assert found["abduct"]["p_holm"] is None and found["abduct"]["exploratory"]
    assert found["set"]["p_holm"] == pytest.approx(found["set"]["paired"]["p_value"])  # a family of one
