"""`lime generate` datasets: reproducible bytes whatever the workers or shards, clean splits, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lime_reasoning.cli import main
from lime_reasoning.datasets import build as build_module
from lime_reasoning.datasets.build import BuildRequest, build
from lime_reasoning.datasets.synthetic import SyntheticSpec
from lime_reasoning.tasks import IntRange, TaskConfig

FILES = [f"{split}.{column}" for split in ("train", "valid", "test") for column in ("src", "tgt", "task")]
# A configuration small enough that sources repeat: no header, one rule symbol, short strings.
TINY = TaskConfig(
    vocab_size=40, upper=2, lower=2, math=2, header=False,
    rule_symbols=IntRange(1, 1), rule_math=IntRange(0, 1), case_length=IntRange(1, 1),
)


def generate(out: Path, *extra: str) -> Path:
    assert main(["generate", "--out", str(out), "--quiet", *extra]) == 0
    return out


def read(directory: Path, name: str) -> bytes:
    return (directory / name).read_bytes()


def test_same_seed_same_bytes_different_seed_different_bytes(tmp_path: Path) -> None:
    args = ["--task", "mixed", "--train", "20000", "--valid", "300", "--test", "300"]
    first = generate(tmp_path / "a", *args, "--seed", "1")
    second = generate(tmp_path / "b", *args, "--seed", "1")
    other = generate(tmp_path / "c", *args, "--seed", "2")
    for name in FILES:
        assert read(first, name) == read(second, name)
    assert read(first, "train.src") != read(other, "train.src")


def test_workers_do_not_change_the_bytes(tmp_path: Path) -> None:
    args = ["--task", "induct_v2_double,rewrite_multistep_easy", "--train", "30000", "--valid", "100", "--seed", "5"]
    one = generate(tmp_path / "one", *args, "--workers", "1")
    two = generate(tmp_path / "two", *args, "--workers", "2")
    for name in ("train.src", "train.tgt", "train.task", "valid.src"):
        assert read(one, name) == read(two, name)


@pytest.mark.parametrize("dedup", [False, True])
def test_shards_concatenate_to_the_single_run(tmp_path: Path, dedup: bool) -> None:
    spec = SyntheticSpec("deduct", TINY, seed=3)
    counts = {"train": 20_000, "valid": 700, "test": 500}
    whole = tmp_path / "whole"
    build(BuildRequest(spec, counts, whole, dedup=dedup, quiet=True))
    shards = []
    for index in range(3):
        shard = tmp_path / f"shard{index}"
        build(BuildRequest(spec, counts, shard, shard=(index, 3), dedup=dedup, quiet=True))
        shards.append(shard)
    for name in FILES:
        assert b"".join(read(shard, name) for shard in shards) == read(whole, name), name
    totals = [json.loads((shard / "meta.json").read_text())["counts"]["train"] for shard in shards]
    assert sum(totals) == json.loads((whole / "meta.json").read_text())["counts"]["train"]


def unfiltered(tmp_path: Path, split: str, count: int, seed: int) -> list[str]:
    """A split generated alone (nothing to keep it apart from), i.e. before any filtering."""
    out = tmp_path / f"alone-{split}"
    build(BuildRequest(SyntheticSpec("deduct", TINY, seed), {split: count}, out, quiet=True))
    return (out / f"{split}.src").read_text().splitlines()


@pytest.mark.parametrize("dedup", [False, True])
def test_splits_are_disjoint_and_drops_are_reported(tmp_path: Path, dedup: bool) -> None:
    counts = {"train": 20_000, "valid": 800, "test": 800}
    out = tmp_path / "data"
    meta = build(BuildRequest(SyntheticSpec("deduct", TINY, seed=9), counts, out, dedup=dedup, quiet=True))
    train = (out / "train.src").read_text().splitlines()
    valid = (out / "valid.src").read_text().splitlines()
    test = (out / "test.src").read_text().splitlines()
    assert not set(train) & (set(valid) | set(test))
    assert not set(test) & set(valid)

    # The expected result, computed independently from the unfiltered splits.
    def keep(rows: list[str], excluded: set[str]) -> tuple[list[str], int, int]:
        kept, seen, overlap, duplicate = [], set(), 0, 0
        for row in rows:
            if row in excluded:
                overlap += 1
            elif dedup and row in seen:
                duplicate += 1
            else:
                kept.append(row)
                seen.add(row)
        return kept, overlap, duplicate

    expected_valid, _, valid_dups = keep(unfiltered(tmp_path, "valid", 800, 9), set())
    expected_test, test_overlap, _ = keep(unfiltered(tmp_path, "test", 800, 9), set(expected_valid))
    expected_train, overlap, duplicate = keep(
        unfiltered(tmp_path, "train", 20_000, 9), set(expected_valid) | set(expected_test)
    )
    assert (valid, test, train) == (expected_valid, expected_test, expected_train)
    assert overlap > 0 and test_overlap > 0  # the configuration does produce collisions
    assert (duplicate > 0) == dedup and (valid_dups > 0) == dedup
    assert meta["splits"]["train"]["overlap"] == overlap
    assert meta["splits"]["train"]["duplicate"] == duplicate
    assert meta["counts"]["train"] == len(train)
    if dedup:
        assert len(set(train)) == len(train)


class Interrupt(Exception):
    pass


@pytest.mark.parametrize(("dedup", "workers"), [(False, 1), (True, 1), (True, 2)])
def test_an_interrupted_run_resumes_to_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      dedup: bool, workers: int) -> None:
    spec = SyntheticSpec("deduct", TINY, seed=4)
    counts = {"train": 60_000, "valid": 300}
    whole = tmp_path / "whole"
    build(BuildRequest(spec, counts, whole, dedup=dedup, formats=("text", "jsonl", "parquet"), quiet=True))

    monkeypatch.setattr(build_module, "CHECKPOINT_BLOCKS", 1)
    monkeypatch.setattr(build_module, "PARQUET_CHECKPOINT_BLOCKS", 2)
    original = build_module.BlockSource.write
    calls = {"n": 0}

    def failing_write(self, *args):  # stop in the middle of train, after a few checkpoints
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return original(self, *args)

    out = tmp_path / "resumed"
    request = BuildRequest(spec, counts, out, dedup=dedup, formats=("text", "jsonl", "parquet"), quiet=True,
                           workers=workers)
    monkeypatch.setattr(build_module.BlockSource, "write", failing_write)
    with pytest.raises(KeyboardInterrupt):
        build(request)
    assert not out.exists()
    partial = tmp_path / ".resumed.partial"
    assert (partial / "resume.json").exists()
    monkeypatch.setattr(build_module.BlockSource, "write", original)
    build(request)
    assert not partial.exists()
    for name in ("train.src", "train.tgt", "train.task", "train.jsonl", "valid.src"):
        assert read(out, name) == read(whole, name), name
    resumed = pq.read_table(sorted(out.glob("train-*.parquet")))
    assert resumed.equals(pq.read_table(sorted(whole.glob("train-*.parquet"))))


def test_meta_records_what_defines_the_dataset(tmp_path: Path) -> None:
    out = generate(tmp_path / "m", "--task", "deduct=2,abduct=1", "--train", "1000", "--test", "10", "--seed", "7",
                   "--vocab-size", "500", "--rule-math", "4..9")
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seed"] == 7
    assert meta["task"] == "deduct=0.666667,abduct=0.333333"
    assert meta["config"]["vocab_size"] == 500 and meta["config"]["rule_math"] == "4..9"
    assert meta["counts"] == {"test": 10, "train": 1000}
    assert sum(meta["splits"]["train"]["tasks"].values()) == 1000
    assert meta["version"] and meta["formats"] == ["text"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["meta.json", "train.src", "train.tgt", "train.task", "test.src", "test.tgt", "test.task"]
    )
