"""The Python API: a registry, a finite seeded function, an endless (shardable) stream."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from lime_reasoning import tasks
from lime_reasoning.cli import main
from lime_reasoning.datasets.synthetic import BLOCK_SIZE, Example, examples, stream
from lime_reasoning.errors import LimeError


def test_registry_lists_every_task() -> None:
    assert tasks.names() == [
        "deduct", "abduct", "induct", "induct_v2", "induct_v3", "induct_hard", "induct_v2_double",
        "rewrite", "induct_rewrite", "rewrite_multistep_hard", "rewrite_multistep_easy", "set", "identity",
    ]
    assert tasks.get("deduct").summary == "Rule, Case -> Result"
    with pytest.raises(LimeError, match="unknown task 'nope'"):
        tasks.get("nope")


def test_examples_are_the_train_split_of_generate(tmp_path: Path) -> None:
    out = tmp_path / "d"
    assert main(["generate", "--task", "mixed", "--train", "1234", "--seed", "5", "--out", str(out), "--quiet"]) == 0
    rows = list(examples("mixed", 1234, seed=5))
    assert all(isinstance(row, Example) for row in rows)
    files = [(out / f"train.{c}").read_text().splitlines() for c in ("src", "tgt", "task")]
    assert rows == [Example(*row) for row in zip(*files)]


def test_a_shorter_run_is_a_prefix_of_a_longer_one() -> None:
    assert list(examples("rewrite", 100, seed=1)) == list(examples("rewrite", 9000, seed=1))[:100]


def test_stream_continues_the_examples_and_shards_split_the_blocks() -> None:
    first = list(examples("deduct", 2 * BLOCK_SIZE, seed=3))
    assert list(islice(stream("deduct", seed=3), 2 * BLOCK_SIZE)) == first
    rank0 = list(islice(stream("deduct", seed=3, shard=(0, 2)), BLOCK_SIZE))
    rank1 = list(islice(stream("deduct", seed=3, shard=(1, 2)), BLOCK_SIZE))
    assert rank0 == first[:BLOCK_SIZE] and rank1 == first[BLOCK_SIZE:]
    with pytest.raises(LimeError, match="rank 2 is not in 0..1"):
        next(stream("deduct", seed=3, shard=(2, 2)))
