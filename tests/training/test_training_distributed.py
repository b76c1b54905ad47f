"""Two gloo processes under torchrun, one batch each per step, match one process accumulating two.

Both sides train in float64 (``--precision fp64``). The two compute the same update with the gradient
sums added in a different order (all-reduce against accumulation), so they differ by rounding, which
Adam amplifies where a coordinate's gradient is near zero: in float32 that reached 4.6e-4 after 6 steps
on one machine and stayed below 1e-5 on another. In float64 the same amplification starts from a unit
roundoff of 1.1e-16 instead of 6e-8, about 5e8 times smaller, which puts the expected difference near
1e-12 (measured: 6.5e-16). The tolerances below (1e-9 on weights, 2e-5 on the logged 6-digit values,
whose last digit can flip on rounding) leave three orders of magnitude of room, while every real bug
moves the numbers by far more: a rank that trains on the wrong shard or skips the all-reduce changes
every Adam step by about the learning rate (2e-3), and a wrong loss normaliser changes the logged
gradient norm by its factor (about 2). Each of those three bugs, put in by hand, fails this test.
"""

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
from lime_reasoning.training.metrics import CSV_FILE, read_rows

COMMON = [*TINY, "--set", "dropout=0", "--max-tokens", "256", "--lr", "2e-3", "--warmup", "3", "--max-steps", "6",
          "--log-every", "1", "--precision", "fp64"]


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
        kill_ranks_of(two)  # torchrun starts each rank in a session of its own: killpg above misses them
    assert process.returncode == 0, stderr[-3000:]
    single = load_file(one / "checkpoints" / "last" / "model.safetensors")
    double = load_file(two / "checkpoints" / "last" / "model.safetensors")
    assert single.keys() == double.keys()
    for name in single:
        assert single[name].dtype == torch.float64, name
        torch.testing.assert_close(double[name], single[name], rtol=0, atol=1e-9, msg=name)
    for metric in ("train/loss", "train/grad_norm"):
        assert logged(one, metric) == pytest.approx(logged(two, metric), rel=2e-5), metric
    losses = logged(one, "train/loss")
    assert len(losses) == 6 and losses[-1] < losses[0]


def kill_ranks_of(run: Path) -> None:
    """Kill any process still training into ``run`` (a rank left behind by a failed or hung launch)."""
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(run) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def logged(run: Path, metric: str) -> list[float]:
    return [float(row["value"]) for row in read_rows(run / CSV_FILE) if row["metric"] == metric]
