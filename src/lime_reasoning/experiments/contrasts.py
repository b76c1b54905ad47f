"""The pre-registered primary contrast and the secondary ones, from the finished cells.

The primary contrast (the preset's ``primary``: one arm against one baseline, one metric on one test
subset) gets the paired t over seeds, a hierarchical bootstrap (seeds, then theorems) and a power
analysis. Every other comparison is secondary: each arm against the primary baseline, and the primary
arm against the compute-matched ``scratch_long`` and the ``param_stats`` control; their p-values are
Holm-corrected as one family. A secondary arm with fewer seeds than the primary is exploratory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from lime_reasoning.experiments.arms import PARAM_STATS, SCRATCH_LONG
from lime_reasoning.experiments.outcomes import Outcomes
from lime_reasoning.experiments.statistics import (ClusterOutcomes, hierarchical_bootstrap, holm, paired_difference,
                                                   power_analysis)

BOOTSTRAP_DRAWS = 10_000


def _values(outcomes: dict[tuple[str, int], Outcomes], arm: str, key: str) -> dict[int, float]:
    return {seed: o.rates[key] for (name, seed), o in outcomes.items() if name == arm and key in o.rates}


def _clustered(arm: Outcomes, baseline: Outcomes, metric: str, subset: str) -> ClusterOutcomes | None:
    """One seed's examples of ``subset``, aligned (the arms of a seed share its split and its file order)."""
    keep = [i for i, novel in enumerate(arm.novel) if subset == "all" or novel == (subset == "novel")]
    if not keep or arm.theorems != baseline.theorems:
        return None
    return ClusterOutcomes([arm.theorems[i] for i in keep], [int(arm.hits[metric][i]) for i in keep],
                           [int(baseline.hits[metric][i]) for i in keep])


def primary_contrast(primary: dict[str, Any], outcomes: dict[tuple[str, int], Outcomes]) -> dict[str, Any] | None:
    """Paired t, hierarchical bootstrap and power for ``primary`` (the preset's, as a dict); None without pairs."""
    arm, baseline, metric, subset = primary["arm"], primary["baseline"], primary["metric"], primary["subset"]
    key = f"{subset}/{metric}"
    mine, theirs = _values(outcomes, arm, key), _values(outcomes, baseline, key)
    difference = paired_difference(mine, theirs)
    if difference is None:
        return None
    seeds = sorted(set(mine) & set(theirs))
    clustered = {seed: _clustered(outcomes[(arm, seed)], outcomes[(baseline, seed)], metric, subset) for seed in seeds}
    usable = {seed: c for seed, c in clustered.items() if c is not None}
    bootstrap = hierarchical_bootstrap(usable, BOOTSTRAP_DRAWS, seed=0) if usable else None
    power = power_analysis([mine[s] - theirs[s] for s in seeds], primary["effect"])
    return {**primary, "key": key, "seeds": seeds, "paired": asdict(difference),
            "bootstrap": asdict(bootstrap) if bootstrap else None, "power": asdict(power) if power else None}


def secondary_contrasts(primary: dict[str, Any], arms: Sequence[str],
                        outcomes: dict[tuple[str, int], Outcomes]) -> list[dict[str, Any]]:
    """Every other arm against the primary baseline, and the primary arm against the controls; Holm-corrected."""
    arm, baseline, key = primary["arm"], primary["baseline"], f"{primary['subset']}/{primary['metric']}"
    pairs = [(other, baseline) for other in arms if other not in (arm, baseline)]
    pairs += [(arm, control) for control in (SCRATCH_LONG, PARAM_STATS) if control in arms and control != baseline]
    rows = []
    for first, second in pairs:
        difference = paired_difference(_values(outcomes, first, key), _values(outcomes, second, key))
        if difference is not None:
            rows.append({"arm": first, "baseline": second, "key": key, "paired": asdict(difference),
                         "exploratory": difference.n < primary["seeds"]})
    tested = {f"{r['arm']} - {r['baseline']}": r["paired"]["p_value"] for r in rows if r["paired"]["p_value"] is not None}
    adjusted = holm(tested)
    for row in rows:
        row["p_holm"] = adjusted.get(f"{row['arm']} - {row['baseline']}")
    return rows
