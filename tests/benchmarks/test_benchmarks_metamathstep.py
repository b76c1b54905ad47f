"""Building MetaMathStep: on the hand-written fragment (every option), and on a slice of Debian's set.mm."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records
from lime_reasoning.metamath import StepChecker, read_database

FIXTURE = Path(__file__).parents[1] / "metamath" / "fixtures" / "prop.mm"
SETMM = Path("/usr/share/metamath/databases/set.mm")
# Theorems of prop.mm with |- steps and how many each has (derived by hand in tests/metamath).
EXAMPLES = {"a1i": 2, "a1ic": 2, "id": 5, "mpth": 1, "mpthi": 1, "ax5eq": 1, "idxy": 1}
SMALL = ["--train", "3", "--valid", "2", "--test", "2"]


def build(out: Path, *options: str, database: Path = FIXTURE) -> int:
    return main(["benchmark", "build", "metamathstep", "--mm", str(database), "--out", str(out), "--quiet", *options])


def splits(out: Path) -> dict[str, list[dict]]:
    """Every split's records, with the step column as integers."""
    return {
        name: [{**r, "step": int(r["step"])} for r in read_records(out, name)] for name in ("train", "valid", "test")
    }


def test_build_writes_every_format_split_by_theorem(tmp_path, capsys):
    out = tmp_path / "mms"
    assert build(out, *SMALL, "--format", "text,jsonl,parquet") == 0
    assert "train 3 theorems" in capsys.readouterr().out
    records = {name: read_records(out, name, "jsonl") for name in ("train", "valid", "test")}
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("train")) == [
        "train-00000.parquet", "train.jsonl", "train.src", "train.step", "train.tgt", "train.theorem"
    ]
    theorems = {name: {r["theorem"] for r in rows} for name, rows in records.items()}
    assert [len(theorems[name]) for name in ("train", "valid", "test")] == [3, 2, 2]
    assert theorems["train"].isdisjoint(theorems["test"]) and theorems["train"].isdisjoint(theorems["valid"])
    assert theorems["valid"].isdisjoint(theorems["test"])
    assert set().union(*theorems.values()) == set(EXAMPLES)
    for rows in records.values():
        for theorem in {r["theorem"] for r in rows}:
            assert sum(r["theorem"] == theorem for r in rows) == EXAMPLES[theorem]
        assert all(isinstance(r["step"], int) and r["step"] > 0 for r in rows)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["kind"] == "metamathstep"
    assert meta["counts"] == {name: len(rows) for name, rows in records.items()}
    assert meta["theorems"]["incomplete_proofs"] == ["unproved"]
    assert meta["database"]["name"] == "prop.mm" and len(meta["database"]["sha256"]) == 64
    assert meta["variables"] == ["ch", "ph", "ps", "th", "x", "y"]  # every $v of prop.mm and its include, once
    for name, rows in records.items():
        # Text files carry no types: the step column reads back as strings.
        assert read_records(out, name, "text") == [{**r, "step": str(r["step"])} for r in rows]
        table = pq.read_table(out / f"{name}-00000.parquet").to_pylist()
        assert table == rows
        assert (out / f"{name}.theorem").read_text().split() == [r["theorem"] for r in rows]


def test_every_example_passes_the_step_checker(tmp_path, capsys):
    out = tmp_path / "mms"
    assert build(out, *SMALL) == 0
    checker = StepChecker(read_database(FIXTURE))
    for rows in splits(out).values():
        for r in rows:
            assert checker.check(r["theorem"], r["src"], r["tgt"]).ok
    capsys.readouterr()
    assert main(["metamath", "check", str(out), "--split", "train", "--mm", str(FIXTURE), "--quiet"]) == 0
    assert "steps correct (100.00%)" in capsys.readouterr().out
    other = tmp_path / "other.mm"
    other.write_text(FIXTURE.read_text().replace("Axiom Simp.", "Axiom Simp!"))
    (tmp_path / "prop-syntax.mm").write_text((FIXTURE.parent / "prop-syntax.mm").read_text())
    assert main(["metamath", "check", str(out), "--mm", str(other), "--quiet"]) == 2
    assert "not the database" in capsys.readouterr().err


def test_check_command_scores_predictions(tmp_path, capsys):
    out = tmp_path / "mms"
    assert build(out, "--train", "0", "--valid", "0", "--test", "1.0") == 0
    rows = splits(out)["test"]
    predictions = [r["tgt"] if number % 2 else "ax-1 $s ph ph" for number, r in enumerate(rows)]
    (tmp_path / "predictions.txt").write_text("".join(p + "\n" for p in predictions))
    capsys.readouterr()
    assert main(["metamath", "check", str(out), "--predictions", str(tmp_path / "predictions.txt"),
                 "--mm", str(FIXTURE), "--quiet"]) == 1  # some predictions fail
    output = capsys.readouterr().out
    assert f"{len(rows) // 2:,} of {len(rows):,} steps correct" in output
    assert "ax-1 needs substitutions for ph ps, in that order" in output
    (tmp_path / "short.txt").write_text("ax-1\n")
    assert main(["metamath", "check", str(out), "--predictions", str(tmp_path / "short.txt"), "--mm", str(FIXTURE)]) == 2
    assert "1 line, but the test split has" in capsys.readouterr().err


