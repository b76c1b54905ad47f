"""The summary, the contrasts, the gate, the compute account, the curves and the markdown report, from hand-made cells."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.pyplot
import numpy as np
import pytest

from lime_reasoning.experiments.experiment_presets import EXPERIMENT_PRESETS
from lime_reasoning.experiments.outcomes import Outcomes
from lime_reasoning.experiments.proving_runs import proving_rates
from lime_reasoning.experiments.report import (
    PLOT,
    REPORT,
    RESULTS,
    Cell,
    assemble,
    compute_account,
    kept_exact_match,
    plot_curves,
    pretraining_quality,
    render_markdown,
    summarise,
    summarise_baselines,
    summarise_subsets,
    verdict,
    write_report,
)

T975_1 = 12.706204736174707  # t(0.975, 1), from tables
ROOT2 = math.sqrt(2)
METRICS = ("top1", "top10", "checked_top1", "checked_top10")
KEYS = [f"{subset}/{metric}" for subset in ("all", "novel", "seen") for metric in METRICS]
# Ten test examples per seed, shared by the arms of the seed: five novel ones, then five seen ones.
THEOREMS = ("a", "a", "b", "c", "c", "d", "e", "e", "f", "g")
NOVEL = (True,) * 5 + (False,) * 5


def write_curve(path: Path, curves: dict[str, list[tuple[int, float]]]) -> Path:
    """A long-format metrics.csv as training writes it, with training rows that the report must ignore."""
    lines = ["step,tokens_seen,elapsed_s,metric,value"]
    for metric, points in curves.items():
        for step, value in points:
            lines.append(f"{step},{step * 100},{step / 10},train/loss,{value + 1}")
            lines.append(f"{step},{step * 100},{step / 10},{metric},{value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def outcomes(every: tuple[float, ...], novel: tuple[float, ...], seen: tuple[float, ...], top1: str = "") -> Outcomes:
    """Rates by hand, per subset in the order of :data:`METRICS`; ``top1`` the ten examples' top-1 hits ("0110...")."""
    rates = {f"{subset}/{metric}": value for subset, values in (("all", every), ("novel", novel), ("seen", seen))
             for metric, value in zip(METRICS, values, strict=True)}
    return Outcomes(rates, THEOREMS, NOVEL, {"top1": tuple(c == "1" for c in top1)} if top1 else {})


def training(flops: float, train_seconds: float, wall_seconds: float) -> dict[str, float]:
    return {"flops": flops, "train_seconds": train_seconds, "wall_seconds": wall_seconds, "steps": 30,
            "tokens_seen": 4000, "key": "abcdef012345", "settings": {"ignored": True}}


@pytest.fixture
def cells(tmp_path: Path) -> list[Cell]:
    """scratch and deduct with seeds 0 and 1, set with seed 0 only (no exact-match curve in fine-tuning).

    Every cell's "all" rate is the mean of its novel and seen rates (five examples each), and its top-1 hits
    match its novel and seen top-1 rates. Pretraining (select exact_match, the demo's gate 50%), steps 500, 1000:
    deduct 0 exact match 0.6, 0.7 (kept 0.7 at 1000); deduct 1 0.55, 0.4 (kept 0.55 at 500); set 0 0.2, 0.3
    (kept 0.3 at 1000: below the gate).
    """
    def curve(name: str, loss: list[float], accuracy: list[float], exact: list[float] | None,
              steps: tuple[int, ...] = (15, 30)) -> Path:
        curves = {"valid/loss": list(zip(steps, loss)), "valid/token_accuracy": list(zip(steps, accuracy))}
        if exact is not None:
            curves["valid/exact_match"] = list(zip(steps, exact))
        return write_curve(tmp_path / f"{name}.csv", curves)

    fine = training(4e9, 30, 33)
    checked = {"wall_seconds": 1.0, "metrics": {"checker_guarantee": "the step checker accepts it"}}
    return [  # deliberately not in arm order
        Cell("set", 0, outcomes((0.1, 0.3, 0.2, 0.4), (0.0, 0.2, 0.2, 0.4), (0.2, 0.4, 0.2, 0.4), "00000" "10000"),
             training(1.6e9, 75, 80), training(4e9, 3725, 3730), {"wall_seconds": 5.0},
             curve("set0", [6.0, 5.5], [0.1, 0.2], None), curve("pre-set0", [2.0, 1.5], [0.5, 0.6], [0.2, 0.3], (500, 1000))),
        Cell("deduct", 1, outcomes((0.4, 0.7, 0.6, 1.0), (0.4, 0.6, 0.6, 1.0), (0.4, 0.8, 0.6, 1.0), "11000" "11000"),
             training(3e9, 20, 22), fine, {"wall_seconds": 2.0}, curve("deduct1", [3.5, 1.0], [0.4, 0.6], [0.1, 0.3]),
             curve("pre-deduct1", [1.0, 0.8], [0.7, 0.75], [0.55, 0.4], (500, 1000))),
        Cell("scratch", 0, outcomes((0.2, 0.5, 0.3, 0.6), (0.0, 0.4, 0.2, 0.6), (0.4, 0.6, 0.4, 0.6), "00000" "11000"),
             None, fine, checked, curve("scratch0", [4.0, 3.0], [0.1, 0.2], [0.0, 0.1])),
        Cell("deduct", 0, outcomes((0.5, 0.9, 0.5, 0.9), (0.6, 1.0, 0.4, 0.8), (0.4, 0.8, 0.6, 1.0), "11100" "11000"),
             training(1e9, 10, 12), fine, {"wall_seconds": 2.0}, curve("deduct0", [3.0, 2.0], [0.3, 0.5], [0.0, 0.2]),
             curve("pre-deduct0", [0.9, 0.7], [0.8, 0.9], [0.6, 0.7], (500, 1000))),
        Cell("scratch", 1, outcomes((0.4, 0.7, 0.3, 0.8), (0.2, 0.6, 0.2, 0.8), (0.6, 0.8, 0.4, 0.8), "10000" "11100"),
             None, fine, {"wall_seconds": 1.0},
             curve("scratch1", [5.0, 2.0, 1.0], [0.2, 0.3, 0.4], [0.0, 0.0, 0.5], steps=(15, 30, 45))),
    ]


