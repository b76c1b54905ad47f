"""`lime generate` from the command line: progress, summary, and one clear line for every bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lime_reasoning.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lime_reasoning", *args], capture_output=True, text=True, timeout=300)


def test_progress_and_summary(tmp_path: Path) -> None:
    shown = run("generate", "--task", "mixed", "--train", "20000", "--valid", "100", "--out", str(tmp_path / "a"))
    assert shown.returncode == 0, shown.stderr
    assert "ex/s" in shown.stderr and "generate" in shown.stderr
    assert shown.stdout.startswith(f"wrote {tmp_path / 'a'}: valid 100, train 20,000 in ")
    quiet = run("generate", "--train", "100", "--out", str(tmp_path / "b"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


BAD = [
    (["--task", "deduct,bogus", "--train", "10"], "--task: unknown task 'bogus'"),
    (["--train", "10", "--vocab-size", "60"], "--vocab-size: 60 is smaller than the 68 distinct symbols"),
    (["--train", "10", "--rule-symbols", "5..3"], "--rule-symbols: empty range 5..3"),
    (["--train", "10", "--case-length", "x"], "--case-length: expected MIN..MAX or a single integer"),
    (["--train", "10", "--shard", "3/3"], "--shard: expected I/N with 0 <= I < N"),
    (["--train", "10", "--shard", "1-4"], "--shard: expected I/N such as 0/4"),
    (["--train", "10", "--format", "csv"], "--format: unknown format csv"),
    (["--train", "-5"], "--train: must be a non-negative number"),
    (["--valid", "0"], "nothing to generate"),
    (["--train", "10", "--workers", "0"], "--workers: must be at least 1"),
    (["--train", "10", "--seed", "-1"], "--seed: must be between 0 and 2**63-1"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str],
                                          message: str) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--out", str(out), "--quiet", *args]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lime: error: ") and message in error and error.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing half-written, no partial directory


def test_an_existing_dataset_needs_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A dataset lime wrote is replaced only with --overwrite (a user's own directory never: test_datasets_overwrite)."""
    out = tmp_path / "out"
    assert main(["generate", "--train", "5", "--out", str(out), "--quiet"]) == 0
    assert main(["generate", "--train", "10", "--out", str(out), "--quiet"]) == 2
    assert capsys.readouterr().err == f"lime: error: {out}: output directory is not empty (pass --overwrite to replace it)\n"
    assert len((out / "train.src").read_text().splitlines()) == 5
    assert main(["generate", "--train", "10", "--out", str(out), "--quiet", "--overwrite"]) == 0
    assert len((out / "train.src").read_text().splitlines()) == 10
    assert sorted(p.name for p in out.iterdir()) == ["meta.json", "train.src", "train.task", "train.tgt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_an_empty_output_directory_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert main(["generate", "--train", "10", "--out", str(out), "--quiet"]) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_path_as_user(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main(["generate", "--train", "10", "--out", str(locked / "out"), "--quiet"]) == 2
    assert "cannot write there" in capsys.readouterr().err


def test_unwritable_path(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["generate", "--train", "10", "--out", str(blocker / "out"), "--quiet"]) == 2
    assert capsys.readouterr().err == f"lime: error: {blocker / 'out'}: cannot create it, {blocker} is not a directory\n"
    assert main(["generate", "--train", "10", "--out", str(blocker / "a" / "b"), "--quiet"]) == 2
    assert capsys.readouterr().err == f"lime: error: {blocker / 'a' / 'b'}: cannot create it, {blocker} is not a directory\n"
    assert main(["generate", "--train", "10", "--out", str(blocker), "--quiet"]) == 2
    assert capsys.readouterr().err == f"lime: error: {blocker}: exists and is not a directory\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_ctrl_c_leaves_a_resumable_run(tmp_path: Path) -> None:
    """A real SIGINT mid-run: exit 130 with the resume hint; the same command finishes the same bytes."""
    args = ["generate", "--task", "mixed", "--train", "700000", "--seed", "3", "--quiet"]
    out = tmp_path / "run"
    process = subprocess.Popen([sys.executable, "-m", "lime_reasoning", *args, "--out", str(out)],
                               stderr=subprocess.PIPE, text=True)
    checkpoint = tmp_path / ".run.partial" / "resume.json"
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=120)
    if process.returncode == 0:
        pytest.skip("the run finished before it could be interrupted")
    assert process.returncode == 130
    assert error.strip().endswith("lime: interrupted; run the same command again to resume")
    assert not out.exists() and checkpoint.exists()
    resumed = run(*args, "--out", str(out))
    assert resumed.returncode == 0, resumed.stderr
    fresh = run(*args, "--out", str(tmp_path / "fresh"))
    assert fresh.returncode == 0
    for name in ("train.src", "train.tgt", "train.task"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
