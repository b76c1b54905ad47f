"""An output place training cannot write, or a disk that fills up mid-run: one ``lime: error:`` line and
exit 2, never a traceback. A run never starts where it could not be saved; a checkpoint that cannot be
written leaves ``checkpoints/last`` as it was and no half-written copy, and the message says to resume."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import torch
from test_training_errors import BUDGET, fails
from toy_runs import TINY, write_toy
from write_faults import grow_disk, lime_with_file_limit, small_disk

from lime_reasoning.cli import main
from lime_reasoning.training.checkpoint import STATE_FILE


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run stopped at step 2, with checkpoints/last and checkpoints/best (tests take copies)."""
    base = tmp_path_factory.mktemp("trained")
    data = write_toy(base / "toy", {"train": 100, "valid": 20, "test": 20})
    run = base / "run"
    assert main(["train", "--data", str(data), "--out", str(run), *TINY, *BUDGET]) == 0
    return run


def contents(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def error_lines(stderr: str) -> list[str]:
    """The ``lime: error:`` lines, each a line of its own (the progress bar is closed before the error shows)."""
    return [line for line in stderr.replace("\r", "\n").splitlines() if "lime: error: " in line]


def saved_step(run: Path) -> int:
    return torch.load(run / "checkpoints" / "last" / STATE_FILE, weights_only=True)["step"]


def unwritable_places(tmp_path: Path) -> list[Path]:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    places = [blocker / "run", blocker / "deeper" / "run"]
    places += [Path(root) / "lime-test-run" for root in ("/proc", "/sys") if Path(root).is_dir()]
    if os.geteuid() != 0:  # root writes through any mode bits
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        places.append(locked / "run")
    return places


def test_unwritable_out_fails_before_training(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One line (so before the data is even read: that prints a note), naming --out; nothing created."""
    for out in unwritable_places(tmp_path):
        fails(capsys, ["train", "--data", str(toy), "--out", str(out), *TINY, *BUDGET],
              f"{out}: cannot create the run directory in ")
        assert not out.exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]  # no probe or staging left


def still_resumable(run: Path, before: dict[str, bytes]) -> None:
    """checkpoints/last is byte for byte what it was, nothing half-written beside it, and --resume goes on."""
    assert contents(run / "checkpoints" / "last") == before
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["best", "last"]
    assert main(["train", "--out", str(run), "--resume", "--max-steps", "4"]) == 0
    assert saved_step(run) == 4


@pytest.mark.parametrize("failing", ["model.safetensors", STATE_FILE])
def test_failed_checkpoint_write_keeps_last(trained: Path, tmp_path: Path, failing: str) -> None:
    """A write fails part-way through either file of a checkpoint (safetensors and torch report it differently)."""
    run = shutil.copytree(trained, tmp_path / "run")
    last = run / "checkpoints" / "last"
    before = contents(last)
    model, state = len(before["model.safetensors"]), len(before[STATE_FILE])
    assert state > model  # the optimizer's moments make the trainer state the larger file
    limit = model // 2 if failing == "model.safetensors" else (model + state) // 2
    failed = lime_with_file_limit(["train", "--out", str(run), "--resume", "--max-steps", "4"], limit)
    assert failed.returncode == 2, failed.stderr
    assert error_lines(failed.stderr) == [(
        f"lime: error: {run / 'checkpoints' / 'best'}: cannot write (File too large); {last} still holds step 2: "
        "free some space (or fix the cause) and continue from there with the same command plus --resume"
    )], failed.stderr
    assert "Traceback" not in failed.stderr
    still_resumable(run, before)


def test_full_disk_during_checkpoint(trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A disk that really fills up while the next checkpoint is written, then gets room again."""
    used = sum(len(data) for data in contents(trained).values())
    state = (trained / "checkpoints" / "last" / STATE_FILE).stat().st_size
    with small_disk(tmp_path / "disk", str(used + state // 2)) as disk:
        run = shutil.copytree(trained, disk / "run")
        before = contents(run / "checkpoints" / "last")
        assert main(["train", "--out", str(run), "--resume", "--max-steps", "4"]) == 2
        error = error_lines(capsys.readouterr().err)
        assert len(error) == 1 and "cannot write (No space left on device)" in error[0], error
        assert "still holds step 2" in error[0] and "--resume" in error[0]
        grow_disk(disk, str(4 * used))
        still_resumable(run, before)


def test_failed_write_of_a_new_run_leaves_nothing(trained: Path, tmp_path: Path) -> None:
    data = write_toy(tmp_path / "toy", {"train": 20})
    out = tmp_path / "run"
    limit = (trained / "model.safetensors").stat().st_size // 2
    failed = lime_with_file_limit(["train", "--data", str(data), "--out", str(out), *TINY, *BUDGET], limit)
    assert failed.returncode == 2, failed.stderr
    assert error_lines(failed.stderr) == [(
        f"lime: error: {out}: cannot write (File too large); nothing was written; free some space (or fix the "
        "cause) and run the command again"
    )], failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy"]