ARMS = ("scratch", "deduct", "induct", "set")  # induct has no finished cell


def test_summarise(cells: list[Cell]) -> None:
    summary = summarise(cells, ARMS, KEYS)
    assert list(summary) == ["scratch", "deduct", "set"]  # the arms' order; an arm without cells is left out
    assert all(list(entry) == KEYS for entry in summary.values())
    scratch = summary["scratch"]["all/top1"]  # 0.2 and 0.4
    assert scratch["mean"] == pytest.approx(0.3) and scratch["std"] == pytest.approx(0.2 / ROOT2)
    assert scratch["n"] == 2 and "vs_scratch" not in scratch
    assert summary["scratch"]["all/checked_top1"]["std"] == pytest.approx(0.0)
    deduct = summary["deduct"]["all/top1"]  # 0.5 and 0.4: differences 0.3 and 0.0 from scratch
    assert deduct["mean"] == pytest.approx(0.45) and deduct["std"] == pytest.approx(math.sqrt(0.005))
    difference = deduct["vs_scratch"]  # mean 0.15, sd 0.15 * sqrt(2), half-width t(0.975, 1) * 0.15
    assert difference["n"] == 2 and difference["mean"] == pytest.approx(0.15)
    assert difference["low"] == pytest.approx(0.15 - T975_1 * 0.15)
    assert difference["high"] == pytest.approx(0.15 + T975_1 * 0.15)
    # t = 0.15 / 0.15 = 1 on one degree of freedom (Cauchy): p = 1 - 2 atan(1) / pi = 1/2
    assert difference["p_value"] == pytest.approx(0.5)
    checked = summary["deduct"]["all/checked_top10"]["vs_scratch"]  # differences 0.3 and 0.2
    assert checked["mean"] == pytest.approx(0.25)
    assert checked["high"] - checked["low"] == pytest.approx(2 * T975_1 * (0.1 / ROOT2) / ROOT2)
    novel = summary["deduct"]["novel/top1"]  # 0.6, 0.4 against scratch's 0.0, 0.2: differences 0.6 and 0.2
    assert novel["mean"] == pytest.approx(0.5) and novel["vs_scratch"]["mean"] == pytest.approx(0.4)
    # standard error |0.6 - 0.2| / 2 = 0.2, t = 2: p = 1 - 2 atan(2) / pi
    assert novel["vs_scratch"]["low"] == pytest.approx(0.4 - T975_1 * 0.2)
    assert novel["vs_scratch"]["p_value"] == pytest.approx(1 - 2 * math.atan(2) / math.pi)
    seen = summary["deduct"]["seen/top10"]["vs_scratch"]  # 0.8, 0.8 against 0.6, 0.8
    assert seen["mean"] == pytest.approx(0.1)
    single = summary["set"]["all/top1"]  # one seed: no std; paired with scratch's seed 0 only, no interval
    assert single["mean"] == pytest.approx(0.1) and single["std"] is None and single["n"] == 1
    assert single["vs_scratch"]["mean"] == pytest.approx(-0.1)
    assert (single["vs_scratch"]["low"], single["vs_scratch"]["high"], single["vs_scratch"]["n"]) == (None, None, 1)
    assert single["vs_scratch"]["p_value"] is None


def test_summarise_leaves_out_keys_no_cell_has(cells: list[Cell]) -> None:
    summary = summarise(cells, ARMS, ["all/top5", "novel/top1"])
    assert all(list(entry) == ["novel/top1"] for entry in summary.values())


