"""Summaries over seeds: mean ± std per arm, and each arm's paired difference from ``scratch``.

The arms of one seed share the downstream split and the fine-tuning seed, so the comparison with
``scratch`` is paired by seed: the difference d_s = arm_s - scratch_s, its mean, and a Student-t 95%
confidence interval mean ± t(0.975, n-1) * sd(d) / sqrt(n). With one seed there is no interval.

A few seeds say little about the test theorems, so :func:`hierarchical_bootstrap` also resamples
each seed's test examples by theorem; :func:`holm` corrects the p-values of several arms compared
with one baseline; :func:`power_analysis` says what the seeds could have detected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

from lime_reasoning.errors import LimeError


@dataclass(frozen=True)
class Spread:
    mean: float
    std: float | None
    n: int


@dataclass(frozen=True)
class Difference:
    mean: float
    low: float | None
    high: float | None
    n: int
    p_value: float | None = None  # two-sided paired t; the default reads results.json written before it existed


@dataclass(frozen=True, eq=False)  # numpy fields compare elementwise, so equality is identity
class ClusterOutcomes:
    """One seed's test examples, aligned: each one's cluster (its theorem) and whether arm and baseline got it.

    Any sequences are accepted; they are kept as read-only numpy arrays, the outcomes as 0/1 integers.
    """

    clusters: np.ndarray
    arm: np.ndarray
    baseline: np.ndarray

    def __post_init__(self) -> None:
        clusters, arm, baseline = (np.array(values) for values in (self.clusters, self.arm, self.baseline))
        if any(values.ndim != 1 for values in (clusters, arm, baseline)) or not len(clusters) == len(arm) == len(baseline):
            raise LimeError(f"cluster outcomes need one cluster, arm and baseline outcome per example; got shapes "
                            f"{clusters.shape}, {arm.shape} and {baseline.shape}")
        if not len(clusters):
            raise LimeError("cluster outcomes need at least one example")
        for name, values in (("arm", arm), ("baseline", baseline)):
            if not np.isin(values, (0, 1)).all():
                raise LimeError(f"{name} outcomes must be 0 or 1 (wrong or correct) per example")
        for name, values in (("clusters", clusters), ("arm", arm.astype(np.int64)), ("baseline", baseline.astype(np.int64))):
            values.setflags(write=False)
            object.__setattr__(self, name, values)


@dataclass(frozen=True)
class BootstrapInterval:
    observed: float  # mean over seeds of arm - baseline accuracy
    low: float
    high: float
    draws: int


@dataclass(frozen=True)
class Power:
    n: int
    sd: float
    effect: float
    power_at_effect: float
    minimum_detectable: float
    seeds_needed: int


def spread(values: Sequence[float]) -> Spread:
    """Mean and sample standard deviation (None for a single value)."""
    array = np.asarray(values, dtype=np.float64)
    std = float(array.std(ddof=1)) if len(array) > 1 else None
    return Spread(float(array.mean()), std, len(array))


def paired_difference(arm: Mapping[int, float], baseline: Mapping[int, float], level: float = 0.95) -> Difference | None:
    """Mean of arm - baseline over the seeds both have, with its t confidence interval and two-sided p-value.

    When every seed has the same difference the t statistic is ±inf (p = 0), or 0/0 for no difference
    at all, which is no evidence of one (p = 1).
    """
    seeds = sorted(set(arm) & set(baseline))
    if not seeds:
        return None
    differences = [arm[s] - baseline[s] for s in seeds]
    summary = spread(differences)
    if summary.std is None:
        return Difference(summary.mean, None, None, summary.n)
    error = summary.std / math.sqrt(summary.n)
    if error == 0:
        p_value = 1.0 if summary.mean == 0 else 0.0
    else:
        p_value = float(2 * stats.t.sf(abs(summary.mean) / error, summary.n - 1))
    half = float(stats.t.ppf(0.5 + level / 2, summary.n - 1)) * error
    return Difference(summary.mean, summary.mean - half, summary.mean + half, summary.n, p_value)


def _cluster_sums(outcomes: ClusterOutcomes) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster: arm-correct minus baseline-correct, and the number of examples."""
    _, cluster = np.unique(outcomes.clusters, return_inverse=True)
    return np.bincount(cluster, weights=outcomes.arm - outcomes.baseline), np.bincount(cluster)


