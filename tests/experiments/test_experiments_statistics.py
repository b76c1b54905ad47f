"""Mean ± std over seeds, the paired difference from scratch, the hierarchical bootstrap, Holm and power,
against values worked out by hand or computed independently here."""

from __future__ import annotations

import json
import math
from dataclasses import asdict

import numpy as np
import pytest
from scipy import stats

from lime_reasoning.errors import LimeError
from lime_reasoning.experiments.statistics import (
    ClusterOutcomes,
    Difference,
    Spread,
    hierarchical_bootstrap,
    holm,
    paired_difference,
    power_analysis,
    spread,
)

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


# --- p-value of the paired t ---


def test_the_p_value_is_the_two_sided_t_tail() -> None:
    # differences 1, 2, 3: mean 2, sd 1, t = 2 / (1 / sqrt 3) = 2 sqrt 3 on 2 degrees of freedom. For 2 degrees of
    # freedom P(T > t) = (1 - t / sqrt(2 + t^2)) / 2, so p = 1 - sqrt(12 / 14) = 1 - sqrt(6 / 7).
    result = paired_difference({0: 2.0, 1: 4.0, 2: 6.0}, {0: 1.0, 1: 2.0, 2: 3.0})
    assert result.p_value == pytest.approx(2 * stats.t.sf(2 * math.sqrt(3), 2), rel=1e-12)
    assert result.p_value == pytest.approx(1 - math.sqrt(6 / 7), rel=1e-12) == pytest.approx(0.0741799, abs=1e-7)


def test_the_p_value_of_five_seeds_and_its_sign_symmetry() -> None:
    # differences 0.1, -0.1, 0.2, 0.0, 0.3: mean 0.1, sd sqrt(0.025), t = 0.1 / sqrt(0.025 / 5) = sqrt 2, 4 d.o.f.
    baseline = {s: 0.5 for s in range(5)}
    arm = {0: 0.6, 1: 0.4, 2: 0.7, 3: 0.5, 4: 0.8}
    expected = 2 * stats.t.sf(math.sqrt(2), 4)
    assert paired_difference(arm, baseline).p_value == pytest.approx(expected, rel=1e-9)
    assert paired_difference(baseline, arm).p_value == pytest.approx(expected, rel=1e-9)  # two-sided


def test_the_p_value_without_spread() -> None:
    """Equal differences on every seed: t is infinite (p = 0), or 0 / 0 for no difference at all (p = 1)."""
    assert paired_difference({0: 0.75, 1: 0.5}, {0: 0.5, 1: 0.25}).p_value == 0.0  # 0.25 twice, exactly
    assert paired_difference({0: 0.5, 1: 0.25}, {0: 0.5, 1: 0.25}).p_value == 1.0


def test_one_seed_has_no_p_value() -> None:
    assert paired_difference({0: 0.5}, {0: 0.25}).p_value is None


def test_a_difference_reads_back_from_json_with_or_without_a_p_value() -> None:
    result = paired_difference({0: 2.0, 1: 4.0, 2: 6.0}, {0: 1.0, 1: 2.0, 2: 3.0})
    assert Difference(**json.loads(json.dumps(asdict(result)))) == result
    written_before_p_values = json.loads('{"mean": 0.1, "low": -0.2, "high": 0.4, "n": 3}')
    assert Difference(**written_before_p_values).p_value is None


# --- Holm ---


def test_holm_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1: 0.03, 0.06, 0.04 -> running maximum 0.03, 0.06, 0.06
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    assert list(adjusted) == ["a", "b", "c"]
    assert adjusted == {"a": pytest.approx(0.03, rel=1e-12), "b": pytest.approx(0.06, rel=1e-12),
                        "c": pytest.approx(0.06, rel=1e-12)}


def test_holm_caps_at_one() -> None:
    # sorted 0.02, 0.5, 0.6 times 3, 2, 1: 0.06, 1.0, 0.6 -> running maximum 0.06, 1.0, 1.0
    assert holm({"x": 0.5, "y": 0.6, "z": 0.02}) == {"x": pytest.approx(1.0), "y": pytest.approx(1.0),
                                                     "z": pytest.approx(0.06, rel=1e-12)}
    assert holm({"x": 0.7, "y": 0.8}) == {"x": 1.0, "y": 1.0}  # 1.4 capped at 1, then max(1, 0.8)


