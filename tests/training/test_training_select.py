"""--select: the published model is the checkpoint of the best validation by the chosen metric, or the last."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from toy_runs import TINY

from lime_reasoning.cli import main
from lime_reasoning.training.checkpoint import STATE_FILE
from lime_reasoning.training.metrics import CSV_FILE, read_rows
from lime_reasoning.training.trainer import improves

COMMON = [*TINY, "--max-tokens", "256", "--lr", "3e-3", "--warmup", "2", "--max-steps", "16", "--valid-every", "2",
          "--save-every", "2", "--log-every", "2"]


def logged_step(checkpoint: Path) -> int:
    return int(torch.load(checkpoint / STATE_FILE, map_location="cpu", weights_only=True)["step"])


def same_weights(a: Path, b: Path) -> bool:
    left, right = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    return left.keys() == right.keys() and all(torch.equal(left[k], right[k]) for k in left)


def validations(run: Path, metric: str) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r["value"])) for r in read_rows(run / CSV_FILE) if r["metric"] == metric]


@pytest.mark.parametrize(("select", "metric", "higher"), [("exact_match", "valid/exact_match", True),
                                                         ("loss", "valid/loss", False)])
def test_the_published_model_is_the_best_validation_by_the_chosen_metric(toy: Path, tmp_path: Path, select: str,
                                                                         metric: str, higher: bool) -> None:
    run = tmp_path / "run"
    assert main(["train", "--data", str(toy), "--out", str(run), *COMMON, "--select", select]) == 0
    curve = validations(run, metric)
    assert len(curve) == 8
    best_value = max(v for _, v in curve) if higher else min(v for _, v in curve)
    earliest = min(step for step, value in curve if value == best_value)  # a tie keeps the earlier
    assert logged_step(run / "checkpoints" / "best") == earliest
    assert same_weights(run, run / "checkpoints" / "best")


def test_select_last_publishes_the_last_checkpoint(toy: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "--data", str(toy), "--out", str(run), *COMMON, "--select", "last"]) == 0
    assert logged_step(run / "checkpoints" / "last") == 16
    assert same_weights(run, run / "checkpoints" / "last")


def test_an_unknown_selection_is_one_line(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--data", str(toy), "--out", str(tmp_path / "run"), *COMMON, "--select", "accuracy"])
    assert "--select" in capsys.readouterr().err


@pytest.mark.parametrize(("select", "best", "value", "expected"), [
    ("exact_match", None, 0.0, True), ("exact_match", 0.4, 0.5, True), ("exact_match", 0.5, 0.4, False),
    ("exact_match", 0.5, 0.5, False), ("loss", 2.0, 1.5, True), ("loss", 1.5, 2.0, False), ("loss", 1.5, 1.5, False),
    ("last", None, 0.0, False),
])
def test_which_validation_counts_as_an_improvement(select: str, best: float | None, value: float,
                                                   expected: bool) -> None:
    metric = {"exact_match": "valid/exact_match", "loss": "valid/loss", "last": "valid/loss"}[select]
    assert improves(select, best, {"valid/loss": 9.0, "valid/exact_match": 0.0, metric: value}) is expected
