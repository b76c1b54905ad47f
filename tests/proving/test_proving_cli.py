"""``lime prove`` end to end on the toy database with a random model, and its bad input: one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lime_reasoning.cli import main


def prove(model: Path, toy_path: Path, out: Path, *extra: str) -> int:
    return main(["prove", "--model", str(model), "--mm", str(toy_path), "--out", str(out), *extra])


@pytest.mark.parametrize(("extra", "message"), [
    (["--theorems", "a1i", "--budget", "0"], "--budget must be at least 1, got 0"),
    (["--theorems", "a1i", "--budget", "2", "--k", "0"], "--k must be at least 1, got 0"),
    (["--theorems", "a1i", "--budget", "2", "--max-time", "soon"], "--max-time soon: expected a positive duration"),
    (["--theorems", "a1i,nosuch", "--budget", "2"], "no theorem ($p) labelled nosuch"),
    (["--theorems", "ax-1", "--budget", "2"], "no theorem ($p) labelled ax-1"),
])
def test_bad_input(toy_model: Path, toy_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                   extra: list[str], message: str) -> None:
    assert prove(toy_model, toy_path, tmp_path / "out.jsonl", *extra) == 2
    error = capsys.readouterr().err
    assert error.startswith("lime: error: ") and message in error and error.count("\n") == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_a_model_for_other_data_is_refused(foreign_model: Path, toy_path: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert prove(foreign_model, toy_path, tmp_path / "out.jsonl", "--theorems", "a1i", "--budget", "2") == 2
    error = capsys.readouterr().err
    assert "are not in the vocabulary of" in error and error.count("\n") == 1


def test_rows_per_theorem_and_a_rerun_resumes(toy_model: Path, toy_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out, proofs = tmp_path / "out.jsonl", tmp_path / "proofs.mm"
    args = ["--theorems", "a1i,id", "--budget", "2", "--k", "2", "--max-length", "6", "--write-proofs", str(proofs)]
    assert prove(toy_model, toy_path, out, *args) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["theorem"] for row in rows] == ["a1i", "id"]
    assert all(set(row) >= {"proved", "expansions", "seconds", "database_proof_length"} for row in rows)
    assert "theorems (budget 2 expansions, k 2)" in capsys.readouterr().out
    assert prove(toy_model, toy_path, out, *args) == 0
    assert len(out.read_text().splitlines()) == 2
    assert proofs.is_file()
