"""Helpers shared by the synthetic-data tests: knobs for the checker, LIME.md's reference figures."""

from __future__ import annotations

import dataclasses

from synthetic_checker import Knobs

from lime_reasoning.tasks.config import IntRange, TaskConfig

# LIME.md, "Figures measured from the official generator": (source mean, target mean).
REFERENCE_MEANS: dict[str, tuple[float, float]] = {
    "deduct": (107.5, 52.0),
    "induct": (139.5, 20.0),
    "abduct": (124.6, 35.0),
    "induct_v2": (103.5, 56.0),
    "induct_v3": (156.5, 20.0),
    "rewrite": (121.4, 42.0),
    "induct_rewrite": (133.0, 30.6),
    "rewrite_multistep_hard": (133.9, 26.0),
    "rewrite_multistep_easy": (134.2, 76.4),
}

ALL_TASKS = [
    "deduct",
    "abduct",
    "induct",
    "induct_v2",
    "induct_v3",
    "induct_hard",
    "induct_v2_double",
    "rewrite",
    "induct_rewrite",
    "rewrite_multistep_hard",
    "rewrite_multistep_easy",
    "set",
    "identity",
]


def knobs(config: TaskConfig) -> Knobs:
    """The checker's view of a config (ranges as plain tuples)."""
    values = {}
    for field in dataclasses.fields(Knobs):
        value = getattr(config, field.name)
        values[field.name] = (value.low, value.high) if isinstance(value, IntRange) else value
    return Knobs(**values)
