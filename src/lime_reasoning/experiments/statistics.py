"""Summaries over seeds: mean ± std per arm, and each arm's paired difference from ``scratch``.

The arms of one seed share the downstream split and the fine-tuning seed, so the comparison with
``scratch`` is paired by seed: the difference d_s = arm_s - scratch_s, its mean, and a Student-t 95%
confidence interval mean ± t(0.975, n-1) * sd(d) / sqrt(n). With one seed there is no interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


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


def spread(values: Sequence[float]) -> Spread:
    """Mean and sample standard deviation (None for a single value)."""
    array = np.asarray(values, dtype=np.float64)
    std = float(array.std(ddof=1)) if len(array) > 1 else None
    return Spread(float(array.mean()), std, len(array))


def paired_difference(arm: Mapping[int, float], baseline: Mapping[int, float], level: float = 0.95) -> Difference | None:
    """Mean of arm - baseline over the seeds both have, with its t confidence interval."""
    seeds = sorted(set(arm) & set(baseline))
    if not seeds:
        return None
    differences = [arm[s] - baseline[s] for s in seeds]
    summary = spread(differences)
    if summary.std is None:
        return Difference(summary.mean, None, None, summary.n)
    half = float(stats.t.ppf(0.5 + level / 2, summary.n - 1)) * summary.std / math.sqrt(summary.n)
    return Difference(summary.mean, summary.mean - half, summary.mean + half, summary.n)