def test_holm_of_one_or_none() -> None:
    assert holm({"only": 0.03}) == {"only": pytest.approx(0.03, rel=1e-12)}
    assert holm({}) == {}


# --- power ---

# differences 0.1, -0.1, 0.2, 0.0, 0.3: n 5, mean 0.1, sd sqrt(0.025) (worked out above)
FIVE = [0.1, -0.1, 0.2, 0.0, 0.3]
SD_FIVE = math.sqrt(0.025)


def reference_power(size: float, n: int, alpha: float = 0.05) -> float:
    """P(|T| > t(1 - alpha/2, n-1)), T noncentral t with noncentrality size * sqrt(n): fine for noncentrality < 7."""
    critical, noncentrality = stats.t.ppf(1 - alpha / 2, n - 1), size * math.sqrt(n)
    return stats.nct.sf(critical, n - 1, noncentrality) + stats.nct.cdf(-critical, n - 1, noncentrality)


def test_power_at_the_effect() -> None:
    result = power_analysis(FIVE, effect=0.1)
    assert (result.n, result.effect) == (5, 0.1)
    assert result.sd == pytest.approx(SD_FIVE, rel=1e-12)
    assert result.power_at_effect == pytest.approx(reference_power(0.1 / SD_FIVE, 5), rel=1e-9)


def test_seeds_needed_is_the_first_n_reaching_the_power() -> None:
    result = power_analysis(FIVE, effect=0.1)
    size = 0.1 / SD_FIVE
    first = next(n for n in range(2, 1000) if reference_power(size, n) >= 0.8)
    assert result.seeds_needed == first
    assert reference_power(size, first - 1) < 0.8 <= reference_power(size, first)


def test_the_minimum_detectable_difference_has_the_power() -> None:
    minimum = power_analysis(FIVE, effect=0.1).minimum_detectable
    assert reference_power(minimum / SD_FIVE, 5) == pytest.approx(0.8, abs=1e-9)
    # the root is found to 1e-12 sd: a relative step of 1e-6 either way crosses 0.8
    assert reference_power(minimum * (1 - 1e-6) / SD_FIVE, 5) < 0.8 < reference_power(minimum * (1 + 1e-6) / SD_FIVE, 5)


def test_alpha_and_the_target_power_are_parameters() -> None:
    result = power_analysis(FIVE, effect=0.1, alpha=0.1, power=0.9)
    size = 0.1 / SD_FIVE
    assert result.power_at_effect == pytest.approx(reference_power(size, 5, alpha=0.1), rel=1e-9)
    assert reference_power(result.minimum_detectable / SD_FIVE, 5, alpha=0.1) == pytest.approx(0.9, abs=1e-9)
    first = next(n for n in range(2, 1000) if reference_power(size, n, alpha=0.1) >= 0.9)
    assert result.seeds_needed == first


def test_power_is_two_sided() -> None:
    up, down = power_analysis(FIVE, effect=0.1), power_analysis(FIVE, effect=-0.1)
    assert down.effect == -0.1
    assert (down.power_at_effect, down.minimum_detectable, down.seeds_needed) == (
        pytest.approx(up.power_at_effect, rel=1e-12), pytest.approx(up.minimum_detectable, rel=1e-12), up.seeds_needed)


def test_two_seeds_by_simulation() -> None:
    """With two seeds the smallest detectable difference is ~11.5 sd (noncentrality ~16, where scipy's noncentral
    t cdf returns NaN): check its power by simulating the t test instead of with the distribution."""
    differences = [0.01, 0.03]  # sd sqrt(0.0002)
    result = power_analysis(differences, effect=0.05)
    sd = math.sqrt(0.0002)
    assert result.n == 2 and result.sd == pytest.approx(sd, rel=1e-12)
    samples = 200_000
    draws = np.random.default_rng(7).normal(result.minimum_detectable, sd, size=(samples, 2))
    t = draws.mean(axis=1) / (draws.std(axis=1, ddof=1) / math.sqrt(2))
    rejected = np.mean(np.abs(t) > stats.t.ppf(0.975, 1))
    assert rejected == pytest.approx(0.8, abs=5 * math.sqrt(0.8 * 0.2 / samples))  # 5 binomial standard errors