def test_same_seed_same_bytes_other_seed_other_split(tmp_path):
    assert build(tmp_path / "a", *SMALL, "--seed", "7") == 0
    assert build(tmp_path / "b", *SMALL, "--seed", "7") == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assignments = set()
    for seed in range(5):
        assert build(tmp_path / f"s{seed}", *SMALL, "--seed", str(seed)) == 0
        assignments.add((tmp_path / f"s{seed}" / "test.theorem").read_text())
    assert len(assignments) > 1


@pytest.mark.parametrize(
    ("options", "theorems"),
    [
        (["--upto", "id"], {"a1i", "a1ic", "id"}),
        (["--from", "mpth"], {"mpth", "mpthi", "ax5eq", "idxy"}),
        (["--from", "a1ic", "--upto", "mpth"], {"a1ic", "id", "mpth"}),
        (["--section", "first theorems"], {"a1i", "a1ic", "id", "mpth", "mpthi"}),
        (["--section", "PREDICATE"], {"ax5eq", "idxy"}),
    ],
)
def test_restricting_to_part_of_the_database(tmp_path, options, theorems):
    out = tmp_path / "part"
    assert build(out, "--train", "1.0", "--valid", "0", "--test", "0", *options) == 0
    assert {r["theorem"] for r in splits(out)["train"]} == theorems


def test_length_limits_drop_long_examples(tmp_path):
    out = tmp_path / "short"
    assert build(out, "--train", "1.0", "--valid", "0", "--test", "0", "--max-source-tokens", "12", "--max-target-tokens", "9") == 0
    rows = splits(out)["train"]
    assert rows and all(len(r["src"].split()) <= 12 and len(r["tgt"].split()) <= 9 for r in rows)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["steps"]["over_length_limits"] == sum(EXAMPLES.values()) - len(rows) > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--train", "30"], "train 30, valid 1,000, test 1,000 theorems requested but only 7 are available"),
        (["--upto", "nosuch"], "no statement labelled nosuch"),
        (["--from", "nosuch", *SMALL], "--from: "),
        (["--section", "logic", *SMALL], "--section: 2 titles contain 'logic'"),
        (["--max-source-tokens", "0", *SMALL], "--max-source-tokens: must be at least 1"),
        (["--format", "text,csv", *SMALL], "--format: unknown format csv"),
    ],
)
def test_bad_options_give_one_line_and_write_nothing(tmp_path, capsys, options, message):
    out = tmp_path / "bad"
    assert build(out, *options) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("lime: error: ") and message in line
    assert list(tmp_path.iterdir()) == []


def test_an_existing_dataset_is_kept_unless_overwrite(tmp_path, capsys):
    out = tmp_path / "mms"
    assert build(out, *SMALL) == 0
    assert build(out, *SMALL) == 2
    assert "pass --overwrite" in capsys.readouterr().err
    assert build(out, *SMALL, "--overwrite", "--seed", "1") == 0


@pytest.mark.skipif(not SETMM.is_file(), reason="Debian's metamath-databases is not installed")
def test_a_slice_of_setmm(tmp_path, capsys):
    out = tmp_path / "setmm"
    assert build(out, "--upto", "mpbiri", "--train", "0.8", "--valid", "0.1", "--test", "0.1", "--steps", "unique",
                 database=SETMM) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["database"]["sha256"] == "4d93307bc81337a621031739acfffb4159175f94fb90e727f4a231401091e45b"
    records = splits(out)
    assert sum(meta["theorems"][name] for name in records) == meta["theorems"]["with_examples"] > 200
    checker = StepChecker(read_database(SETMM, stop_after="mpbiri"))
    for rows in records.values():
        keys = [(r["theorem"], r["src"], r["tgt"]) for r in rows]
        assert len(keys) == len(set(keys))
        for r in rows:
            assert checker.check(r["theorem"], r["src"], r["tgt"]).ok, r


@pytest.mark.parametrize("name", ["iset.mm", "nf.mm"])
def test_other_databases_build_and_check_against_their_own(tmp_path, capsys, name):
    """MetaMathStep from Debian's iset.mm and nf.mm (400 theorems drawn across each database): every target
    passes ``lime metamath check``, which reads the database the dataset names, not set.mm."""
    database = SETMM.parent / name
    if not database.is_file():
        pytest.skip("Debian's metamath-databases is not installed")
    out = tmp_path / name
    assert build(out, "--train", "300", "--valid", "50", "--test", "50", database=database) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["database"]["name"] == name and meta["theorems"]["train"] == 300
    capsys.readouterr()
    for split in ("train", "valid", "test"):
        assert main(["metamath", "check", str(out), "--split", split, "--quiet"]) == 0
        count = len((out / f"{split}.tgt").read_text().splitlines())
        assert capsys.readouterr().out.strip() == f"{out} {split}: {count:,} of {count:,} steps correct (100.00%)"