def test_summarise_compares_task_arms_with_param_stats_too(cells: list[Cell]) -> None:
    scratch = cells[2]
    controls = [Cell("param_stats", seed, outcomes((top1, 0.5, 0.5, 0.5), (novel, 0.5, 0.5, 0.5), (0.5,) * 4),
                     scratch.finetune, scratch.finetune, {"wall_seconds": 1.0}, scratch.curve_file)
                for seed, top1, novel in ((0, 0.35, 0.2), (1, 0.45, 0.4))]
    arms = ("scratch", "deduct", "set", "param_stats")
    summary = summarise(cells + controls, arms, KEYS)
    # deduct top-1 0.5, 0.4 against param_stats 0.35, 0.45: differences 0.15 and -0.05
    versus = summary["deduct"]["all/top1"]["vs_param_stats"]
    assert versus["n"] == 2 and versus["mean"] == pytest.approx(0.05)
    assert versus["high"] - versus["low"] == pytest.approx(2 * T975_1 * (0.2 / ROOT2) / ROOT2)
    assert summary["set"]["all/top1"]["vs_param_stats"]["mean"] == pytest.approx(0.1 - 0.35)
    control = summary["param_stats"]["all/top1"]  # against scratch 0.2, 0.4: differences 0.15 and 0.05
    assert "vs_param_stats" not in control and control["vs_scratch"]["mean"] == pytest.approx(0.1)
    assert list(summary["scratch"]["all/top1"]) == ["mean", "std", "n"]  # the baseline itself: no differences

    # In the report, param_stats shows in the secondary contrasts (on novel top-1, Holm over the two with a p):
    #   set - scratch: seed 0 only, 0.0 - 0.0: no interval, no p, exploratory (1 seed, the primary has 2)
    #   param_stats - scratch: 0.2 - 0.0, 0.4 - 0.2, both 0.2: sd 0, p = 0; Holm: 2 * 0 = 0
    #   deduct - param_stats: 0.6 - 0.2, 0.4 - 0.4 = 0.4, 0.0: mean 0.2 ± 12.706 * 0.2, t = 1, p = 0.5;
    #   Holm: max(0, 1 * 0.5)
    markdown = render_markdown(results_for(cells + controls, arms))
    assert "| contrast | seeds | Δ (points) [95% CI] | p | p (Holm) | |" in markdown
    rows = tables(markdown)[4]
    assert list(rows) == ["set − scratch", "param_stats − scratch", "deduct − param_stats"]
    assert rows["set − scratch"] == "| set − scratch | 1 | +0.0 | – | – | exploratory |"
    assert rows["param_stats − scratch"] == "| param_stats − scratch | 2 | +20.0 [+20.0, +20.0] | < 0.001 | < 0.001 |  |"
    assert rows["deduct − param_stats"] == "| deduct − param_stats | 2 | +20.0 [-234.1, +274.1] | 0.500 | 0.500 |  |"
    assert "On novel/top1; an exploratory contrast has fewer seeds than the primary one." in markdown


def test_summarise_without_scratch(cells: list[Cell]) -> None:
    summary = summarise([c for c in cells if c.arm != "scratch"], ARMS, KEYS)
    assert list(summary) == ["deduct", "set"]
    assert all("vs_scratch" not in metric for entry in summary.values() for metric in entry.values())


def test_summarise_with_another_beam(tmp_path: Path) -> None:
    rates = {"all/top1": 0.25, "all/top5": 0.5, "all/checked_top1": 0.25, "all/checked_top5": 0.75}
    cell = Cell("scratch", 0, Outcomes(rates, ("a",), (True,), {}), None, training(1, 1, 1), {"wall_seconds": 1},
                tmp_path / "none.csv")
    summary = summarise([cell], ["scratch"], ["all/top1", "all/checked_top5"])
    assert summary["scratch"]["all/checked_top5"] == {"mean": 0.75, "std": None, "n": 1}


def tally_summary(every: tuple[float, ...], novel: tuple[float, ...], seen: tuple[float, ...],
                  coverage: tuple[float, float]) -> dict:
    """A :meth:`Tally.summary` of a model-free baseline on a split of ten examples, five novel and five seen."""
    def rates(values: tuple[float, ...]) -> dict:
        return dict(zip(METRICS, values, strict=True))

    return {"examples": 10, **rates(every), "per_subset": {
        "novel": {"examples": 5, **rates(novel), "share": 0.5, "label_coverage": coverage[0]},
        "seen": {"examples": 5, **rates(seen), "share": 0.5, "label_coverage": coverage[1]}}}


BASELINES = {
    0: {"train_lookup": tally_summary((0.3, 0.6, 0.4, 0.7), (0.0, 0.2, 0.2, 0.4), (0.6, 1.0, 0.6, 1.0), (0.8, 1.0)),
        "best_constant": tally_summary((0.1, 0.2, 0.1, 0.3), (0.0, 0.2, 0.0, 0.2), (0.2, 0.2, 0.2, 0.4), (0.8, 1.0))},
    1: {"train_lookup": tally_summary((0.5, 0.6, 0.5, 0.8), (0.2, 0.2, 0.2, 0.6), (0.8, 1.0, 0.8, 1.0), (0.6, 1.0)),
        "best_constant": tally_summary((0.1, 0.2, 0.1, 0.3), (0.0, 0.2, 0.0, 0.2), (0.2, 0.2, 0.2, 0.4), (0.6, 1.0))},
}


def test_summarise_baselines() -> None:
    table = summarise_baselines(BASELINES, KEYS, beam=10)
    assert list(table) == ["best_constant", "train_lookup"]
    assert list(table["train_lookup"]) == KEYS
    assert table["train_lookup"]["all/top1"] == pytest.approx({"mean": 0.4, "std": 0.2 / ROOT2, "n": 2})  # 0.3, 0.5
    assert table["train_lookup"]["novel/top1"] == pytest.approx({"mean": 0.1, "std": 0.2 / ROOT2, "n": 2})  # 0.0, 0.2
    assert table["best_constant"]["seen/checked_top10"] == pytest.approx({"mean": 0.4, "std": 0.0, "n": 2})
    # a seed scored without a checker: the checked rates are left out, not averaged over the other seed alone
    unchecked = {name: {k: v for k, v in summary.items() if not k.startswith("checked")} for name, summary in
                 BASELINES[1].items()}
    table = summarise_baselines({0: BASELINES[0], 1: unchecked}, KEYS, beam=10)
    assert list(table["train_lookup"]) == ["all/top1", "all/top10", "novel/top1", "novel/top10", "novel/checked_top1",
                                           "novel/checked_top10", "seen/top1", "seen/top10", "seen/checked_top1",
                                           "seen/checked_top10"]  # only the overall rates lost their checked ones
    assert table["train_lookup"]["all/top10"] == pytest.approx({"mean": 0.6, "std": 0.0, "n": 2})


