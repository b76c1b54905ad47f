"""Every user mistake ends with one ``lime: error:`` line, exit status 2, and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from toy_runs import TINY

from lime_reasoning.cli import main

BUDGET = ["--max-steps", "2", "--max-tokens", "256"]


def fails(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    assert main(argv) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("lime: error: ") and expected in lines[0], lines[0]


@pytest.fixture
def trained(toy: Path, tmp_path: Path) -> Path:
    run = tmp_path / "pretrained"
    assert main(["train", "--data", str(toy), "--out", str(run), *TINY, *BUDGET]) == 0
    return run


def test_missing_data_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["train", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r"), *TINY, *BUDGET],
          "no such dataset directory")
    assert not (tmp_path / "r").exists()


def test_empty_training_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "empty"
    data.mkdir()
    (data / "train.src").write_text("")
    (data / "train.tgt").write_text("")
    fails(capsys, ["train", "--data", str(data), "--out", str(tmp_path / "r"), *TINY, *BUDGET], "empty")
    assert not (tmp_path / "r").exists()


def test_mismatched_line_counts(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (toy / "train.tgt").write_text("".join(f"t{i}\n" for i in range(99)))
    fails(capsys, ["train", "--data", str(toy), "--out", str(tmp_path / "r"), *TINY, *BUDGET], "train.tgt")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("override", "expected"), [
    (["--set", "d_model=102"], "not divisible"),
    (["--set", "encoder_layers=0"], "at least 1"),
    (["--set", "dropout=1.5"], "dropout"),
    (["--set", "colour=blue"], "FIELD=VALUE"),
    (["--preset", "huge"], "unknown model preset"),
])
def test_impossible_preset(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], override: list[str],
                           expected: str) -> None:
    fails(capsys, ["train", "--data", str(toy), "--out", str(tmp_path / "r"), *TINY, *override, *BUDGET], expected)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--lr", "inf", "--lr must be a finite number, got inf"),
    ("--lr", "nan", "--lr must be a finite number, got nan"),
    ("--weight-decay", "nan", "--weight-decay must be a finite number, got nan"),
    ("--weight-decay", "-0.1", "--weight-decay must be at least 0, got -0.1"),
    ("--clip-norm", "nan", "--clip-norm must be a finite number, got nan"),
    ("--clip-norm", "inf", "--clip-norm must be a finite number, got inf"),
    ("--adam-betas", "0.9,nan", "--adam-betas must be a finite number, got nan"),
    ("--adam-betas", "0.9,1.5", "--adam-betas must be in [0, 1), got 0.9,1.5"),
])
def test_numbers_that_cannot_train(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str,
                                   value: str, expected: str) -> None:
    fails(capsys, ["train", "--data", str(toy), "--out", str(tmp_path / "r"), *TINY, *BUDGET, option, value], expected)
    assert not (tmp_path / "r").exists()


def test_no_budget(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["train", "--data", str(toy), "--out", str(tmp_path / "r"), *TINY], "give a budget")


def test_batch_budget_below_longest_example(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["train", "--data", str(toy), "--out", str(tmp_path / "r"), *TINY, "--max-steps", "1",
                   "--max-tokens", "4"], "--max-tokens 4")
    assert not (tmp_path / "r").exists()


def test_existing_run_needs_resume_or_overwrite(trained: Path, toy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["train", "--data", str(toy), "--out", str(trained), *TINY, *BUDGET], "--resume")


def test_resume_without_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["train", "--out", str(tmp_path / "nothing"), "--resume", "--max-steps", "3"], "no run to resume")


def test_resume_with_changed_definition(trained: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["train", "--out", str(trained), "--resume", "--max-steps", "4", "--lr", "0.5"], "--lr")


def test_corrupt_checkpoint(trained: Path, toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weights = trained / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    fails(capsys, ["finetune", "--init", str(trained), "--data", str(toy), "--out", str(tmp_path / "ft"), *BUDGET],
          "cannot load the model")
    assert not (tmp_path / "ft").exists()
    fails(capsys, ["evaluate", "--model", str(trained), "--data", str(toy)], "cannot load the model")
    state = trained / "checkpoints" / "last" / "trainer_state.pt"
    state.write_bytes(b"not a checkpoint")
    fails(capsys, ["train", "--out", str(trained), "--resume", "--max-steps", "4"], "trainer_state.pt")


def test_incompatible_checkpoint(trained: Path, toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = json.loads((trained / "config.json").read_text())
    config["d_model"] = 32
    (trained / "config.json").write_text(json.dumps(config))
    fails(capsys, ["finetune", "--init", str(trained), "--data", str(toy), "--out", str(tmp_path / "ft"), *BUDGET],
          "cannot load the model")
    (trained / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    fails(capsys, ["evaluate", "--model", str(trained), "--data", str(toy)], "not a BART model")


def test_not_a_model_directory(toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fails(capsys, ["evaluate", "--model", str(toy), "--data", str(toy)], "not a trained model")
    fails(capsys, ["finetune", "--init", str(tmp_path / "none"), "--data", str(toy), "--out", str(tmp_path / "ft"),
                   *BUDGET], "no such model directory")
