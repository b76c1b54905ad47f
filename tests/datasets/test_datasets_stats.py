"""`lime stats` reports counts and length distributions that match a direct count."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from lime_reasoning.cli import main


def nearest_rank(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[max(int(np.ceil(share * len(ordered))) - 1, 0)]


@pytest.mark.parametrize("fmt", ["text", "parquet"])
def test_stats_match_a_direct_count(tmp_path: Path, capsys: pytest.CaptureFixture, fmt: str) -> None:
    out = tmp_path / "d"
    assert main(["generate", "--task", "mixed", "--train", "3000", "--valid", "200", "--out", str(out),
                 "--quiet", "--format", f"text,{fmt}" if fmt != "text" else "text"]) == 0
    capsys.readouterr()
    assert main(["stats", str(out), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    for split in ("train", "valid"):
        groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"src": [], "tgt": []})
        rows = zip(*((out / f"{split}.{c}").read_text().splitlines() for c in ("src", "tgt", "task")))
        for source, target, task in rows:
            for name in (task, "(all)"):
                groups[name]["src"].append(len(source.split()))
                groups[name]["tgt"].append(len(target.split()))
        assert set(stats[split]) == set(groups)
        for name, lengths in groups.items():
            entry = stats[split][name]
            assert entry["count"] == len(lengths["src"])
            for side in ("src", "tgt"):
                values = lengths[side]
                assert entry[side]["mean"] == pytest.approx(np.mean(values))
                assert entry[side]["max"] == max(values) and entry[side]["min"] == min(values)
                assert entry[side]["p50"] == nearest_rank(values, 0.5)
                assert entry[side]["p95"] == nearest_rank(values, 0.95)


def test_stats_table_and_bad_directory(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "d"
    assert main(["generate", "--task", "deduct", "--train", "100", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["stats", str(out)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["split", "task", "count"]
    assert table[2].split()[:3] == ["train", "(all)", "100"]
    assert main(["stats", str(tmp_path / "missing")]) == 2
    expected = f"lime: error: {tmp_path / 'missing'}: no dataset split found"
    assert capsys.readouterr().err.startswith(expected)