def test_summarise_subsets() -> None:
    subsets = summarise_subsets(BASELINES)
    assert list(subsets) == ["novel", "seen"]
    assert subsets["novel"]["share"] == pytest.approx({"mean": 0.5, "std": 0.0, "n": 2})
    assert subsets["novel"]["label_coverage"] == pytest.approx({"mean": 0.7, "std": 0.2 / ROOT2, "n": 2})  # 0.8, 0.6
    assert subsets["seen"]["examples"] == pytest.approx({"mean": 5, "std": 0.0, "n": 2})


def test_compute_account(cells: list[Cell]) -> None:
    account = compute_account(cells, ARMS)
    assert list(account) == ["scratch", "deduct", "set"]
    assert account["scratch"]["pretrain"] is None
    assert account["scratch"]["finetune"] == {"flops": 4e9, "train_seconds": 30, "wall_seconds": 33}
    assert account["deduct"]["pretrain"] == pytest.approx({"flops": 2e9, "train_seconds": 15, "wall_seconds": 17})
    assert account["set"]["finetune"]["train_seconds"] == 3725


def test_a_cell_row(cells: list[Cell]) -> None:
    row = cells[1].row("exact_match", 0.5)  # deduct, seed 1: kept exact match 0.55, past the gate
    assert row == {"arm": "deduct", "seed": 1,
                   "all/top1": 0.4, "all/top10": 0.7, "all/checked_top1": 0.6, "all/checked_top10": 1.0,
                   "novel/top1": 0.4, "novel/top10": 0.6, "novel/checked_top1": 0.6, "novel/checked_top10": 1.0,
                   "seen/top1": 0.4, "seen/top10": 0.8, "seen/checked_top1": 0.6, "seen/checked_top10": 1.0,
                   "pretrain": {"flops": 3e9, "train_seconds": 20, "wall_seconds": 22, "steps": 30,
                                "tokens_seen": 4000, "key": "abcdef012345"},
                   "pretrain_exact_match": 0.55, "passed_gate": True,
                   "finetune": {"flops": 4e9, "train_seconds": 30, "wall_seconds": 33, "steps": 30,
                                "tokens_seen": 4000, "key": "abcdef012345"},
                   "evaluate_seconds": 2.0, "prove_seconds": None}
    scratch = cells[2].row("exact_match", 0.5)
    assert scratch["pretrain"] is None and scratch["pretrain_exact_match"] is None and scratch["passed_gate"] is None


def test_the_gate_marks_a_cell_below_it(cells: list[Cell]) -> None:
    below = cells[0].row("exact_match", 0.5)  # set, seed 0: kept exact match 0.3 < 0.5
    assert below["pretrain_exact_match"] == pytest.approx(0.3) and below["passed_gate"] is False
    assert cells[0].row("exact_match", 0.3)["passed_gate"] is True  # the gate itself passes
    # under "loss", deduct seed 1 keeps step 1000 (loss 0.8 < 1.0), exact match 0.4 < 0.5
    assert cells[1].row("loss", 0.5)["pretrain_exact_match"] == pytest.approx(0.4)
    assert cells[1].row("loss", 0.5)["passed_gate"] is False

    quality = pretraining_quality(cells, ARMS, "exact_match", 0.5)
    assert list(quality) == ["deduct", "set"]  # scratch has no pretraining
    assert quality["set"]["below_gate"] == [0] and (quality["set"]["passed"], quality["set"]["seeds"]) == (0, 1)
    assert quality["deduct"]["below_gate"] == [] and (quality["deduct"]["passed"], quality["deduct"]["seeds"]) == (2, 2)
    markdown = render_markdown(results_for(cells))
    assert "the gate is 50%." in markdown
    rows = tables(markdown)[-1]  # the pretraining table comes last
    # token accuracy of the kept checkpoints: deduct 0.9 (step 1000), 0.7 (step 500); set 0.6 (step 1000)
    assert rows["deduct"] == "| deduct | 80.0 | 62.5 | 55.0 | 2 of 2 |"
    assert rows["set"] == "| set | 60.0 | 30.0 | 30.0 | 0 of 1 — **below the gate: seed 0** |"
    assert markdown.count("below the gate") == 1


def test_pretraining_quality_is_that_of_the_kept_checkpoints(cells: list[Cell]) -> None:
    quality = pretraining_quality(cells, ARMS, "exact_match", 0.5)
    # deduct kept exact match 0.7 and 0.55; their token accuracy 0.9 (step 1000) and 0.7 (step 500)
    assert quality["deduct"] == pytest.approx({"exact_match": 0.625, "min_exact_match": 0.55, "token_accuracy": 0.8,
                                               "passed": 2, "seeds": 2, "below_gate": []})
    assert quality["set"] == pytest.approx({"exact_match": 0.3, "min_exact_match": 0.3, "token_accuracy": 0.6,
                                            "passed": 0, "seeds": 1, "below_gate": [0]})
    # by loss both deduct seeds keep step 1000: exact match 0.7 and 0.4, token accuracy 0.9 and 0.75
    by_loss = pretraining_quality(cells, ARMS, "loss", 0.5)
    assert by_loss["deduct"] == pytest.approx({"exact_match": 0.55, "min_exact_match": 0.4, "token_accuracy": 0.825,
                                               "passed": 1, "seeds": 2, "below_gate": [1]})