def test_a_large_effect_needs_the_fewest_seeds() -> None:
    result = power_analysis(FIVE, effect=100 * SD_FIVE)  # noncentrality ~224: power 1 to double precision
    assert result.power_at_effect == pytest.approx(1.0, abs=1e-12)
    assert result.seeds_needed == 2


def test_no_power_analysis_without_spread() -> None:
    assert power_analysis([0.1], effect=0.05) is None
    assert power_analysis([0.25, 0.25, 0.25], effect=0.05) is None


def test_power_analysis_rejects_bad_arguments() -> None:
    with pytest.raises(LimeError, match="nonzero effect"):
        power_analysis(FIVE, effect=0.0)
    with pytest.raises(LimeError, match="alpha"):
        power_analysis(FIVE, effect=0.1, alpha=0.9, power=0.8)
    with pytest.raises(LimeError, match="alpha"):
        power_analysis(FIVE, effect=0.1, power=1.0)


# --- hierarchical bootstrap ---

DRAWS = 10_000
# a statistic taking 0, 1/2 and 1 with probabilities 1/4, 1/2, 1/4: 5 binomial standard errors of a 1/4 frequency
TOLERANCE = 5 * math.sqrt(0.25 * 0.75 / DRAWS)


def assert_quarter_half_quarter(seeds: dict[int, ClusterOutcomes], middle: float) -> None:
    """The draws take 0, `middle`, 1 with frequencies 1/4, 1/2, 1/4 within TOLERANCE, probed through the percentiles.

    The quantile at q is 0 while q is below the frequency of 0, and 1 above 1 minus the frequency of 1; so at
    q = 1/4 - TOLERANCE the interval must still be [0, 1], and at q = 1/4 + TOLERANCE it must be [middle, middle].
    """
    wide = hierarchical_bootstrap(seeds, draws=DRAWS, level=1 - 2 * (0.25 - TOLERANCE))
    narrow = hierarchical_bootstrap(seeds, draws=DRAWS, level=1 - 2 * (0.25 + TOLERANCE))
    assert (wide.low, wide.high) == (0.0, 1.0)
    assert (narrow.low, narrow.high) == (pytest.approx(middle, rel=1e-12), pytest.approx(middle, rel=1e-12))


def test_two_clusters_of_one_example() -> None:
    # per-cluster differences 1 and 0: the drawn pair is aa (1), ab or ba (1/2) or bb (0)
    seeds = {0: ClusterOutcomes(["a", "b"], [1, 0], [0, 0])}
    result = hierarchical_bootstrap(seeds, draws=DRAWS)
    assert (result.observed, result.low, result.high, result.draws) == (0.5, 0.0, 1.0, DRAWS)
    assert_quarter_half_quarter(seeds, middle=0.5)


def test_clusters_are_pooled_by_example() -> None:
    """Cluster a has two examples (both gained), b one (no change): ab has 2 of 3 examples gained, not (1 + 0) / 2."""
    seeds = {0: ClusterOutcomes(["a", "b", "a"], [1, 1, 1], [0, 1, 0])}
    result = hierarchical_bootstrap(seeds, draws=DRAWS)
    assert result.observed == pytest.approx(2 / 3, rel=1e-12)
    assert (result.low, result.high) == (0.0, 1.0)  # aa: 4 of 4, bb: 0 of 1
    assert_quarter_half_quarter(seeds, middle=2 / 3)


def test_seeds_are_resampled() -> None:
    # one cluster per seed, so only the seeds vary: differences 1 and 0, drawn as a pair like the clusters above
    seeds = {3: ClusterOutcomes(["t"], [1], [0]), 8: ClusterOutcomes(["t"], [1], [1])}
    assert hierarchical_bootstrap(seeds, draws=DRAWS).observed == 0.5
    assert_quarter_half_quarter(seeds, middle=0.5)


