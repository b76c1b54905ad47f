"""Resuming is exact: N steps, stop, N more steps gives the same weights as 2N steps in one go."""

from __future__ import annotations

from pathlib import Path

import torch
from toy_runs import TINY
from safetensors.torch import load_file

from lime_reasoning.cli import main
from lime_reasoning.training.metrics import CSV_FILE, read_rows

COMMON = [*TINY, "--set", "dropout=0.1", "--max-tokens", "256", "--lr", "2e-3", "--warmup", "3"]


def weights(run: Path) -> dict[str, torch.Tensor]:
    return load_file(run / "checkpoints" / "last" / "model.safetensors")


def test_resume_equals_uninterrupted(toy: Path, tmp_path: Path) -> None:
    split, whole = tmp_path / "split", tmp_path / "whole"
    assert main(["train", "--data", str(toy), "--out", str(split), *COMMON, "--max-steps", "7"]) == 0
    assert main(["train", "--out", str(split), "--resume", "--max-steps", "14"]) == 0
    assert main(["train", "--data", str(toy), "--out", str(whole), *COMMON, "--max-steps", "14"]) == 0
    resumed, straight = weights(split), weights(whole)
    assert resumed.keys() == straight.keys()
    for name in straight:
        assert torch.equal(resumed[name], straight[name]), name


def test_resume_keeps_metrics_of_one_run(toy: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "--data", str(toy), "--out", str(run), *COMMON, "--max-steps", "4", "--log-every", "1"]) == 0
    assert main(["train", "--out", str(run), "--resume", "--max-steps", "6", "--log-every", "1"]) == 0
    lines = (run / "metrics.csv").read_text().splitlines()
    steps = [int(line.split(",")[0]) for line in lines[1:] if ",train/loss," in line]
    assert steps == [1, 2, 3, 4, 5, 6]


def test_the_first_log_line_after_a_resume_averages_the_same_steps(toy: Path, tmp_path: Path) -> None:
    """Logged every 4 steps, stopped at 6: the line at step 8 averages steps 5-8, as without the stop."""
    split, whole = tmp_path / "split", tmp_path / "whole"
    assert main(["train", "--data", str(toy), "--out", str(split), *COMMON, "--max-steps", "6", "--log-every", "4"]) == 0
    assert main(["train", "--out", str(split), "--resume", "--max-steps", "8", "--log-every", "4"]) == 0
    assert main(["train", "--data", str(toy), "--out", str(whole), *COMMON, "--max-steps", "8", "--log-every", "4"]) == 0
    for metric in ("train/loss", "train/nll", "train/token_accuracy", "train/grad_norm", "train/lr"):
        assert logged(split, metric) == logged(whole, metric), metric
        assert [step for step, _ in logged(whole, metric)] == [4, 8]


def logged(run: Path, metric: str) -> list[tuple[int, str]]:
    """(step, value as written) of every row of ``metric``: the same run must write the same digits."""
    return [(int(row["step"]), row["value"]) for row in read_rows(run / CSV_FILE) if row["metric"] == metric]
