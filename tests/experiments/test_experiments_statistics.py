"""Mean ± std over seeds and the paired difference from scratch, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from lime_reasoning.experiments.statistics import Difference, Spread, paired_difference, spread

# Student-t quantiles from tables: t(0.975, 1), t(0.975, 2), t(0.95, 2), t(0.975, 4)
T975_1, T975_2, T95_2, T975_4 = 12.706204736174707, 4.302652729911275, 2.919985580355516, 2.7764451051977987


def test_spread_of_three_values() -> None:
    result = spread([1.0, 2.0, 3.0])
    assert (result.mean, result.std, result.n) == (2.0, pytest.approx(1.0), 3)  # sample std: sqrt(2/2)


def test_spread_uses_the_sample_standard_deviation() -> None:
    # 0.2, 0.4: mean 0.3, deviations ±0.1, sum of squares 0.02 over n-1 = 1 -> sqrt(0.02)
    result = spread([0.2, 0.4])
    assert result.mean == pytest.approx(0.3)
    assert result.std == pytest.approx(math.sqrt(0.02)) == pytest.approx(0.1414213562)
    assert result.n == 2


def test_one_value_has_no_spread() -> None:
    assert spread([0.7]) == Spread(0.7, None, 1)


def test_paired_difference_has_a_t_interval() -> None:
    # differences 1, 2, 3: mean 2, sd 1, half-width t(0.975, 2) / sqrt(3)
    result = paired_difference({0: 2.0, 1: 4.0, 2: 6.0}, {0: 1.0, 1: 2.0, 2: 3.0})
    half = T975_2 / math.sqrt(3)
    assert result.n == 3 and result.mean == pytest.approx(2.0)
    assert result.low == pytest.approx(2.0 - half, rel=1e-9) and result.high == pytest.approx(2.0 + half, rel=1e-9)
    assert result.low == pytest.approx(-0.4842, abs=1e-4) and result.high == pytest.approx(4.4842, abs=1e-4)


def test_the_confidence_level_is_a_parameter() -> None:
    result = paired_difference({0: 2.0, 1: 4.0, 2: 6.0}, {0: 1.0, 1: 2.0, 2: 3.0}, level=0.90)
    half = T95_2 / math.sqrt(3)
    assert (result.low, result.high) == (pytest.approx(2.0 - half), pytest.approx(2.0 + half))


def test_the_difference_is_paired_not_two_sample() -> None:
    """A constant gain over very different seeds is certain when paired: the interval has no width."""
    baseline = {0: 0.1, 1: 0.5, 2: 0.9, 3: 0.3, 4: 0.7}
    arm = {seed: value + 0.05 for seed, value in baseline.items()}
    result = paired_difference(arm, baseline)
    assert result.n == 5
    assert result.mean == pytest.approx(0.05)
    assert result.low == pytest.approx(0.05) and result.high == pytest.approx(0.05)


def test_five_seeds() -> None:
    # differences 0.1, -0.1, 0.2, 0.0, 0.3: mean 0.1, squares of deviations .00+.04+.01+.01+.04 = .10, sd sqrt(.025)
    baseline = {s: 0.5 for s in range(5)}
    arm = {0: 0.6, 1: 0.4, 2: 0.7, 3: 0.5, 4: 0.8}
    result = paired_difference(arm, baseline)
    half = T975_4 * math.sqrt(0.025) / math.sqrt(5)
    assert result.mean == pytest.approx(0.1)
    assert (result.low, result.high) == (pytest.approx(0.1 - half), pytest.approx(0.1 + half))


def test_one_seed_has_no_interval() -> None:
    assert paired_difference({0: 0.5}, {0: 0.25}) == Difference(0.25, None, None, 1)


def test_only_the_seeds_both_have_are_paired() -> None:
    # common seeds 1 and 2: differences 0.3 and 0.0 -> mean 0.15, sd sqrt(0.045), half t(0.975,1) * 0.15
    arm = {0: 9.0, 1: 0.5, 2: 0.4, 5: -3.0}
    baseline = {1: 0.2, 2: 0.4, 3: 7.0}
    result = paired_difference(arm, baseline)
    assert result.n == 2 and result.mean == pytest.approx(0.15)
    assert result.low == pytest.approx(0.15 - T975_1 * 0.15) and result.high == pytest.approx(0.15 + T975_1 * 0.15)
    assert paired_difference({0: 0.5, 4: 0.1}, {1: 0.2}) is None
    assert paired_difference({3: 0.5, 4: 0.1}, {4: 0.3, 9: 0.0}) == Difference(pytest.approx(-0.2), None, None, 1)
