"""Cached stages: run once, keyed by their settings, and resumable after an interruption."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from lime_reasoning.experiments.stages import DONE_FILE, Stage, stage_key


class Work:
    """A stage's work that writes its directory, counts its calls, and can sleep and be interrupted."""

    def __init__(self, stage: Stage, sleep: float = 0.0, interrupt: bool = False) -> None:
        self.stage, self.sleep, self.interrupt, self.calls = stage, sleep, interrupt, 0

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        self.stage.path.mkdir(parents=True, exist_ok=True)
        (self.stage.path / "output.txt").write_text(f"call {self.calls}")
        time.sleep(self.sleep)
        if self.interrupt:
            raise KeyboardInterrupt
        return {"answer": 42}


SETTINGS = {"budget": {"steps": 30, "lr": 0.002}, "seed": 0, "data": "abc"}


def test_runs_once_then_returns_the_record(tmp_path: Path) -> None:
    stage = Stage("finetune", "scratch-s0", SETTINGS, tmp_path)
    work = Work(stage)
    assert not stage.done()
    record = stage.run(work)
    assert work.calls == 1
    assert stage.done() and stage.marker == stage.path / DONE_FILE
    assert stage.path == tmp_path / "finetune" / f"scratch-s0-{stage.key}"
    assert record["answer"] == 42 and record["settings"] == SETTINGS
    assert (record["kind"], record["name"], record["key"]) == ("finetune", "scratch-s0", stage.key)
    assert record["wall_seconds"] >= 0
    assert json.loads(stage.marker.read_text()) == record

    again = Work(stage)
    assert stage.run(again) == record and again.calls == 0
    # a fresh process sees the same finished stage
    fresh = Stage("finetune", "scratch-s0", json.loads(json.dumps(SETTINGS)), tmp_path)
    third = Work(fresh)
    assert fresh.run(third) == record and third.calls == 0
    assert (stage.path / "output.txt").read_text() == "call 1"


def test_the_key_follows_the_settings_only() -> None:
    root = Path("/nowhere")
    base = Stage("finetune", "a", {"seed": 0, "budget": {"steps": 30, "lr": 0.002}}, root)
    reordered = Stage("finetune", "a", {"budget": {"lr": 0.002, "steps": 30}, "seed": 0}, root)
    assert reordered.key == base.key and reordered.path == base.path
    assert Stage("finetune", "a", {"seed": 0, "budget": {"steps": 30, "lr": 0.002}}, Path("/elsewhere")).key == base.key
    changed = [
        Stage("finetune", "a", {"seed": 1, "budget": {"steps": 30, "lr": 0.002}}, root),
        Stage("finetune", "a", {"seed": 0, "budget": {"steps": 31, "lr": 0.002}}, root),
        Stage("finetune", "a", {"seed": 0, "budget": {"steps": 30, "lr": 0.001}}, root),
        Stage("finetune", "a", {"seed": 0, "budget": {"steps": 30, "lr": 0.002, "warmup": 10}}, root),
        Stage("finetune", "a", {"seed": 0}, root),
        Stage("pretrain", "a", {"seed": 0, "budget": {"steps": 30, "lr": 0.002}}, root),
    ]
    keys = {stage.key for stage in changed}
    assert len(keys) == len(changed) and base.key not in keys
    assert all(len(k) == 12 and int(k, 16) >= 0 for k in keys | {base.key})
    assert stage_key({"x": [1, 2]}) != stage_key({"x": [2, 1]})  # lists are ordered
    assert stage_key({"x": 1, "y": 2}) == stage_key({"y": 2, "x": 1})


def test_changed_settings_are_a_new_stage(tmp_path: Path) -> None:
    first = Stage("data", "d", {"count": 10}, tmp_path)
    first.run(Work(first))
    second = Stage("data", "d", {"count": 11}, tmp_path)
    work = Work(second)
    assert not second.done()
    second.run(work)
    assert work.calls == 1 and first.done() and second.path != first.path


def test_an_interrupted_stage_is_not_done_and_its_time_is_kept(tmp_path: Path) -> None:
    stage = Stage("pretrain", "mixed-s0", SETTINGS, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        stage.run(Work(stage, sleep=0.3, interrupt=True))
    assert not stage.done() and not stage.marker.exists()
    with pytest.raises(KeyboardInterrupt):
        stage.run(Work(stage, sleep=0.2, interrupt=True))
    assert not stage.done()

    finishing = Work(stage)
    record = stage.run(finishing)
    assert finishing.calls == 1 and stage.done()
    assert record["wall_seconds"] >= 0.5  # both interrupted attempts count towards the finished stage
    assert record["wall_seconds"] < 60
    # the timing of the interrupted attempts is gone; only the stage and its lock file remain
    assert sorted(p.name for p in (tmp_path / "pretrain").iterdir()) == sorted(
        [stage.path.name, f".{stage.path.name}.lock"])
    # and the time of that stage is not carried into another one
    other = Stage("pretrain", "mixed-s1", {**SETTINGS, "seed": 1}, tmp_path)
    assert other.run(Work(other))["wall_seconds"] < 0.3


def test_interrupted_time_belongs_to_its_own_settings(tmp_path: Path) -> None:
    stage = Stage("pretrain", "mixed-s0", SETTINGS, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        stage.run(Work(stage, sleep=0.4, interrupt=True))
    changed = Stage("pretrain", "mixed-s0", {**SETTINGS, "data": "def"}, tmp_path)
    assert changed.run(Work(changed))["wall_seconds"] < 0.4


def test_a_failing_stage_is_not_done(tmp_path: Path) -> None:
    stage = Stage("evaluate", "e", {"beam": 10}, tmp_path)

    def broken() -> dict[str, Any]:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        stage.run(broken)
    assert not stage.done()
    work = Work(stage)
    stage.run(work)
    assert work.calls == 1 and stage.done()


def test_concurrent_runs_do_the_work_once(tmp_path: Path) -> None:
    """Two workers (threads here, processes in the matrix) asking for one stage: one works, one waits."""
    first = Stage("pretrain", "mixed-s0", SETTINGS, tmp_path)
    second = Stage("pretrain", "mixed-s0", dict(SETTINGS), tmp_path)
    works = [Work(first, sleep=0.5), Work(second, sleep=0.5)]
    records: list[dict[str, Any]] = [{}, {}]

    def run(index: int, stage: Stage) -> None:
        records[index] = stage.run(works[index])

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(work.calls for work in works) == 1
    assert records[0] == records[1] and records[0]["answer"] == 42
