"""``lime evaluate --out``: its directory is marked as lime's, so ``--overwrite`` replaces it and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_evaluation_runner import dataset, model_dir, run_eval  # noqa: F401  (fixtures shared with the runner's tests)

from lime_reasoning.cli import main

LIMIT = 8


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_an_evaluation_directory_is_marked_and_may_be_overwritten(model_dir: Path, dataset: tuple[Path, list],  # noqa: F811
                                                                   tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = dataset
    out = tmp_path / "eval"
    assert run_eval(model_dir, data, out, "--limit", str(LIMIT)) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["package"] == "lime-reasoning" and meta["kind"] == "evaluation"
    capsys.readouterr()
    assert run_eval(model_dir, data, out, "--limit", "4") == 2
    assert error_lines(capsys) == [f"lime: error: {out}: output directory is not empty (pass --overwrite to replace it)"]
    assert len((out / "predictions.jsonl").read_text().splitlines()) == LIMIT
    assert run_eval(model_dir, data, out, "--limit", "4", "--overwrite") == 0
    assert len((out / "predictions.jsonl").read_text().splitlines()) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval"]


def test_overwrite_never_replaces_a_users_directory(model_dir: Path, dataset: tuple[Path, list],  # noqa: F811
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = dataset
    out = tmp_path / "results"
    out.mkdir()
    (out / "predictions.jsonl").write_text("my own predictions\n")
    (out / "metrics.json").write_text("{}\n")  # an evaluation's files, but no meta.json that says lime wrote them
    assert run_eval(model_dir, data, out, "--limit", str(LIMIT), "--overwrite") == 2
    (line,) = error_lines(capsys)
    assert line.startswith(f"lime: error: {out}: not empty and not written by lime")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert (out / "predictions.jsonl").read_text() == "my own predictions\n"
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json", "predictions.jsonl"]


def test_overwrite_replaces_only_a_directory_of_its_own_role(model_dir: Path, dataset: tuple[Path, list],  # noqa: F811
                                                             tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An evaluation never replaces a dataset, and generating data never replaces an evaluation or an experiment."""
    data, _ = dataset
    generated = tmp_path / "generated"
    assert main(["generate", "--task", "deduct", "--train", "10", "--out", str(generated), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in generated.iterdir()}
    capsys.readouterr()
    assert run_eval(model_dir, data, generated, "--limit", str(LIMIT), "--overwrite") == 2
    (line,) = error_lines(capsys)
    assert line == (f"lime: error: {generated}: holds a lime dataset, which --overwrite never replaces with an "
                    "evaluation; choose another --out")
    assert {p.name: p.read_bytes() for p in generated.iterdir()} == before
    evaluation = tmp_path / "eval"
    assert run_eval(model_dir, data, evaluation, "--limit", str(LIMIT)) == 0
    experiment = tmp_path / "experiment"
    experiment.mkdir()
    (experiment / "meta.json").write_text(json.dumps({"package": "lime-reasoning", "kind": "experiment"}))
    for out in (evaluation, experiment):
        kept = {p.name: p.read_bytes() for p in out.iterdir()}
        capsys.readouterr()
        assert main(["generate", "--task", "deduct", "--train", "10", "--out", str(out), "--overwrite", "--quiet"]) == 2
        assert "which --overwrite never replaces with a dataset" in capsys.readouterr().err
        assert {p.name: p.read_bytes() for p in out.iterdir()} == kept
