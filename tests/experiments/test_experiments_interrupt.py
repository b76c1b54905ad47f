"""A real Ctrl-C in the middle of ``lime reproduce``: exit 130, finished stages kept, and the same command
finishes the job with the very numbers an uninterrupted run gets.

The demo trains in under a second on an idle machine, too fast to hit with a signal at a chosen moment;
so the test holds the evaluation stage's lock (as a parallel worker would) and interrupts the run while
it waits there, after its fine-tuning is done.
"""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lime_reasoning.experiments.matrix import Matrix
from lime_reasoning.experiments.presets import get_preset
from lime_reasoning.metamath.source import DEBIAN_SETMM, file_sha256

pytestmark = pytest.mark.skipif(not DEBIAN_SETMM.is_file(), reason="needs Debian's set.mm (make system-deps)")


def command(out: Path) -> list[str]:
    return [sys.executable, "-m", "lime_reasoning", "reproduce", "--preset", "demo", "--arms", "scratch",
            "--out", str(out), "--mm", str(DEBIAN_SETMM)]


def as_in_a_terminal() -> None:
    """Ctrl-C's default action, as a foreground process has it (a shell's background job ignores SIGINT,
    and the test suite may well run as one)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def rows(out: Path) -> list[dict]:
    runs = json.loads((out / "results.json").read_text())["runs"]
    return [{k: v for k, v in row.items() if k in ("arm", "seed", "top1", "top10", "checked_top1", "checked_top10")}
            for row in runs]


def test_ctrl_c_then_the_same_command_finishes_with_the_same_results(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    subprocess.run(command(whole), check=True, capture_output=True)

    cut = tmp_path / "cut"
    matrix = Matrix(get_preset("demo"), cut, ("scratch",), (0,), DEBIAN_SETMM, file_sha256(DEBIAN_SETMM))
    finetune, evaluation = matrix.finetune_stage("scratch", 0), matrix.evaluate_stage("scratch", 0)
    evaluation.lock_path.parent.mkdir(parents=True)
    with open(evaluation.lock_path, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        process = subprocess.Popen(command(cut), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=as_in_a_terminal)
        deadline = time.monotonic() + 300
        while not finetune.done():  # fine-tuned; now it waits for the evaluation's lock
            assert process.poll() is None and time.monotonic() < deadline, "the run ended before fine-tuning"
            time.sleep(0.02)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert stderr.rstrip().splitlines()[-1] == "lime: interrupted; run the same command again to continue"
    assert not evaluation.done() and not (cut / "results.json").exists()
    finished = finetune.marker.stat().st_mtime_ns

    again = subprocess.run(command(cut), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "fine-tuning" not in again.stderr and finetune.marker.stat().st_mtime_ns == finished  # not redone
    assert rows(cut) == rows(whole)
    invocations = [json.loads(line) for line in (cut / "invocations.jsonl").read_text().splitlines()]
    assert [entry["completed"] for entry in invocations] == [False, True]
