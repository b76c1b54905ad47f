"""The task knobs as one int64 array, the form the compiled kernels take them in.

Index constants are module globals, which numba treats as compile-time constants.
"""

from __future__ import annotations

import numpy as np

from lime_reasoning.tasks.config import IntRange, TaskConfig

(
    VOCAB,
    UPPER,
    LOWER,
    MATH,
    HEADER,
    RULE_SYMBOLS_LOW,
    RULE_SYMBOLS_HIGH,
    RULE_MATH_LOW,
    RULE_MATH_HIGH,
    CASE_LOW,
    CASE_HIGH,
    REWRITE_LENGTH_LOW,
    REWRITE_LENGTH_HIGH,
    REWRITE_WINDOW_LOW,
    REWRITE_WINDOW_HIGH,
    REWRITE_RHS_LOW,
    REWRITE_RHS_HIGH,
    MULTISTEP_LENGTH_LOW,
    MULTISTEP_LENGTH_HIGH,
    MULTISTEP_WINDOW_LOW,
    MULTISTEP_WINDOW_HIGH,
    MULTISTEP_RHS_LOW,
    MULTISTEP_RHS_HIGH,
    STEPS_LOW,
    STEPS_HIGH,
    SET_LENGTH_LOW,
    SET_LENGTH_HIGH,
    SET_ALPHABET_LOW,
    SET_ALPHABET_HIGH,
) = range(29)


def pack(config: TaskConfig) -> np.ndarray:
    """The kernels' view of a config (ranges become their two ends)."""
    values = [config.vocab_size, config.upper, config.lower, config.math, int(config.header)]
    for name in (
        "rule_symbols",
        "rule_math",
        "case_length",
        "rewrite_length",
        "rewrite_window",
        "rewrite_rhs",
        "multistep_length",
        "multistep_window",
        "multistep_rhs",
        "steps",
        "set_length",
        "set_alphabet",
    ):
        value: IntRange = getattr(config, name)
        values += [value.low, value.high]
    return np.array(values, dtype=np.int64)


def rounded_ratios(config: TaskConfig) -> np.ndarray:
    """round(ratio * n) for every n a string length can take, with Python's round-half-to-even."""
    longest = max(config.rewrite_length.high, config.multistep_length.high)
    return np.array([round(config.ratio * n) for n in range(longest + 1)], dtype=np.int64)
