"""The summary, the compute account, the curves and the markdown report, from hand-made cells."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.pyplot
import numpy as np
import pytest

from lime_reasoning.experiments.experiment_presets import EXPERIMENT_PRESETS
from lime_reasoning.experiments.report import (
    PLOT,
    REPORT,
    RESULTS,
    Cell,
    assemble,
    compute_account,
    plot_curves,
    pretraining_quality,
    render_markdown,
    summarise,
    write_report,
)

T975_1 = 12.706204736174707
ROOT2 = math.sqrt(2)


def write_curve(path: Path, curves: dict[str, list[tuple[int, float]]]) -> Path:
    """A long-format metrics.csv as training writes it, with training rows that the plot must ignore."""
    lines = ["step,tokens_seen,elapsed_s,metric,value"]
    for metric, points in curves.items():
        for step, value in points:
            lines.append(f"{step},{step * 100},{step / 10},train/loss,{value + 1}")
            lines.append(f"{step},{step * 100},{step / 10},{metric},{value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def metrics(top1: float, top10: float, checked1: float, checked10: float) -> dict[str, float]:
    return {"top1": top1, "top10": top10, "checked_top1": checked1, "checked_top10": checked10, "examples": 50}


def training(flops: float, train_seconds: float, wall_seconds: float) -> dict[str, float]:
    return {"flops": flops, "train_seconds": train_seconds, "wall_seconds": wall_seconds, "steps": 30,
            "tokens_seen": 4000, "key": "abcdef012345", "settings": {"ignored": True}}


@pytest.fixture
def cells(tmp_path: Path) -> list[Cell]:
    """scratch and deduct with seeds 0 and 1, set with seed 0 only (no exact-match curve)."""
    def curve(name: str, loss: list[float], accuracy: list[float], exact: list[float] | None,
              steps: tuple[int, ...] = (15, 30)) -> Path:
        curves = {"valid/loss": list(zip(steps, loss)), "valid/token_accuracy": list(zip(steps, accuracy))}
        if exact is not None:
            curves["valid/exact_match"] = list(zip(steps, exact))
        return write_curve(tmp_path / f"{name}.csv", curves)

    fine = training(4e9, 30, 33)
    return [  # deliberately not in arm order
        Cell("set", 0, metrics(0.1, 0.3, 0.2, 0.4), training(1.6e9, 75, 80), training(4e9, 3725, 3730),
             {"wall_seconds": 5.0}, curve("set0", [6.0, 5.5], [0.1, 0.2], None)),
        Cell("deduct", 1, metrics(0.4, 0.7, 0.6, 1.0), training(3e9, 20, 22), fine, {"wall_seconds": 2.0},
             curve("deduct1", [3.5, 1.0], [0.4, 0.6], [0.1, 0.3])),
        Cell("scratch", 0, metrics(0.2, 0.5, 0.3, 0.6), None, fine, {"wall_seconds": 1.0},
             curve("scratch0", [4.0, 3.0], [0.1, 0.2], [0.0, 0.1])),
        Cell("deduct", 0, metrics(0.5, 0.9, 0.5, 0.9), training(1e9, 10, 12), fine, {"wall_seconds": 2.0},
             curve("deduct0", [3.0, 2.0], [0.3, 0.5], [0.0, 0.2])),
        Cell("scratch", 1, metrics(0.4, 0.7, 0.3, 0.8), None, fine, {"wall_seconds": 1.0},
             curve("scratch1", [5.0, 2.0, 1.0], [0.2, 0.3, 0.4], [0.0, 0.0, 0.5], steps=(15, 30, 45))),
    ]


ARMS = ("scratch", "deduct", "induct", "set")  # induct has no finished cell


def test_summarise(cells: list[Cell]) -> None:
    summary = summarise(cells, ARMS, beam=10)
    assert list(summary) == ["scratch", "deduct", "set"]  # the arms' order; an arm without cells is left out
    assert all(list(entry) == ["top1", "top10", "checked_top1", "checked_top10"] for entry in summary.values())
    scratch = summary["scratch"]["top1"]  # 0.2 and 0.4
    assert scratch["mean"] == pytest.approx(0.3) and scratch["std"] == pytest.approx(0.14142135623730953)
    assert scratch["n"] == 2 and "vs_scratch" not in scratch
    assert summary["scratch"]["checked_top1"]["std"] == pytest.approx(0.0)
    deduct = summary["deduct"]["top1"]  # 0.5 and 0.4: differences 0.3 and 0.0 from scratch
    assert deduct["mean"] == pytest.approx(0.45) and deduct["std"] == pytest.approx(math.sqrt(0.005))
    difference = deduct["vs_scratch"]  # mean 0.15, sd 0.15 * sqrt(2), half-width t(0.975, 1) * 0.15
    assert difference["n"] == 2 and difference["mean"] == pytest.approx(0.15)
    assert difference["low"] == pytest.approx(0.15 - T975_1 * 0.15)
    assert difference["high"] == pytest.approx(0.15 + T975_1 * 0.15)
    checked = summary["deduct"]["checked_top10"]["vs_scratch"]  # differences 0.3 and 0.2
    assert checked["mean"] == pytest.approx(0.25)
    assert checked["high"] - checked["low"] == pytest.approx(2 * T975_1 * (0.1 / ROOT2) / ROOT2)
    single = summary["set"]["top1"]  # one seed: no std; paired with scratch's seed 0 only, no interval
    assert single["mean"] == pytest.approx(0.1) and single["std"] is None and single["n"] == 1
    assert single["vs_scratch"]["mean"] == pytest.approx(-0.1)
    assert (single["vs_scratch"]["low"], single["vs_scratch"]["high"], single["vs_scratch"]["n"]) == (None, None, 1)


def test_summarise_compares_task_arms_with_param_stats_too(cells: list[Cell]) -> None:
    scratch = cells[2]
    controls = [Cell("param_stats", seed, metrics(top1, 0.5, 0.5, 0.5), scratch.finetune, scratch.finetune,
                     {"wall_seconds": 1.0}, scratch.curve_file) for seed, top1 in ((0, 0.35), (1, 0.45))]
    arms = ("scratch", "deduct", "set", "param_stats")
    summary = summarise(cells + controls, arms, beam=10)
    # deduct top-1 0.5, 0.4 against param_stats 0.35, 0.45: differences 0.15 and -0.05
    versus = summary["deduct"]["top1"]["vs_param_stats"]
    assert versus["n"] == 2 and versus["mean"] == pytest.approx(0.05)
    assert versus["high"] - versus["low"] == pytest.approx(2 * T975_1 * (0.2 / ROOT2) / ROOT2)
    assert summary["set"]["top1"]["vs_param_stats"]["mean"] == pytest.approx(0.1 - 0.35)
    control = summary["param_stats"]["top1"]  # against scratch 0.2, 0.4: differences 0.15 and 0.05
    assert "vs_param_stats" not in control and control["vs_scratch"]["mean"] == pytest.approx(0.1)
    assert list(summary["scratch"]["top1"]) == ["mean", "std", "n"]  # the baseline itself: no differences

    markdown = render_markdown(results_for(cells + controls, arms))
    assert "| Δ top-1 | Δ checked top-10 | Δ top-1 vs param_stats |" in markdown
    rows = table(markdown.split("## Compute account")[0])
    assert rows["deduct"].endswith("| +5.0 [-122.1, +132.1] |")  # 5 ± 12.706 * (20 / sqrt(2)) / sqrt(2)
    # against scratch: top-1 10 ± 12.706 * 5 ; checked top-10 (0.5 - 0.6, 0.5 - 0.8) -20 ± 12.706 * 10
    assert rows["param_stats"].endswith("| +10.0 [-53.5, +73.5] | -20.0 [-147.1, +107.1] |  |")
    assert rows["scratch"].endswith("|  |  |  |")


def test_summarise_without_scratch(cells: list[Cell]) -> None:
    summary = summarise([c for c in cells if c.arm != "scratch"], ARMS, beam=10)
    assert list(summary) == ["deduct", "set"]
    assert all("vs_scratch" not in metric for entry in summary.values() for metric in entry.values())


def test_summarise_with_another_beam(tmp_path: Path) -> None:
    cell = Cell("scratch", 0, {"top1": 0.25, "top5": 0.5, "checked_top1": 0.25, "checked_top5": 0.75}, None,
                training(1, 1, 1), {"wall_seconds": 1}, tmp_path / "none.csv")
    summary = summarise([cell], ["scratch"], beam=5)
    assert summary["scratch"]["checked_top5"] == {"mean": 0.75, "std": None, "n": 1}


def test_compute_account(cells: list[Cell]) -> None:
    account = compute_account(cells, ARMS)
    assert list(account) == ["scratch", "deduct", "set"]
    assert account["scratch"]["pretrain"] is None
    assert account["scratch"]["finetune"] == {"flops": 4e9, "train_seconds": 30, "wall_seconds": 33}
    assert account["deduct"]["pretrain"] == pytest.approx({"flops": 2e9, "train_seconds": 15, "wall_seconds": 17})
    assert account["set"]["finetune"]["train_seconds"] == 3725


def test_a_cell_row(cells: list[Cell]) -> None:
    row = cells[1].row()  # deduct, seed 1
    assert row == {"arm": "deduct", "seed": 1, "top1": 0.4, "top10": 0.7, "checked_top1": 0.6, "checked_top10": 1.0,
                   "examples": 50, "evaluate_seconds": 2.0,
                   "pretrain": {"flops": 3e9, "train_seconds": 20, "wall_seconds": 22, "steps": 30,
                                "tokens_seen": 4000, "key": "abcdef012345"},
                   "finetune": {"flops": 4e9, "train_seconds": 30, "wall_seconds": 33, "steps": 30,
                                "tokens_seen": 4000, "key": "abcdef012345"}}
    assert cells[2].row()["pretrain"] is None


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
    cells = [Cell(arm, 0, metrics(0, 0, 0, 0), None, {}, {}, write_curve(tmp_path / f"{arm}.csv", same), None)
             for arm in every]
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

def results_for(cells: list[Cell], arms: tuple[str, ...] = ARMS) -> dict:
    downstream = {"database": "/usr/share/metamath/databases/set.mm",
                  "counts": {"test": 777, "train": 2749, "valid": 371}}
    return assemble(EXPERIMENT_PRESETS["demo"].to_dict(), arms, (0, 1), cells, downstream,
                    "lime reproduce --preset demo --downstream metamathstep --out x", "2024-01-02", 4012.5)


def test_assemble(cells: list[Cell]) -> None:
    results = results_for(cells)
    assert json.loads(json.dumps(results)) == results
    assert [(row["arm"], row["seed"]) for row in results["runs"]] == [(c.arm, c.seed) for c in cells]
    assert results["wall_seconds"] == 4012.5  # the caller's sum over distinct stages, as given
    assert list(results["summary"]) == ["scratch", "deduct", "set"]
    assert results["arms"] == list(ARMS) and results["seeds"] == [0, 1] and results["date"] == "2024-01-02"


def table(markdown: str) -> dict[str, str]:
    return {line.split(" | ")[0][2:]: line for line in markdown.splitlines() if line.startswith("| ")}


def test_render_markdown(cells: list[Cell]) -> None:
    markdown = render_markdown(results_for(cells))
    assert markdown.startswith("# LIME on MetaMathStep: preset `demo`\n")
    assert "* Command: `lime reproduce --preset demo --downstream metamathstep --out x`" in markdown
    assert "seeds: 0, 1 (5 finished cells)" in markdown
    assert "test 777, train 2,749, valid 371 examples" in markdown
    assert "(first 50 examples)" in markdown
    assert f"![validation curves of every arm]({PLOT})" in markdown
    header = "| arm | top-1 | top-10 | checked top-1 | checked top-10 | Δ top-1 | Δ checked top-10 |"
    assert header in markdown
    accuracy, compute = markdown.split("## Compute account")
    rows = table(accuracy)
    assert rows["scratch"] == "| scratch | 30.0 ± 14.1 | 60.0 ± 14.1 | 30.0 ± 0.0 | 70.0 ± 14.1 |  |  |"
    # Δ top-1: 15 ± 12.706 * 15 = [-175.6, +205.6]; Δ checked top-10: 25 ± 12.706 * 5 = [-38.5, +88.5]
    assert rows["deduct"] == ("| deduct | 45.0 ± 7.1 | 80.0 ± 14.1 | 55.0 ± 7.1 | 95.0 ± 7.1 "
                              "| +15.0 [-175.6, +205.6] | +25.0 [-38.5, +88.5] |")
    assert rows["set"] == "| set | 10.0 ± – | 30.0 ± – | 20.0 ± – | 40.0 ± – | -10.0 | -20.0 |"
    assert "induct" not in rows
    rows = table(compute)
    assert rows["scratch"] == "| scratch | – | – | 4e+09 | 0:30 | – |"
    assert rows["deduct"] == "| deduct | 2e+09 | 0:15 | 4e+09 | 0:30 | 0.50 |"
    assert rows["set"] == "| set | 1.6e+09 | 1:15 | 4e+09 | 1:02:05 | 0.40 |"


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
    assert set(table((out / REPORT).read_text()).keys()) >= {"scratch", "deduct", "set"}


def test_pretraining_quality_is_the_last_validation_mean_over_seeds(tmp_path: Path) -> None:
    def pretrained(arm: str, seed: int, accuracy: list[float], exact: list[float]) -> Cell:
        curve = write_curve(tmp_path / f"pre-{arm}-{seed}.csv", {
            "valid/token_accuracy": list(zip((500, 1000), accuracy)), "valid/exact_match": list(zip((500, 1000), exact))})
        return Cell(arm, seed, metrics(0, 0, 0, 0), training(1e9, 1, 1), training(1e9, 1, 1), {"wall_seconds": 1.0},
                    curve, curve)

    cells = [pretrained("deduct", 0, [0.1, 0.3], [0.0, 0.2]), pretrained("deduct", 1, [0.2, 0.5], [0.1, 0.0]),
             pretrained("set", 0, [0.4, 0.9], [0.3, 0.6]),
             Cell("scratch", 0, metrics(0, 0, 0, 0), None, training(1e9, 1, 1), {"wall_seconds": 1.0},
                  tmp_path / "unused.csv")]
    quality = pretraining_quality(cells, ARMS)
    assert list(quality) == ["deduct", "set"]  # scratch has no pretraining
    assert quality["deduct"]["token_accuracy"] == pytest.approx(0.4)  # (0.3 + 0.5) / 2, the last points
    assert quality["deduct"]["exact_match"] == pytest.approx(0.1)
    assert quality["set"] == pytest.approx({"token_accuracy": 0.9, "exact_match": 0.6})
