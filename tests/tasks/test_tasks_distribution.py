"""Token-length distributions agree with the reference generator's figures (LIME.md), within 2%."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_support import REFERENCE_MEANS

from lime_reasoning.datasets.synthetic import examples

EXAMPLES = 24_576  # three blocks


@pytest.mark.parametrize("task", sorted(REFERENCE_MEANS))
def test_mean_lengths_match_the_reference(task: str) -> None:
    source, target = REFERENCE_MEANS[task]
    rows = list(examples(task, EXAMPLES, seed=2021))
    assert len(rows) == EXAMPLES
    source_mean = np.mean([len(row.src.split(" ")) for row in rows])
    target_mean = np.mean([len(row.tgt.split(" ")) for row in rows])
    assert abs(source_mean - source) / source < 0.02, source_mean
    assert abs(target_mean - target) / target < 0.02, target_mean


def test_symbol_roles_are_uniform_over_the_vocabulary() -> None:
    """Every id is equally likely in every role: first case symbol and first math symbol, chi-square."""
    counts = {"<LOWER>": np.zeros(1000), "<MATH>": np.zeros(1000)}
    for row in examples("deduct", 50_000, seed=4):
        tokens = row.src.split(" ")
        for marker, histogram in counts.items():
            histogram[int(tokens[tokens.index(marker) + 1])] += 1
    for histogram in counts.values():
        expected = histogram.sum() / 1000
        chi_square = ((histogram - expected) ** 2 / expected).sum()
        # 999 degrees of freedom: mean 999, standard deviation about 45; allow six deviations.
        assert chi_square < 999 + 6 * 45


def test_mixture_follows_its_weights() -> None:
    tasks = [row.task for row in examples("deduct=3,abduct=1", 40_000, seed=6)]
    share = tasks.count("deduct") / len(tasks)
    assert abs(share - 0.75) < 0.015
    assert set(tasks) == {"deduct", "abduct"}