# A pretraining curve: the best exact match (0.5, step 400) is neither the lowest loss's (1.5 at steps 300 and 400:
# the earlier, 300, with 0.3) nor the last (0.45).
CURVE = {"valid/loss": [(100, 3.0), (200, 2.0), (300, 1.5), (400, 1.5), (500, 1.8)],
         "valid/token_accuracy": [(100, 0.2), (200, 0.3), (300, 0.35), (400, 0.4), (500, 0.5)],
         "valid/exact_match": [(100, 0.1), (200, 0.4), (300, 0.3), (400, 0.5), (500, 0.45)]}


@pytest.mark.parametrize(("select", "exact", "accuracy"), [("exact_match", 0.5, 0.4), ("loss", 0.3, 0.35),
                                                            ("last", 0.45, 0.5)])
def test_kept_exact_match_under_each_select_rule(tmp_path: Path, select: str, exact: float, accuracy: float) -> None:
    curve = write_curve(tmp_path / "pre.csv", CURVE)
    assert kept_exact_match(curve, select) == pytest.approx(exact)
    cell = Cell("deduct", 0, outcomes((0,) * 4, (0,) * 4, (0,) * 4), training(1, 1, 1), training(1, 1, 1),
                {"wall_seconds": 1.0}, curve, curve)
    quality = pretraining_quality([cell], ["deduct"], select, 0.5)["deduct"]
    assert quality["exact_match"] == pytest.approx(exact) and quality["token_accuracy"] == pytest.approx(accuracy)


def test_a_tie_keeps_the_earlier_checkpoint(tmp_path: Path) -> None:
    curve = write_curve(tmp_path / "pre.csv", {"valid/loss": [(1, 2.0), (2, 1.0), (3, 1.0)],
                                               "valid/token_accuracy": [(1, 0.6), (2, 0.7), (3, 0.8)],
                                               "valid/exact_match": [(1, 0.5), (2, 0.2), (3, 0.5)]})
    cell = Cell("deduct", 0, outcomes((0,) * 4, (0,) * 4, (0,) * 4), training(1, 1, 1), training(1, 1, 1),
                {"wall_seconds": 1.0}, curve, curve)
    # exact match 0.5 at steps 1 and 3: step 1, token accuracy 0.6; loss 1.0 at steps 2 and 3: step 2, exact 0.2
    assert pretraining_quality([cell], ["deduct"], "exact_match", 0.5)["deduct"]["token_accuracy"] == pytest.approx(0.6)
    assert kept_exact_match(curve, "loss") == pytest.approx(0.2)


