"""The Metamath checker reads the database a dataset was built from, wherever that is, and only that one.

The scenario of ``lime reproduce --mm OTHER.mm``: a MetaMathStep dataset built from a database that is
neither ``$LIME_SETMM`` nor Debian's set.mm, then evaluated with ``--checker metamath``. Here the
database is a copy of the hand-written fragment at a path of its own, the environment names no other
database and the download cache is empty, so only meta.json can lead the checker to it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records
from lime_reasoning.errors import LimeError
from lime_reasoning.evaluation.checkers import resolve_checker
from lime_reasoning.modeling.model import bart_config, build_model
from lime_reasoning.modeling.model_presets import resolve_model_preset
from lime_reasoning.modeling.vocabulary import save_tokenizer, tokenizer_from_lines

FIXTURES = Path(__file__).parents[1] / "metamath" / "fixtures"
WRONG = "ax-1 $s ph ph"  # ax-1 has variables ph ps: never a correct step


def copy_fixture(directory: Path) -> Path:
    directory.mkdir(parents=True)
    for name in ("prop.mm", "prop-syntax.mm"):
        shutil.copy(FIXTURES / name, directory / name)
    return directory / "prop.mm"


@pytest.fixture(autouse=True)
def no_other_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LIME_SETMM", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """(dataset, database): every theorem of a copy of prop.mm in the test split."""
    database = copy_fixture(tmp_path / "elsewhere")
    data = tmp_path / "mms"
    assert main(["benchmark", "build", "metamathstep", "--mm", str(database), "--train", "0", "--valid", "0",
                 "--test", "1.0", "--out", str(data), "--quiet"]) == 0
    return data, database


@pytest.fixture
def model(built: tuple[Path, Path], tmp_path: Path) -> Path:
    """An untrained tiny model with the dataset's vocabulary: its predictions are arbitrary steps."""
    records = read_records(built[0], "test")
    directory = tmp_path / "model"
    tokenizer = tokenizer_from_lines([r["src"] + " " + r["tgt"] for r in records])
    fields, _ = resolve_model_preset("tiny", ["d_model=16", "encoder_layers=1", "decoder_layers=1",
                                              "encoder_ffn_dim=32", "decoder_ffn_dim=32"])
    build_model(bart_config(fields, tokenizer.get_vocab_size()), seed=0).save_pretrained(str(directory))
    save_tokenizer(tokenizer, directory)
    return directory


def test_evaluate_checks_against_the_database_the_data_was_built_from(built: tuple[Path, Path], model: Path,
                                                                       tmp_path: Path) -> None:
    data, _ = built
    records = read_records(data, "test")
    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--beam", "2", "--max-length", "8",
                 "--checker", "metamath", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == len(records) and all(len(row["checked"]) == len(row["predictions"]) for row in rows)
    metrics = json.loads((out / "metrics.json").read_text())
    assert "checked_top1" in metrics and metrics["checker_guarantee"].startswith("the step applies in the example's own theorem")


def test_gold_targets_pass_and_wrong_ones_fail(built: tuple[Path, Path]) -> None:
    data, _ = built
    check = resolve_checker("metamath", data, "test")
    records = read_records(data, "test")
    assert records and all(check(r, r["tgt"]) for r in records)
    assert not any(check(r, WRONG) for r in records)


def test_a_moved_database_is_found_with_mm_and_another_one_refused(built: tuple[Path, Path], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data, database = built
    moved = copy_fixture(tmp_path / "moved")
    shutil.rmtree(database.parent)
    with pytest.raises(LimeError, match="cannot find the database it was built from .*pass --mm PATH"):
        resolve_checker("metamath", data, "test")
    records = read_records(data, "test")
    check = resolve_checker("metamath", data, "test", mm=str(moved))
    assert all(check(r, r["tgt"]) for r in records)
    other = moved.parent / "other.mm"
    other.write_text(moved.read_text().replace("Axiom Simp.", "Axiom Simp!"))
    with pytest.raises(LimeError, match="not the database .* was built from"):
        resolve_checker("metamath", data, "test", mm=str(other))
    # lime metamath check finds the database the same way.
    capsys.readouterr()
    assert main(["metamath", "check", str(data), "--quiet"]) == 2
    assert "cannot find the database" in capsys.readouterr().err
    assert main(["metamath", "check", str(data), "--mm", str(moved), "--quiet"]) == 0
    assert f"{len(records):,} of {len(records):,} steps correct" in capsys.readouterr().out
    assert main(["metamath", "check", str(data), "--mm", str(other), "--quiet"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lime: error:") and "not the database" in lines[0]


def test_evaluate_with_the_wrong_mm_is_one_line_and_no_output(built: tuple[Path, Path], model: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data, database = built
    other = database.parent / "other.mm"
    other.write_text(database.read_text().replace("Axiom Simp.", "Axiom Simp!"))
    capsys.readouterr()
    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--checker", "metamath",
                 "--mm", str(other), "--out", str(out)]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lime: error:") and "not the database" in lines[0], lines
    assert not out.exists()
