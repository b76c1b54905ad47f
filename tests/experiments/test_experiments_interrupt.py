"""A real Ctrl-C, then a kill (SIGTERM), in the middle of ``lime reproduce``: exit 130, finished stages kept,
each invocation's time logged, and the same command finishes the job with the very numbers an
uninterrupted run gets.

The demo trains in under a second on an idle machine, too fast to hit with a signal at a chosen moment;
so the test holds the evaluation stage's lock (as a parallel worker would) and interrupts the run while
it waits there, after its fine-tuning is done.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from lime_reasoning.datasets.output import write_meta
from lime_reasoning.datasets.staging import EXPERIMENT, lime_meta
from lime_reasoning.experiments import matrix as matrix_module
from lime_reasoning.experiments.matrix import Interrupted, Matrix
from lime_reasoning.experiments.experiment_presets import get_experiment_preset
from lime_reasoning.metamath.source import DEBIAN_SETMM, file_sha256
from lime_reasoning.training.checkpoint import find_checkpoint
from lime_reasoning.training.metrics import CSV_FILE, read_rows

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


def interrupt_once(process: subprocess.Popen, ready: Callable[[], bool], signum: int, deadline: float,
                   why: str) -> str:
    """Wait until ``ready()`` (the process still running), signal it, and return its stderr; it must exit 130."""
    while not ready():
        assert process.poll() is None and time.monotonic() < deadline, why
        time.sleep(0.02)
    time.sleep(0.5)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    return stderr


def test_ctrl_c_then_the_same_command_finishes_with_the_same_results(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    subprocess.run(command(whole), check=True, capture_output=True)

    cut = tmp_path / "cut"
    matrix = Matrix(get_experiment_preset("demo"), cut, ("scratch",), DEBIAN_SETMM, file_sha256(DEBIAN_SETMM))
    finetune, evaluation = matrix.finetune_stage("scratch", 0), matrix.evaluate_stage("scratch", 0)
    evaluation.lock_path.parent.mkdir(parents=True)
    write_meta(cut, lime_meta(EXPERIMENT))  # an experiment directory that another invocation is working in
    with FileLock(evaluation.lock_path):
        process = subprocess.Popen(command(cut), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=as_in_a_terminal)
        deadline = time.monotonic() + 300
        # fine-tuned; now it waits for the evaluation's lock
        stderr = interrupt_once(process, finetune.done, signal.SIGINT, deadline, "the run ended before fine-tuning")
        # then a kill (SIGTERM, as a scheduler stops a job) while the next invocation waits there: the same
        logged = (cut / "progress.log").read_text().count("\n")
        process = subprocess.Popen(command(cut), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        killed = interrupt_once(process, lambda: (cut / "progress.log").read_text().count("\n") > logged,
                                signal.SIGTERM, deadline, "the second run ended early")  # it logs just before the lock
    for output in (stderr, killed):
        assert output.rstrip().splitlines()[-1] == "lime: interrupted; run the same command again to continue"
    assert not evaluation.done() and not (cut / "results.json").exists()
    finished = finetune.marker.stat().st_mtime_ns

    again = subprocess.run(command(cut), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "fine-tuning" not in again.stderr and finetune.marker.stat().st_mtime_ns == finished  # not redone
    assert rows(cut) == rows(whole)
    invocations = [json.loads(line) for line in (cut / "invocations.jsonl").read_text().splitlines()]
    assert [entry["completed"] for entry in invocations] == [False, False, True]


def test_sigterm_caught_by_a_training_stage_stops_the_worker_from_starting_more(tmp_path: Path, monkeypatch) -> None:
    """A ``--jobs`` worker signalled on its own (not the whole process group) while it trains: the trainer's
    handler, not the worker's, sees the signal. The stage must still save, stop, and leave the worker
    starting no further stage, so that its next cell ends at once."""
    monkeypatch.setattr(matrix_module, "_stop_requested", False)
    demo = get_experiment_preset("demo")
    endless = dataclasses.replace(demo, finetuning=dataclasses.replace(demo.finetuning, steps=10**6, valid_every=5))
    matrix = Matrix(endless, tmp_path, ("scratch", "induct"), DEBIAN_SETMM, file_sha256(DEBIAN_SETMM))
    matrix.quiet = True
    matrix.build_downstream(0)  # before the signal: it must arrive while the fine-tuning trains
    finetune = matrix.finetune_stage("scratch", 0)

    returned = threading.Event()

    def terminate_once_training() -> None:
        """One SIGTERM as soon as the training loop has logged (it runs in its handler's scope then); should
        it never log, keep signalling so that a broken run still ends."""
        log, deadline = finetune.path / CSV_FILE, time.monotonic() + 300
        while not (log.is_file() and read_rows(log)) and time.monotonic() < deadline:  # rows: in the loop
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)
        while time.monotonic() > deadline and not returned.wait(1.0):
            os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, matrix_module._request_stop)  # as _worker_setup installs it
    killer = threading.Thread(target=terminate_once_training)
    killer.start()
    try:
        with pytest.raises(Interrupted):
            matrix.evaluate("scratch", 0)
        returned.set()
        killer.join()
        assert not finetune.done() and find_checkpoint(finetune.path, "last") is not None
        before = sorted(p.name for p in tmp_path.rglob("*"))
        with pytest.raises(Interrupted):  # the first stage of the worker's next cell does not start
            matrix.build_synthetic("induct", 0)
        assert sorted(p.name for p in tmp_path.rglob("*")) == before
        again = Matrix(demo, tmp_path / "again", ("scratch",), DEBIAN_SETMM, file_sha256(DEBIAN_SETMM))
        again.quiet = True
        assert again.run() == 1 and again.evaluate_stage("scratch", 0).done()  # a new run in this process works
    finally:
        returned.set()
        killer.join()
        signal.signal(signal.SIGTERM, previous)