def test_the_observed_difference_is_the_mean_over_seeds() -> None:
    # seed 0: 3 of 4 against 1 of 4 -> 0.5; seed 1: 2 of 10 against 1 of 10 -> 0.1; mean 0.3 (pooled would be 3/14)
    seeds = {0: ClusterOutcomes(["a", "a", "b", "c"], [1, 1, 1, 0], [1, 0, 0, 0]),
             1: ClusterOutcomes([f"t{i}" for i in range(10)], [1, 1] + [0] * 8, [0, 1] + [0] * 8)}
    assert hierarchical_bootstrap(seeds, draws=100).observed == pytest.approx(0.3, rel=1e-12)


def test_the_same_difference_everywhere_has_no_width() -> None:
    # every cluster of every seed: a quarter of its examples more correct with the arm (counts 4 and 8, so exact)
    four = ([1, 1, 0, 0], [1, 0, 0, 0])
    eight = ([1, 1, 1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0])

    def outcomes(*clusters: tuple[list[int], list[int]]) -> ClusterOutcomes:
        names = [f"c{i}" for i, (arm, _) in enumerate(clusters) for _ in arm]
        return ClusterOutcomes(names, [x for arm, _ in clusters for x in arm], [x for _, base in clusters for x in base])

    seeds = {0: outcomes(four, eight), 1: outcomes(eight), 2: outcomes(four, four, eight, four)}
    result = hierarchical_bootstrap(seeds, draws=2000)
    assert (result.observed, result.low, result.high, result.draws) == (0.25, 0.25, 0.25, 2000)


def random_seeds() -> dict[int, ClusterOutcomes]:
    rng = np.random.default_rng(11)
    seeds = {}
    for seed in range(3):
        clusters = np.repeat([f"thm{i}" for i in range(30)], rng.integers(1, 5, size=30))
        seeds[seed] = ClusterOutcomes(clusters, rng.integers(0, 2, len(clusters)), rng.integers(0, 2, len(clusters)))
    return seeds


def test_the_bootstrap_is_deterministic() -> None:
    seeds = random_seeds()
    first = hierarchical_bootstrap(seeds, draws=2000, seed=5)
    assert hierarchical_bootstrap(seeds, draws=2000, seed=5) == first
    assert hierarchical_bootstrap(dict(reversed(seeds.items())), draws=2000, seed=5) == first  # not by dict order
    other = hierarchical_bootstrap(seeds, draws=2000, seed=6)
    assert other.observed == first.observed and (other.low, other.high) != (first.low, first.high)


def test_the_interval_contains_the_observed_difference() -> None:
    result = hierarchical_bootstrap(random_seeds(), draws=2000)
    assert result.low < result.observed < result.high


def test_cluster_outcomes_are_read_only_arrays() -> None:
    arm = [True, False]
    outcomes = ClusterOutcomes(("a", "b"), arm, [0, 1])
    assert outcomes.arm.tolist() == [1, 0] and outcomes.clusters.tolist() == ["a", "b"]
    with pytest.raises(ValueError):
        outcomes.baseline[0] = 1
    assert arm == [True, False]


def test_bad_cluster_outcomes_are_rejected() -> None:
    with pytest.raises(LimeError, match="one cluster, arm and baseline outcome per example"):
        ClusterOutcomes(["a", "b"], [1], [0, 1])
    with pytest.raises(LimeError, match="one cluster, arm and baseline outcome per example"):
        ClusterOutcomes(["a"], [1], [[0]])
    with pytest.raises(LimeError, match="at least one example"):
        ClusterOutcomes([], [], [])
    with pytest.raises(LimeError, match="arm outcomes must be 0 or 1"):
        ClusterOutcomes(["a", "b"], [1, 2], [0, 1])
    with pytest.raises(LimeError, match="baseline outcomes must be 0 or 1"):
        ClusterOutcomes(["a"], [1], [0.5])


def test_bad_bootstrap_arguments_are_rejected() -> None:
    seeds = {0: ClusterOutcomes(["a"], [1], [0])}
    with pytest.raises(LimeError, match="at least one seed"):
        hierarchical_bootstrap({})
    with pytest.raises(LimeError, match="at least one draw"):
        hierarchical_bootstrap(seeds, draws=0)
    with pytest.raises(LimeError, match="confidence level"):
        hierarchical_bootstrap(seeds, level=1.0)