@pytest.fixture
def figure(cells: list[Cell], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[matplotlib.figure.Figure, Path]:
    """The figure plot_curves draws, kept open for inspection, and the file it saved."""
    kept = []
    monkeypatch.setattr(matplotlib.pyplot, "close", lambda figure=None: kept.append(figure))
    path = tmp_path / "curves.png"
    plot_curves(cells, ARMS, path)
    assert len(kept) == 1
    yield kept[0], path
    matplotlib.pyplot.close("all")


def test_the_plot_has_every_arm(figure: tuple[matplotlib.figure.Figure, Path]) -> None:
    drawn, path = figure
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    loss, accuracy, exact = drawn.axes
    assert [t.get_text() for t in loss.get_legend().get_texts()] == ["scratch", "deduct", "set"]
    assert [line.get_label() for line in accuracy.get_lines()] == ["scratch", "deduct", "set"]
    assert [line.get_label() for line in exact.get_lines()] == ["scratch", "deduct"]  # set logged no exact match
    assert [axis.get_title() for axis in drawn.axes] == ["validation loss", "validation token accuracy",
                                                         "validation exact match (greedy)"]
    styles = {line.get_label(): line.get_linestyle() for line in loss.get_lines()}
    assert styles == {"scratch": "--", "deduct": "-", "set": "-"}


def test_the_plot_shows_the_mean_over_seeds_at_common_steps(figure: tuple[matplotlib.figure.Figure, Path]) -> None:
    drawn, _ = figure
    lines = {line.get_label(): line for line in drawn.axes[0].get_lines()}
    # scratch: (4, 3) and (5, 2, 1 at step 45 that seed 0 never reached)
    assert list(lines["scratch"].get_xdata()) == [15, 30]
    assert list(lines["scratch"].get_ydata()) == pytest.approx([4.5, 2.5])
    assert list(lines["deduct"].get_ydata()) == pytest.approx([3.25, 1.5])
    assert list(lines["set"].get_ydata()) == pytest.approx([6.0, 5.5])
    accuracy = {line.get_label(): line for line in drawn.axes[1].get_lines()}
    assert list(accuracy["deduct"].get_ydata()) == pytest.approx([0.35, 0.55])
    # a band (min..max over seeds) for the arms with two seeds only
    assert all(len(axis.collections) == 2 for axis in drawn.axes)


def test_arms_with_identical_curves_stay_visible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where every arm has the same curve (the demo's untrained arms), each arm's colour still shows."""
    every = ("scratch", "deduct", "induct", "abduct", "mixed", "rewrite_multistep_hard", "set", "param_stats")
    same = {"valid/loss": [(15, 4.0), (30, 3.0)], "valid/token_accuracy": [(15, 0.2), (30, 0.3)]}
    nothing = outcomes((0,) * 4, (0,) * 4, (0,) * 4)
    cells = [Cell(arm, 0, nothing, None, {}, {}, write_curve(tmp_path / f"{arm}.csv", same), None) for arm in every]
    kept = []
    monkeypatch.setattr(matplotlib.pyplot, "close", lambda figure=None: kept.append(figure))
    plot_curves(cells, every, tmp_path / "curves.png")
    drawn = kept[0]
    drawn.canvas.draw()
    pixels = np.asarray(drawn.canvas.buffer_rgba())[..., :3].astype(float)
    box = drawn.axes[1].get_window_extent()  # the panel without the legend, whose entries show every colour
    height = pixels.shape[0]
    panel = pixels[int(height - box.y1):int(height - box.y0), int(box.x0):int(box.x1)].reshape(-1, 3)
    palette = matplotlib.pyplot.get_cmap("tab10")
    for index, arm in enumerate(every):
        colour = np.array(palette(index % 10)[:3]) * 255
        assert (np.abs(panel - colour).sum(axis=1) < 40).any(), arm
    matplotlib.pyplot.close("all")


DOWNSTREAM = {"database": "/usr/share/metamath/databases/set.mm", "test_examples": [777, 1024],
              "novelty": "source up to variable renaming"}
INVOCATIONS = [{"seconds": 100.0, "jobs": 2}, {"seconds": 50.0, "jobs": 1}]


def results_for(cells: list[Cell], arms: tuple[str, ...] = ARMS, invocations: list[dict] = INVOCATIONS) -> dict:
    """The demo preset: primary deduct - scratch on novel top-1 (1 seed wanted), gate 50%, select exact match."""
    return assemble(EXPERIMENT_PRESETS["demo"].to_dict(), arms, cells, BASELINES, DOWNSTREAM,
                    "lime reproduce --preset demo --downstream metamathstep --out x", "2024-01-02", 4012.5, invocations)


def test_assemble(cells: list[Cell]) -> None:
    results = results_for(cells)
    assert json.loads(json.dumps(results)) == results
    assert [(row["arm"], row["seed"]) for row in results["runs"]] == [(c.arm, c.seed) for c in cells]
    assert [row["passed_gate"] for row in results["runs"]] == [False, True, None, True, None]
    assert results["wall_seconds"] == 4012.5  # the caller's sum over distinct stages, as given
    assert results["elapsed_seconds"] == 150.0 and results["invocations"] == INVOCATIONS  # 100 + 50
    assert list(results["summary"]) == ["scratch", "deduct", "set"]
    assert results["arms"] == list(ARMS) and results["seeds"] == [0, 1] and results["date"] == "2024-01-02"
    assert results["checker_guarantee"] == "the step checker accepts it"
    assert list(results["baselines"]) == ["best_constant", "train_lookup"]
    assert list(results["subsets"]) == ["novel", "seen"]
    primary = results["primary"]
    assert (primary["arm"], primary["baseline"], primary["key"]) == ("deduct", "scratch", "novel/top1")
    assert primary["seeds"] == [0, 1] and primary["wanted_seeds"] == 1
    # novel top-1: deduct 0.6, 0.4 against scratch 0.0, 0.2; from the hits alike (3 of 5 - 0 of 5, 2 of 5 - 1 of 5)
    assert primary["paired"]["mean"] == pytest.approx(0.4)
    assert primary["bootstrap"]["observed"] == pytest.approx(0.4)
    assert primary["power"]["n"] == 2 and primary["power"]["sd"] == pytest.approx(0.4 / ROOT2)
    # every other arm with cells against scratch: set, one seed, fewer than the primary's two
    assert [(row["arm"], row["baseline"], row["exploratory"], row["p_holm"]) for row in results["secondary"]] == [
        ("set", "scratch", True, None)]
    assert results["pretraining"]["set"]["below_gate"] == [0]


def tables(markdown: str) -> list[dict[str, str]]:
    """Each table of the markdown (its header and rule left out): its rows by their first cell."""
    found: list[dict[str, str]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            if not previous.startswith("|"):
                found.append({})  # the header row
            else:
                found[-1][line.split(" | ")[0][2:]] = line
        previous = line
    return found


def test_render_markdown(cells: list[Cell]) -> None:
    results = results_for(cells)
    markdown = render_markdown(results)
    assert markdown.startswith("# LIME on MetaMathStep: preset `demo`\n")
    assert "* Command: `lime reproduce --preset demo --downstream metamathstep --out x`" in markdown
    # 100 s + 50 s elapsed; 4012.5 s of stages rounds to 4012 s = 1 h 6 min 52 s
    assert ("* Date: 2024-01-02; elapsed 2:30 over 2 invocations with --jobs 1/2; stage time 1:06:52 "
            "(every stage's own time, summed over stages run side by side)") in markdown
    assert "* Arms: scratch, deduct, induct, set; seeds: 0, 1 (5 finished cells)" in markdown
    assert "test examples per split 777–1,024" in markdown
    assert "gate: validation exact match ≥ 50% on the task's own held-out examples" in markdown
    assert "every run keeps its best by exact match on validation" in markdown
    assert "(first 50 examples)" in markdown
    assert "*checked*: the step checker accepts it" in markdown
    assert "(source up to variable renaming); *seen* ones do" in markdown
    assert f"![validation curves of every arm]({PLOT})" in markdown

    # the primary contrast: novel top-1 differences 0.6 and 0.2, mean 0.4, standard error 0.2, t = 2 on 1 df
    assert ("**deduct − scratch**, top-1 on the novel test examples, over 2 seeds (the preset asks for 1):"
            in markdown)
    p = 1 - 2 * math.atan(2) / math.pi  # 0.295
    assert f"* paired t over seeds: +40.0 points, 95% CI [-214.1, +294.1], p = {p:.3f}\n" in markdown
    assert "* hierarchical bootstrap (seeds, then theorems; 10,000 draws): +40.0, 95% interval [" in markdown
    assert "* spread of the paired difference over seeds: sd 28.3 points; power to detect 3 points: " in markdown
    assert f"Verdict: {verdict(results['primary'])}" in markdown
    assert "Verdict: no difference between deduct and scratch is detected (the 95% interval contains 0)" in markdown

    header = "| arm | seeds | top-1 | top-10 | checked top-1 | checked top-10 | Δ top-1 vs scratch [95% CI] |"
    assert markdown.count(header) == 3
    novel, seen, every, subsets, secondary, compute, pretraining = tables(markdown)
    assert list(novel) == ["scratch", "deduct", "set", "*best constant* (model-free)", "*train lookup* (model-free)"]
    assert "induct" not in novel
    # novel: scratch (0.0, 0.4, 0.2, 0.6) and (0.2, 0.6, 0.2, 0.8); std of two values |a - b| / sqrt(2)
    assert novel["scratch"] == "| scratch | 2 | 10.0 ± 14.1 | 50.0 ± 14.1 | 20.0 ± 0.0 | 70.0 ± 14.1 |  |"
    # deduct (0.6, 1.0, 0.4, 0.8) and (0.4, 0.6, 0.6, 1.0); Δ top-1: 40 ± 12.706 * 20 = [-214.1, +294.1]
    assert novel["deduct"] == "| deduct | 2 | 50.0 ± 14.1 | 80.0 ± 28.3 | 50.0 ± 14.1 | 90.0 ± 14.1 | +40.0 [-214.1, +294.1] |"
    assert novel["set"] == "| set | 1 | 0.0 ± – | 20.0 ± – | 20.0 ± – | 40.0 ± – | +0.0 |"  # 0.0 - 0.0, one seed
    # the floors: train lookup novel (0.0, 0.2, 0.2, 0.4) and (0.2, 0.2, 0.2, 0.6)
    assert novel["*train lookup* (model-free)"] == ("| *train lookup* (model-free) | 2 | 10.0 ± 14.1 | 20.0 ± 0.0 "
                                                    "| 20.0 ± 0.0 | 50.0 ± 14.1 |  |")
    # seen: deduct (0.4, 0.8, 0.6, 1.0) twice; Δ top-1 0.4 - 0.4, 0.4 - 0.6: -10 ± 12.706 * 10
    assert seen["deduct"] == "| deduct | 2 | 40.0 ± 0.0 | 80.0 ± 0.0 | 60.0 ± 0.0 | 100.0 ± 0.0 | -10.0 [-137.1, +117.1] |"
    # all: deduct (0.5, 0.9, 0.5, 0.9) and (0.4, 0.7, 0.6, 1.0); Δ top-1: 15 ± 12.706 * 15 = [-175.6, +205.6]
    assert every["deduct"] == "| deduct | 2 | 45.0 ± 7.1 | 80.0 ± 14.1 | 55.0 ± 7.1 | 95.0 ± 7.1 | +15.0 [-175.6, +205.6] |"
    assert every["*best constant* (model-free)"] == ("| *best constant* (model-free) | 2 | 10.0 ± 0.0 | 20.0 ± 0.0 "
                                                     "| 10.0 ± 0.0 | 30.0 ± 0.0 |  |")
    # subsets: half the examples each; label coverage novel 0.8 and 0.6, seen 1.0 twice
    assert subsets == {"novel": "| novel | 50.0 | 5 | 70.0 |", "seen": "| seen | 50.0 | 5 | 100.0 |"}
    assert secondary == {"set − scratch": "| set − scratch | 1 | +0.0 | – | – | exploratory |"}
    assert compute["scratch"] == "| scratch | – | – | 4e+09 | 0:30 | – |"
    assert compute["deduct"] == "| deduct | 2e+09 | 0:15 | 4e+09 | 0:30 | 0.50 |"
    assert compute["set"] == "| set | 1.6e+09 | 1:15 | 4e+09 | 1:02:05 | 0.40 |"
    assert list(pretraining) == ["deduct", "set"]


def test_render_markdown_before_the_primary_arms_have_a_seed(cells: list[Cell]) -> None:
    markdown = render_markdown(results_for([c for c in cells if c.arm == "scratch"], invocations=[]))
    assert "No seed has both arms of the primary contrast yet." in markdown
    assert "elapsed time not recorded" in markdown
    assert "## Secondary contrasts" not in markdown and "## How well each pretraining task" not in markdown


def primary(low: float | None, high: float | None, power: float | None) -> dict:
    paired = {"mean": 0.0 if low is None else (low + high) / 2, "low": low, "high": high, "n": 3, "p_value": None}
    powered = None if power is None else {"n": 3, "sd": 0.02, "effect": 0.03, "power_at_effect": power,
                                          "minimum_detectable": 0.0254, "seeds_needed": 5}
    return {"arm": "deduct", "baseline": "scratch", "effect": 0.03, "paired": paired, "power": powered}


def test_verdict() -> None:
    assert verdict(primary(0.01, 0.05, None)) == "deduct beats scratch (the 95% interval excludes 0)."
    assert verdict(primary(-0.05, -0.01, None)) == "deduct is worse than scratch (the 95% interval excludes 0)."
    assert verdict(primary(-0.01, 0.05, None)) == ("no difference between deduct and scratch is detected "
                                                   "(the 95% interval contains 0).")
    assert verdict(primary(None, None, None)) == "one seed: no interval, no conclusion."


def test_verdict_says_what_the_seeds_could_detect() -> None:
    assert verdict(primary(0.01, 0.05, 0.8)) == ("deduct beats scratch (the 95% interval excludes 0); the seeds have "
                                                 "80% power at 3 points (minimum detectable difference 2.5).")
    assert verdict(primary(-0.01, 0.05, 0.79)) == ("no difference between deduct and scratch is detected (the 95% "
                                                   "interval contains 0); the seeds do not have 80% power at 3 points "
                                                   "(minimum detectable difference 2.5).")


def test_write_report(cells: list[Cell], tmp_path: Path) -> None:
    out = tmp_path / "experiment"
    out.mkdir()
    results = results_for(cells)
    write_report(out, results, cells)
    assert sorted(p.name for p in out.iterdir()) == sorted([PLOT, REPORT, RESULTS])  # no temporary files
    assert (out / PLOT).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    written = json.loads((out / RESULTS).read_text())
    assert written == json.loads(json.dumps(results))
    for table_name in ("summary", "compute", "pretraining"):  # per-arm tables in arm order, not alphabetical
        assert list(written[table_name]) == [arm for arm in ARMS if arm in written[table_name]], table_name
    assert list(written["pretraining"]) == ["deduct", "set"]  # the cells list set first
    assert (out / REPORT).read_text() == render_markdown(results)


def test_theorems_proved_per_arm_with_the_model_free_provers_beneath(tmp_path: Path) -> None:
    """Four theorems per seed, t1 and t2 with novel statements. Proved: scratch 1000 / 0010, deduct 1100 / 1011;
    the train-lookup prover 0010 / 0000."""
    def proved(pattern: str) -> list[dict]:
        return [{"theorem": f"t{i}", "novel": i < 2, "proved": c == "1"} for i, c in enumerate(pattern)]

    curve = write_curve(tmp_path / "c.csv", {"valid/loss": [(15, 1.0)]})
    cells = []
    for arm, seed, pattern in (("scratch", 0, "1000"), ("scratch", 1, "0010"), ("deduct", 0, "1100"), ("deduct", 1, "1011")):
        base = outcomes((0.5,) * 4, (0.5,) * 4, (0.5,) * 4, "1010110000")
        record = {"theorems": proved(pattern), "wall_seconds": 3.0}
        rates = {**base.rates, **proving_rates(record["theorems"])}
        cells.append(Cell(arm, seed, Outcomes(rates, base.theorems, base.novel, base.hits), None, training(1, 1, 1),
                          {"wall_seconds": 1.0}, curve, None, record))
    floors = {0: {"train_lookup": proving_rates(proved("0010"))}, 1: {"train_lookup": proving_rates(proved("0000"))}}
    results = assemble(EXPERIMENT_PRESETS["demo"].to_dict(), ("scratch", "deduct"), cells, BASELINES, DOWNSTREAM,
                       "lime reproduce", "2024-01-02", 1.0, INVOCATIONS, floors)
    assert results["proving"] == {"theorems": [4], "novel_share": 0.5}
    assert results["runs"][0]["prove_seconds"] == 3.0
    markdown = render_markdown(results)
    assert "## Theorems proved (%) — 4 test theorems per seed, 2 expansions of 2 candidate steps" in markdown
    assert "*Novel statements* (50.0% of the theorems)" in markdown
    (table,) = [t for t in tables(markdown) if "*train lookup* (model-free prover)" in t]
    # scratch: novel 0.5, 0.0; seen 0.0, 0.5; all 0.25 twice
    assert table["scratch"] == "| scratch | 2 | 25.0 ± 35.4 | 25.0 ± 35.4 | 25.0 ± 0.0 |  |"
    # deduct: novel 1.0, 0.5; seen 0.0, 1.0; all 0.5, 0.75. Δ all 0.25, 0.5: mean 37.5, se 12.5, t(0.975, 1) = 12.706
    assert table["deduct"] == "| deduct | 2 | 75.0 ± 35.4 | 50.0 ± 70.7 | 62.5 ± 17.7 | +37.5 [-121.3, +196.3] |"
    assert table["*train lookup* (model-free prover)"] == (
        "| *train lookup* (model-free prover) | 2 | 0.0 ± 0.0 | 25.0 ± 35.4 | 12.5 ± 17.7 |  |")


def test_proving_rates_per_statement_subset() -> None:
    theorems = [{"novel": True, "proved": True}, {"novel": False, "proved": False}, {"novel": False, "proved": True}]
    assert proving_rates(theorems) == {"all/proved": 2 / 3, "novel/proved": 1.0, "seen/proved": 0.5}
    assert proving_rates(theorems[1:]) == {"all/proved": 0.5, "seen/proved": 0.5}  # no novel theorem: no rate
