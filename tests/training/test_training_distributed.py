"""Two gloo processes under torchrun, one batch each per step, match one process accumulating two."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from toy_runs import TINY
from safetensors.torch import load_file

from lime_reasoning.cli import main

COMMON = [*TINY, "--set", "dropout=0", "--max-tokens", "256", "--lr", "2e-3", "--warmup", "3", "--max-steps", "6", "--log-every", "1"]


def test_two_processes_match_one_with_accumulation(toy: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["train", "--data", str(toy), "--out", str(one), *COMMON, "--grad-accum", "2"]) == 0
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--nproc-per-node", "2",
               "--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{free_port()}",
               "-m", "lime_reasoning", "train", "--data", str(toy), "--out", str(two), *COMMON]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, stderr[-3000:]
    single = load_file(one / "checkpoints" / "last" / "model.safetensors")
    double = load_file(two / "checkpoints" / "last" / "model.safetensors")
    assert single.keys() == double.keys()
    for name in single:
        torch.testing.assert_close(double[name], single[name], rtol=1e-4, atol=1e-5, msg=name)
    assert train_losses(one) == pytest.approx(train_losses(two), rel=1e-4)
    assert train_losses(one)[-1] < train_losses(one)[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def train_losses(run: Path) -> list[float]:
    rows = [line.split(",") for line in (run / "metrics.csv").read_text().splitlines()[1:]]
    return [float(row[4]) for row in rows if row[3] == "train/loss"]
