"""``--checker metamath`` accepts every gold MetaMathStep target and rejects altered ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from lime_reasoning.cli import main
from lime_reasoning.datasets import read_records
from lime_reasoning.errors import LimeError
from lime_reasoning.evaluation.checkers import resolve_checker
from lime_reasoning.metamath.source import DEBIAN_SETMM

pytestmark = pytest.mark.skipif(not DEBIAN_SETMM.is_file(), reason="needs Debian's set.mm (make system-deps)")


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mms") / "prop"
    assert main(["benchmark", "build", "metamathstep", "--upto", "ax-gen", "--train", "0.8", "--valid", "0.1",
                 "--test", "0.1", "--format", "text", "--out", str(out), "--quiet"]) == 0
    return out


def test_gold_targets_pass_and_altered_ones_fail(steps: Path) -> None:
    check = resolve_checker("metamath", steps, "test")
    records = read_records(steps, "test")
    assert all(check(r["src"], r["tgt"]) for r in records)
    # A step proves exactly its own goal: the gold step of a different goal must be rejected.
    goal = [r["src"].split(" $e ")[0] for r in records]
    pairs = [(a, b) for a, b, goal_a, goal_b in zip(records, records[1:], goal, goal[1:]) if goal_a != goal_b]
    assert pairs and not any(check(a["src"], b["tgt"]) for a, b in pairs)


def test_not_a_metamath_dataset(tmp_path: Path) -> None:
    (tmp_path / "test.src").write_text("a\n")
    (tmp_path / "test.tgt").write_text("b\n")
    with pytest.raises(LimeError, match="not a MetaMathStep dataset"):
        resolve_checker("metamath", tmp_path, "test")
