"""``--resume`` finds a run's data by place, not by spelling: other spellings, other directories, moved runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from toy_runs import TINY, write_toy

from lime_reasoning.cli import main
from lime_reasoning.training.checkpoint import find_checkpoint, load_checkpoint

FIRST = [*TINY, "--max-tokens", "256", "--max-steps", "2", "--log-every", "1"]


def steps_done(run: Path) -> int:
    checkpoint = find_checkpoint(run, "last")
    assert checkpoint is not None
    return load_checkpoint(checkpoint)[1]["step"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``project/data`` and a 2-step ``project/run`` trained with relative paths from inside ``project``."""
    project = tmp_path / "project"
    write_toy(project / "data", {"train": 60, "valid": 10})
    monkeypatch.chdir(project)
    assert main(["train", "--data", "data", "--out", "run", *FIRST]) == 0
    return project


@pytest.mark.parametrize("spelling", ["data/", "./data", "../project/data", "ABSOLUTE"])
def test_the_same_data_spelled_another_way(project: Path, spelling: str) -> None:
    data = str(project / "data") if spelling == "ABSOLUTE" else spelling
    assert main(["train", "--data", data, "--out", "./run/", "--resume", "--max-steps", "3"]) == 0
    assert steps_done(project / "run") == 3


def test_resumed_from_another_directory(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["train", "--out", str(project / "run"), "--resume", "--max-steps", "3"]) == 0
    assert steps_done(project / "run") == 3


def test_a_run_moved_together_with_its_data(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    moved = tmp_path / "moved"
    shutil.move(project, moved)
    assert main(["train", "--out", "moved/run", "--resume", "--max-steps", "3"]) == 0
    assert steps_done(moved / "run") == 3


def test_data_moved_alone_is_named_again(project: Path, tmp_path: Path) -> None:
    shutil.move(project / "data", tmp_path / "relocated")
    assert main(["train", "--out", "run", "--data", str(tmp_path / "relocated"), "--resume", "--max-steps", "3"]) == 0
    assert steps_done(project / "run") == 3


def test_other_data_is_refused(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = write_toy(tmp_path / "other", {"train": 61, "valid": 10}, seed=1)
    capsys.readouterr()
    assert main(["train", "--out", "run", "--data", str(other), "--resume", "--max-steps", "3"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("lime: error: --resume: --data") and "differs" in error[0]
    assert steps_done(project / "run") == 2
