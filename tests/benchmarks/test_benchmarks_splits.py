"""Seeded splits by group."""

from __future__ import annotations

import numpy as np
import pytest

from lime_reasoning.benchmarks.splits import assign_splits, parse_size, resolve_sizes
from lime_reasoning.errors import LimeError


@pytest.mark.parametrize(("text", "value"), [("35000", 35000), ("0", 0), ("0.9", 0.9), ("1.0", 1.0), ("5e-2", 0.05)])
def test_parse_size(text, value):
    parsed = parse_size(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", ["-1", "1.5", "abc", "", "0.5.1"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError, match="expected a count"):
        parse_size(text)


def test_resolve_sizes():
    assert resolve_sizes(100, {"train": 80, "valid": 10, "test": 10}) == {"train": 80, "valid": 10, "test": 10}
    assert resolve_sizes(100, {"train": 0.8, "valid": 0.1, "test": 5}) == {"train": 80, "valid": 10, "test": 5}
    # Rounding gives 4 + 2 + 2 = 8 of 7 groups; the excess comes off the largest split.
    assert resolve_sizes(7, {"train": 0.5, "valid": 0.25, "test": 0.25}) == {"train": 3, "valid": 2, "test": 2}
    with pytest.raises(LimeError, match="train 35,000, valid 1,000, test 1,000 theorems requested but only 100"):
        resolve_sizes(100, {"train": 35000, "valid": 1000, "test": 1000})
    with pytest.raises(LimeError, match="add up to 1.2"):
        resolve_sizes(100, {"train": 0.8, "valid": 0.2, "test": 0.2})


def test_assign_splits_is_seeded_disjoint_and_sized():
    first = assign_splits(50, {"train": 30, "valid": 10, "test": 5}, seed=3)
    again = assign_splits(50, {"train": 30, "valid": 10, "test": 5}, seed=3)
    other = assign_splits(50, {"train": 30, "valid": 10, "test": 5}, seed=4)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert any(not np.array_equal(first[k], other[k]) for k in first)
    assert {k: len(v) for k, v in first.items()} == {"train": 30, "valid": 10, "test": 5}
    together = np.concatenate(list(first.values()))
    assert len(np.unique(together)) == 45
    assert all(np.all(np.diff(v) > 0) for v in first.values())
    # The held-out splits do not depend on how many training groups are asked for.
    smaller = assign_splits(50, {"train": 3, "valid": 10, "test": 5}, seed=3)
    assert np.array_equal(smaller["test"], first["test"]) and np.array_equal(smaller["valid"], first["valid"])
