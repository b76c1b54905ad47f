"""A real Ctrl-C in the middle of ``lime reproduce``: exit 130, then the same command finishes the job
with the very numbers an uninterrupted run gets."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lime_reasoning.metamath.source import DEBIAN_SETMM

pytestmark = pytest.mark.skipif(not DEBIAN_SETMM.is_file(), reason="needs Debian's set.mm (make system-deps)")


def command(out: Path) -> list[str]:
    return [sys.executable, "-m", "lime_reasoning", "reproduce", "--preset", "demo", "--arms", "scratch",
            "--out", str(out), "--mm", str(DEBIAN_SETMM)]


def rows(out: Path) -> list[dict]:
    runs = json.loads((out / "results.json").read_text())["runs"]
    return [{k: v for k, v in row.items() if k in ("arm", "seed", "top1", "top10", "checked_top1", "checked_top10")}
            for row in runs]


def test_ctrl_c_then_the_same_command_finishes_with_the_same_results(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    subprocess.run(command(whole), check=True, capture_output=True)

    cut = tmp_path / "cut"
    process = subprocess.Popen(command(cut), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(cut.glob("finetune/scratch-s0-*/train_args.json")):  # fine-tuning has begun
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before fine-tuning"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert stderr.rstrip().splitlines()[-1] == "lime: interrupted; run the same command again to continue"
    assert not list(cut.glob("evaluate/*/stage.json")) and not (cut / "results.json").exists()

    again = subprocess.run(command(cut), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert rows(cut) == rows(whole)
    invocations = [json.loads(line) for line in (cut / "invocations.jsonl").read_text().splitlines()]
    assert [entry["completed"] for entry in invocations] == [False, True]
