"""The three output formats hold the same rows; the text format is pinned by a golden file."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
from synthetic_checker import Knobs, check_example

from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records

GOLDEN = Path(__file__).parent / "golden"


def generate(out: Path, *extra: str) -> Path:
    assert main(["generate", "--out", str(out), "--quiet", *extra]) == 0
    return out


def test_text_format_matches_the_golden_files(tmp_path: Path) -> None:
    """Pinned bytes of `--task mixed --train 4 --test 2 --seed 7`: fairseq parallel files, one example
    per line, single spaces, the reference header. The golden rows are themselves checked for meaning
    (and the first was checked by hand against the task definition)."""
    out = generate(tmp_path / "g", "--task", "mixed", "--train", "4", "--test", "2", "--seed", "7")
    for split in ("train", "test"):
        for column in ("src", "tgt", "task"):
            golden = (GOLDEN / f"mixed-seed7.{split}.{column}").read_bytes()
            assert (out / f"{split}.{column}").read_bytes() == golden, f"{split}.{column}"
        rows = zip(*((GOLDEN / f"mixed-seed7.{split}.{c}").read_text().splitlines() for c in ("src", "tgt", "task")))
        for source, target, task in rows:
            check_example(task, source, target, Knobs())


def test_jsonl_and_parquet_hold_the_text_rows(tmp_path: Path) -> None:
    out = generate(tmp_path / "all", "--task", "mixed", "--train", "9000", "--valid", "50", "--test", "60",
                   "--format", "text,jsonl,parquet")
    for split, count in (("train", 9000), ("valid", 50), ("test", 60)):
        text = list(zip(*((out / f"{split}.{c}").read_text().splitlines() for c in ("src", "tgt", "task"))))
        lines = (out / f"{split}.jsonl").read_text().splitlines()
        assert [tuple(json.loads(line).values()) for line in lines] == text
        assert list(json.loads(lines[0])) == ["src", "tgt", "task"]
        table = pq.read_table(sorted(out.glob(f"{split}-*.parquet")))
        assert list(zip(*(table.column(c).to_pylist() for c in ("src", "tgt", "task")))) == text
        assert len(text) == count
        assert [tuple(r.values()) for r in read_records(out, split, "jsonl")] == text


def test_parquet_opens_with_hugging_face_datasets(tmp_path: Path) -> None:
    out = generate(tmp_path / "hf", "--task", "deduct", "--train", "500", "--valid", "20", "--format", "parquet")
    loaded = datasets.load_dataset(
        "parquet",
        data_files={"train": str(out / "train-*.parquet"), "validation": str(out / "valid-*.parquet")},
        cache_dir=str(tmp_path / "cache"),
    )
    assert loaded["train"].num_rows == 500 and loaded["validation"].num_rows == 20
    assert loaded["train"].column_names == ["src", "tgt", "task"]
    first = loaded["train"][0]
    assert first["src"].startswith("<UPPER> ") and first["task"] == "deduct"
    assert first == read_records(out, "train", limit=1)[0]


@pytest.mark.parametrize("fmt", ["text", "jsonl", "parquet"])
def test_each_format_alone(tmp_path: Path, fmt: str) -> None:
    out = generate(tmp_path / fmt, "--task", "rewrite", "--train", "100", "--format", fmt)
    rows = read_records(out, "train")
    assert len(rows) == 100 and all(row["task"] == "rewrite" for row in rows)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["formats"] == [fmt]
