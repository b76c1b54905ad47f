"""A tiny model learns 100 examples by heart: 100% exact match under beam search."""

from __future__ import annotations

import json
from pathlib import Path

from toy_runs import TINY

from lime_reasoning.cli import main


def test_tiny_model_overfits_100_examples(toy: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    status = main(["train", "--data", str(toy), "--out", str(run), *TINY, "--lr", "3e-3", "--warmup", "30",
                   "--max-tokens", "512", "--max-steps", "800", "--valid-every", "800", "--label-smoothing", "0"])
    assert status == 0
    out = tmp_path / "eval"
    assert main(["evaluate", "--model", str(run), "--data", str(toy), "--split", "train", "--beam", "2",
                 "--out", str(out)]) == 0
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    targets = (toy / "train.tgt").read_text().splitlines()
    assert len(rows) == 100
    assert [row["predictions"][0] for row in rows] == targets
