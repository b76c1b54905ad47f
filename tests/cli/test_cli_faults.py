"""`lime generate` against faults of the user or the machine: one ``lime: error:`` line and exit 2, never
a traceback; a failed write (a full disk) keeps what was checkpointed, and the same command continues it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from write_faults import grow_disk, lime_with_file_limit, small_disk

from lime_reasoning.cli import main

# Short rows (about 12 bytes), so the first checkpoint (16 blocks of 8,192 rows) comes after 1.5 MB of
# train.src and the whole split is 3.4 MB: a run can fail after a checkpoint without a big dataset.
SMALL_ROWS = ["generate", "--task", "identity", "--no-header", "--set-length", "2..4", "--set-alphabet", "2..4",
              "--train", "300000", "--valid", "1000", "--quiet"]
FILES = ("train.src", "train.tgt", "train.task", "valid.src", "valid.tgt", "valid.task")


@pytest.mark.parametrize("ratio", ["inf", "-inf", "nan", "1e300", "1e400", "0", "101"])
def test_ratio_must_be_finite_and_in_range(tmp_path: Path, capsys: pytest.CaptureFixture[str], ratio: str) -> None:
    assert main(["generate", "--task", "rewrite", "--train", "10", f"--ratio={ratio}", "--out", str(tmp_path / "o"),
                 "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lime: error: --ratio: must be positive, finite and at most 100, got ")
    assert error.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dataset an undisturbed run writes (this also compiles the kernels, so no child writes a cache)."""
    out = tmp_path_factory.mktemp("reference") / "data"
    assert main([*SMALL_ROWS, "--out", str(out)]) == 0
    return out


def continues_from_checkpoint(out: Path, reference: Path) -> None:
    """Run the same command again and check that it continued the partial run rather than starting over:
    a byte changed in the checkpointed part survives, and everything else equals the undisturbed run."""
    partial = out.with_name(f".{out.name}.partial")
    state = json.loads((partial / "resume.json").read_text())
    assert state["splits"]["valid"]["done"] and state["splits"]["train"]["next_block"] == 16
    marked = bytearray((partial / "train.src").read_bytes()[:1])
    marked[0] ^= 1
    with open(partial / "train.src", "r+b") as handle:
        handle.write(marked)
    assert main([*SMALL_ROWS, "--out", str(out)]) == 0
    assert not partial.exists()
    for name in FILES:
        written, expected = (out / name).read_bytes(), (reference / name).read_bytes()
        if name == "train.src":
            assert written[:1] == bytes(marked) and written[1:] == expected[1:]
        else:
            assert written == expected, name


def test_failed_write_keeps_the_checkpoint_and_resumes(tmp_path: Path, reference: Path) -> None:
    out = tmp_path / "data"
    failed = lime_with_file_limit([*SMALL_ROWS, "--out", str(out)], limit=2_000_000)
    assert failed.returncode == 2, failed.stderr
    partial = tmp_path / ".data.partial"
    assert failed.stderr == (
        f"lime: error: {partial / 'train.src'}: cannot write (File too large); the finished part is kept in "
        f"{partial}: free some space (or fix the cause) and run the same command again to continue from it\n")
    assert not out.exists()
    continues_from_checkpoint(out, reference)


def test_failed_parquet_write(tmp_path: Path) -> None:
    """pyarrow's own failed write names its file too, and closing the broken writer does not hide it."""
    parquet = [*SMALL_ROWS, "--format", "parquet"]
    out = tmp_path / "data"
    failed = lime_with_file_limit([*parquet, "--out", str(out)], limit=2_000_000)
    assert failed.returncode == 2, failed.stderr
    partial = tmp_path / ".data.partial"
    assert failed.stderr.startswith(f"lime: error: {partial / 'train-00000.parquet'}: cannot write (File too large); "
                                    f"the finished part is kept in {partial}")
    assert failed.stderr.count("\n") == 1
    assert main([*parquet, "--out", str(out)]) == 0
    assert main([*parquet, "--out", str(tmp_path / "reference")]) == 0
    assert contents(out) == contents(tmp_path / "reference")


def contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.name != "meta.json"}


def test_full_disk_keeps_the_checkpoint_and_resumes(tmp_path: Path, reference: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A disk that really fills up (ENOSPC hits whichever file is written next, resume.json included)."""
    with small_disk(tmp_path / "disk", "6m") as disk:
        out = disk / "data"
        assert main([*SMALL_ROWS, "--out", str(out)]) == 2
        error = capsys.readouterr().err
        assert error.startswith(f"lime: error: {disk / '.data.partial'}/") and error.count("\n") == 1
        assert "cannot write (No space left on device)" in error and "run the same command again" in error
        assert not out.exists()
        grow_disk(disk, "16m")
        continues_from_checkpoint(out, reference)


def test_workers_without_shared_memory(tmp_path: Path, reference: Path) -> None:
    """--workers needs shared-memory slots; when they cannot be made, nothing is left behind."""
    failed = lime_with_file_limit([*SMALL_ROWS, "--workers", "2", "--out", str(tmp_path / "data")], limit=1_000_000)
    assert failed.returncode == 2, failed.stderr
    assert ("lime: error: /dev/shm: cannot write (File too large, making 8 shared-memory slots of 24 MiB for "
            "--workers 2); nothing was kept") in failed.stderr
    assert list(tmp_path.iterdir()) == []
