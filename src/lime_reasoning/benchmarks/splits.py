"""Seeded splits of groups (theorems, declarations, ...) into train / valid / test.

Splitting by group keeps every example of a group in one split, so nothing of a test group is seen in
training. Sizes are counts (``1000``) or fractions of the available groups (``0.05``, written with a
decimal point); the assignment is a pure function of (number of groups, sizes, seed).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lime_reasoning.errors import LimeError

Size = int | float


def parse_size(text: str) -> Size:
    """A split size from the command line: an integer count, or a fraction in (0, 1] with a decimal point."""
    try:
        if "." in text or "e" in text.lower():
            value = float(text)
            if not 0 <= value <= 1:
                raise ValueError
            return value
        count = int(text)
        if count < 0:
            raise ValueError
        return count
    except ValueError:
        raise ValueError(f"expected a count (35000) or a fraction between 0 and 1 (0.9), not {text!r}") from None


def resolve_sizes(available: int, requested: Mapping[str, Size], what: str = "theorems") -> dict[str, int]:
    """Counts per split; fractions are of ``available``. Too many requested is an error, not a silent cut."""
    counts = {name: round(size * available) if isinstance(size, float) else size for name, size in requested.items()}
    fractions = sum(size for size in requested.values() if isinstance(size, float))
    if fractions > 1 + 1e-9:
        raise LimeError(f"the split fractions add up to {fractions:g}, more than 1")
    total = sum(counts.values())
    if total > available:
        if fractions and all(isinstance(s, float) for s in requested.values()):
            # Rounding several fractions up can overshoot by one or two; take it from the largest split.
            largest = max(counts, key=counts.__getitem__)
            counts[largest] -= total - available
        else:
            asked = ", ".join(f"{name} {count:,}" for name, count in counts.items())
            raise LimeError(
                f"{asked} {what} requested but only {available:,} are available; "
                "pass smaller counts or fractions (e.g. --train 0.9 --valid 0.05 --test 0.05)"
            )
    return counts


def assign_splits(count: int, sizes: Mapping[str, int], seed: int) -> dict[str, np.ndarray]:
    """Sorted group indices of each split; the splits are filled in reverse order of ``sizes``
    (test first, then valid, then train), so the held-out sets do not change when train shrinks."""
    order = np.random.default_rng(seed).permutation(count)
    chosen: dict[str, np.ndarray] = {}
    start = 0
    for name in reversed(list(sizes)):
        chosen[name] = np.sort(order[start : start + sizes[name]])
        start += sizes[name]
    return {name: chosen[name] for name in sizes}
