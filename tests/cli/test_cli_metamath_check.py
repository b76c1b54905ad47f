"""``lime metamath check``: its exit status says whether every step passed; a bad predictions file is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records

FIXTURE = Path(__file__).parents[1] / "metamath" / "fixtures" / "prop.mm"
WRONG = "ax-1 $s ph ph"  # ax-1 has variables ph ps: never a correct step


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every theorem of prop.mm in the test split; meta.json records where prop.mm is."""
    out = tmp_path_factory.mktemp("check") / "mms"
    assert main(["benchmark", "build", "metamathstep", "--mm", str(FIXTURE), "--train", "0", "--valid", "0",
                 "--test", "1.0", "--out", str(out), "--quiet"]) == 0
    return out


def check(data: Path, *options: str) -> int:
    return main(["metamath", "check", str(data), "--quiet", *options])


def test_all_correct_predictions_exit_0(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = read_records(data, "test")
    (tmp_path / "gold.txt").write_text("".join(r["tgt"] + "\n" for r in records))
    capsys.readouterr()
    assert check(data, "--predictions", str(tmp_path / "gold.txt")) == 0
    captured = capsys.readouterr()
    assert f"{len(records):,} of {len(records):,} steps correct" in captured.out and captured.err == ""


def test_failing_predictions_exit_1_with_a_summary(data: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    records = read_records(data, "test")
    predictions = [WRONG if number % 3 == 0 else r["tgt"] for number, r in enumerate(records)]
    wrong = sum(p == WRONG for p in predictions)
    (tmp_path / "predictions.txt").write_text("".join(p + "\n" for p in predictions))
    capsys.readouterr()
    assert check(data, "--predictions", str(tmp_path / "predictions.txt")) == 1
    captured = capsys.readouterr()
    assert f"{len(records) - wrong:,} of {len(records):,} steps correct" in captured.out
    assert captured.err.strip() == f"lime: {wrong:,} of {len(records):,} predictions fail the step checker"


def test_failing_targets_of_the_dataset_exit_1(data: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    edited = tmp_path / "edited"
    edited.mkdir()
    for path in data.iterdir():
        (edited / path.name).write_bytes(path.read_bytes())
    targets = (data / "test.tgt").read_text().splitlines()
    (edited / "test.tgt").write_text("".join(t + "\n" for t in [WRONG, *targets[1:]]))
    capsys.readouterr()
    assert check(edited) == 1
    assert capsys.readouterr().err.strip() == f"lime: 1 of {len(targets):,} targets fail the step checker"
    assert check(data) == 0


def test_predictions_that_are_not_utf8_are_one_line(data: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    records = read_records(data, "test")
    lines = [r["tgt"].encode() for r in records]
    lines[2] = b"mp\xff $s ph ph"
    path = tmp_path / "predictions.txt"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    capsys.readouterr()
    assert check(data, "--predictions", str(path)) == 2
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if line.strip()]
    offset = len(lines[0]) + len(lines[1]) + 2 + len(b"mp")  # two whole lines with their newlines, then "mp"
    assert err == [f"lime: error: {path}:3: not UTF-8 text (byte 0xff at offset {offset} of the file); data files "
                   "must be UTF-8"] and captured.out == ""


def test_help_documents_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["metamath", "check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit status: 0 when every step passes, 1 when some fail" in text