def hierarchical_bootstrap(seeds: Mapping[int, ClusterOutcomes], draws: int = 10_000, seed: int = 0,
                           level: float = 0.95) -> BootstrapInterval:
    """Percentile interval of the mean over seeds of arm - baseline accuracy, resampling seeds, then theorems.

    The examples of one theorem are not independent, so each seed's are resampled by cluster; resampling
    the seeds as well puts the variation between fine-tuning runs into the interval too. Per draw, the seeds
    are drawn with replacement, then each drawn seed's clusters, and its accuracy difference is taken over
    the drawn clusters' examples.
    """
    if not seeds:
        raise LimeError("the hierarchical bootstrap needs at least one seed")
    if draws < 1:
        raise LimeError(f"the hierarchical bootstrap needs at least one draw, not {draws}")
    if not 0 < level < 1:
        raise LimeError(f"the confidence level must lie strictly between 0 and 1, not {level}")
    sums = [_cluster_sums(seeds[name]) for name in sorted(seeds)]  # sorted: the draws do not depend on dict order
    observed = float(np.mean([differences.sum() / counts.sum() for differences, counts in sums]))
    rng = np.random.default_rng(seed)
    drawn = rng.integers(len(sums), size=(draws, len(sums)))
    resampled = np.empty(drawn.shape)
    for index, (differences, counts) in enumerate(sums):
        where = drawn == index
        picks = rng.integers(len(counts), size=(int(where.sum()), len(counts)))
        resampled[where] = differences[picks].sum(axis=1) / counts[picks].sum(axis=1)
    low, high = np.quantile(resampled.mean(axis=1), [(1 - level) / 2, (1 + level) / 2])
    return BootstrapInterval(observed, float(low), float(high), draws)


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm-adjusted p-values: several arms against one baseline keep the family-wise error at alpha."""
    if not p_values:
        return {}
    adjusted = multipletests(list(p_values.values()), method="holm")[1]
    return {name: float(p) for name, p in zip(p_values, adjusted, strict=True)}


def _power(size: float, n: int, alpha: float) -> float:
    """Power of the two-sided one-sample t test at alpha for a true mean of `size` sd, with n observations.

    P(|T| > t(1 - alpha/2, n-1)) for T noncentral t with noncentrality size * sqrt(n), each tail as an
    upper tail (of +size and -size). Not statsmodels' TTestPower: it takes both tails from
    scipy.special.nctdtr, which is NaN in the far lower tail once the noncentrality passes about 8
    (scipy#25470), as it does for the smallest detectable effect with two seeds.
    """
    critical = stats.t.isf(alpha / 2, n - 1)
    return float(sum(stats.nct.sf(critical, n - 1, s * math.sqrt(n)) for s in (size, -size)))


def _first_reaching(power_at: Callable[[int], float], target: float) -> int:
    """The smallest n >= 2 with power_at(n) >= target, for power increasing in n: doubling, then bisection."""
    low, high = 1, 2  # low always falls short (n = 1 has no t test), high is the candidate
    while power_at(high) < target:
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if power_at(middle) >= target else (middle, high)
    return high


def power_analysis(differences: Sequence[float], effect: float, alpha: float = 0.05,
                   power: float = 0.8) -> Power | None:
    """What the paired t test over these seeds (two-sided, at alpha) can detect, and how many seeds `effect` needs.

    The per-seed differences give n and the sample sd; effects are in the differences' units, the power
    depends on them in sd units. None when n < 2, which has no sd, or sd == 0, where every seed agrees,
    the t statistic is infinite and any nonzero effect is detected with certainty.
    """
    if not 0 < alpha < power < 1:
        raise LimeError(f"power analysis needs 0 < alpha < power < 1, not alpha {alpha} and power {power}")
    if effect == 0:
        raise LimeError("power analysis needs a nonzero effect: no number of seeds detects a difference of 0")
    summary = spread(differences)
    if summary.std is None or summary.std == 0:
        return None
    size, upper = abs(effect) / summary.std, 1.0
    while _power(upper, summary.n, alpha) < power:  # bracket the root: at size 0 the power is alpha < power
        upper *= 2
    minimum = optimize.brentq(lambda s: _power(s, summary.n, alpha) - power, 0.0, upper, xtol=1e-12)
    return Power(summary.n, summary.std, effect, _power(size, summary.n, alpha), float(minimum) * summary.std,
                 _first_reaching(lambda n: _power(size, n, alpha), power))
