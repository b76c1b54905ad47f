"""Ctrl-C during training leaves a checkpoint from which ``--resume`` continues."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
from toy_runs import TINY

from lime_reasoning.cli import main


def test_sigint_saves_a_resumable_checkpoint(toy: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    command = [sys.executable, "-m", "lime_reasoning", "train", "--data", str(toy), "--out", str(run), *TINY,
               "--max-tokens", "256", "--max-steps", "1000000", "--log-every", "1"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (run / "metrics.csv").exists() or (run / "metrics.csv").read_text().count("train/loss") < 3:
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read() if process.stderr else ""
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "--resume" in stderr
    state = torch.load(run / "checkpoints" / "last" / "trainer_state.pt", weights_only=True)
    assert state["step"] >= 3
    assert main(["train", "--out", str(run), "--resume", "--max-steps", str(state["step"] + 2)]) == 0
    resumed = torch.load(run / "checkpoints" / "last" / "trainer_state.pt", weights_only=True)
    assert resumed["step"] == state["step"] + 2
