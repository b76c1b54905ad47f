"""Rewriting tasks (the LIME appendix): ``rewrite``, ``induct_rewrite`` and ``rewrite_multistep_*``.

A rewrite step picks a window of the current string; every distinct case symbol in it becomes a rule
variable (the first rule symbols, in order of first occurrence), giving the rule's left side. The
right side is a shuffle of some math symbols and each variable once. The rewritten string replaces
the window by the right side with each variable instantiated back to its case symbol. The rule is
written ``lhs -> rhs``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lime_reasoning.ragged import Padded, Ragged, hstack
from lime_reasoning.tasks.config import IntRange, TaskConfig
from lime_reasoning.tasks.layout import Layout, TaskBatch, assemble
from lime_reasoning.tasks.sampling import random_positions, row_offsets, shuffled_items, uniform_below
from lime_reasoning.tasks.tokens import Markers, Roles, header

LAYOUTS: dict[str, Layout] = {
    "rewrite": Layout(("rule", "string"), ("rewritten",)),
    "induct_rewrite": Layout(("string", "rewritten"), ("rule",)),
}
MULTISTEP = ("rewrite_multistep_hard", "rewrite_multistep_easy")


@dataclass(frozen=True)
class Strings:
    """A batch of strings held left-aligned in a matrix, with which tokens are case symbols."""

    tokens: np.ndarray
    is_case: np.ndarray
    lengths: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        return np.arange(self.tokens.shape[1])[None, :] < self.lengths[:, None]

    def padded(self) -> Padded:
        return Padded(self.tokens, self.mask)

    def take(self, rows: np.ndarray) -> Strings:
        return Strings(self.tokens[rows], self.is_case[rows], self.lengths[rows])


def draw_string(
    rng: np.random.Generator, roles: Roles, case_counts: np.ndarray, math_counts: np.ndarray
) -> Strings:
    """Case and math symbols drawn with replacement, in uniformly random order."""
    n = len(case_counts)
    lengths = case_counts + math_counts
    width = int(lengths.max(initial=1))
    is_case = random_positions(rng, case_counts, lengths, width)
    lower = rng.integers(0, roles.lower_count, size=(n, width))
    math = roles.math_offset + rng.integers(0, roles.math.shape[1], size=(n, width))
    column = np.where(is_case, roles.upper_count + lower, math)
    tokens = np.take_along_axis(roles.symbols, column, axis=1)
    return Strings(tokens, is_case & (np.arange(width)[None, :] < lengths[:, None]), lengths)


def rounded(ratio: float, counts: np.ndarray) -> np.ndarray:
    """round(ratio * n) with Python's (and the reference's) round-half-to-even."""
    return np.round(ratio * counts).astype(np.int64)


@dataclass(frozen=True)
class Step:
    rule: Padded  # lhs -> rhs
    result: Strings  # the rewritten string
    variables: np.ndarray  # number of rule variables per row


def rewrite_step(
    rng: np.random.Generator, strings: Strings, roles: Roles, window: IntRange, rhs: IntRange, markers: Markers
) -> Step:
    """One rewrite of every string; the window never exceeds the string."""
    n = len(strings.lengths)
    rows = np.arange(n)
    longest = np.minimum(window.high, strings.lengths)
    size = window.low + uniform_below(rng, longest - window.low + 1, (n, 1))[:, 0]
    start = uniform_below(rng, strings.lengths - size + 1, (n, 1))[:, 0]
    w_max = int(size.max(initial=1))
    in_window = np.arange(w_max)[None, :] < size[:, None]
    columns = np.minimum(start[:, None] + np.arange(w_max)[None, :], strings.tokens.shape[1] - 1)
    tokens = np.take_along_axis(strings.tokens, columns, axis=1)
    is_case = np.take_along_axis(strings.is_case, columns, axis=1) & in_window

    # Variables: distinct case symbols in order of first occurrence.
    same = (tokens[:, :, None] == tokens[:, None, :]) & is_case[:, :, None] & is_case[:, None, :]
    first_equal = np.argmax(same, axis=2)  # earliest position holding the same case symbol
    is_first = is_case & (first_equal == np.arange(w_max)[None, :])
    number_at_first = np.cumsum(is_first, axis=1) - 1
    variable = np.take_along_axis(number_at_first, first_equal, axis=1)
    counts = is_first.sum(axis=1)
    lhs = np.where(is_case, np.take_along_axis(roles.upper, np.where(is_case, variable, 0), axis=1), tokens)

    v_max = int(counts.max(initial=0))
    symbol_of = np.zeros((n, v_max + 1), dtype=tokens.dtype)
    symbol_of.reshape(-1)[(row_offsets(n, v_max + 1) + np.where(is_first, number_at_first, v_max)).ravel()] = tokens.ravel()

    # Right side: some math symbols and every variable once, shuffled.
    math_count = rng.integers(rhs.low, rhs.high + 1, size=n)
    rhs_lengths = math_count + counts
    rhs_width = rhs.high + v_max
    items = shuffled_items(rng, rhs_lengths, rhs_width)
    is_variable = items < counts[:, None]
    math = np.take_along_axis(roles.math, rng.integers(0, roles.math.shape[1], size=(n, rhs_width)), axis=1)
    variable_item = np.where(is_variable, items, 0)
    rhs_tokens = np.where(is_variable, np.take_along_axis(roles.upper, variable_item, axis=1), math)
    instantiated = np.where(is_variable, symbol_of[rows[:, None], variable_item], math)
    rhs_mask = np.arange(rhs_width)[None, :] < rhs_lengths[:, None]

    rule = hstack([Padded(lhs, in_window), Padded.constant(markers.arrow, n), Padded(rhs_tokens, rhs_mask)])
    positions = np.arange(strings.tokens.shape[1])[None, :]
    before = positions < start[:, None]
    after = (positions >= (start + size)[:, None]) & strings.mask
    result = hstack([Padded(strings.tokens, before), Padded(instantiated, rhs_mask), Padded(strings.tokens, after)])
    result_case = hstack(
        [Padded(strings.is_case, before), Padded(is_variable & rhs_mask, rhs_mask), Padded(strings.is_case, after)]
    )
    return Step(rule, left_align(result, result_case), counts)


def left_align(tokens: Padded, is_case: Padded) -> Strings:
    """Compact padded rows to the left so the next step can index positions directly."""
    compact = tokens.compact()
    matrix, mask = compact.padded()
    case_matrix, _ = Ragged(is_case.matrix[tokens.mask], compact.starts, compact.lengths).padded()
    return Strings(matrix, case_matrix & mask, compact.lengths)


def generate_single(name: str, rng: np.random.Generator, n: int, config: TaskConfig) -> TaskBatch:
    """``rewrite`` or ``induct_rewrite``: one rule applied to a string of case and math symbols."""
    markers = Markers(config.vocab_size)
    roles = Roles.draw(rng, n, config, upper_needed=min(config.rewrite_window.high, config.lower))
    case_counts = rng.integers(config.rewrite_length.low, config.rewrite_length.high + 1, size=n)
    string = draw_string(rng, roles, case_counts, rounded(config.ratio, case_counts))
    step = rewrite_step(rng, string, roles, config.rewrite_window, config.rewrite_rhs, markers)
    parts = {"rule": step.rule, "string": string.padded(), "rewritten": step.result.padded()}
    shown = np.arange(roles.upper_count)[None, :] < step.variables[:, None]
    top = header(roles, shown, markers) if config.header else None
    return assemble(LAYOUTS[name], parts, top, markers)


def generate_multistep(name: str, rng: np.random.Generator, n: int, config: TaskConfig) -> TaskBatch:
    """Several rewrites in a row; the target is the final string (hard) or every string (easy)."""
    markers = Markers(config.vocab_size)
    roles = Roles.draw(rng, n, config, upper_needed=config.upper)
    math_counts = rng.integers(config.multistep_length.low, config.multistep_length.high + 1, size=n)
    initial = draw_string(rng, roles, rounded(config.ratio, math_counts), math_counts)
    steps = rng.integers(config.steps.low, config.steps.high + 1, size=n)
    current = initial
    rules: list[Padded] = []
    results: list[Padded] = []
    for index in range(config.steps.high):
        active = np.flatnonzero(steps > index)
        step = rewrite_step(
            rng, current.take(active), roles_subset(roles, active), config.multistep_window, config.multistep_rhs, markers
        )
        rules.append(scatter_rows(step.rule, active, n, markers.space, separator=index > 0))
        results.append(scatter_rows(step.result.padded(), active, n, markers.space, separator=index > 0))
        current = merge_strings(current, step.result, active)
    source = hstack(rules + [Padded.constant(markers.space, n), initial.padded()])
    if name == "rewrite_multistep_hard":
        target = current.padded()
    else:
        target = hstack(results)
    if config.header:
        source = hstack([header(roles, np.ones(roles.upper.shape, dtype=bool), markers), source])
    return TaskBatch(source.compact(), target.compact())


def roles_subset(roles: Roles, rows: np.ndarray) -> Roles:
    return Roles(roles.symbols[rows], roles.upper_count, roles.lower_count)


def scatter_rows(part: Padded, rows: np.ndarray, n: int, space: int, separator: bool) -> Padded:
    """A part computed for some rows, placed in a full batch (other rows empty), after a ``<space>``."""
    width = part.matrix.shape[1] + int(separator)
    matrix = np.zeros((n, width), dtype=part.matrix.dtype)
    mask = np.zeros((n, width), dtype=bool)
    if separator:
        matrix[rows, 0] = space
        mask[rows, 0] = True
    matrix[rows, int(separator) :] = part.matrix
    mask[rows, int(separator) :] = part.mask
    return Padded(matrix, mask)


def merge_strings(current: Strings, updated: Strings, rows: np.ndarray) -> Strings:
    """``current`` with the given rows replaced by ``updated``."""
    width = max(current.tokens.shape[1], updated.tokens.shape[1])
    tokens = np.zeros((len(current.lengths), width), dtype=current.tokens.dtype)
    is_case = np.zeros(tokens.shape, dtype=bool)
    tokens[:, : current.tokens.shape[1]] = current.tokens
    is_case[:, : current.is_case.shape[1]] = current.is_case
    tokens[rows, : updated.tokens.shape[1]] = updated.tokens
    is_case[rows] = False
    is_case[rows, : updated.is_case.shape[1]] = updated.is_case
    lengths = current.lengths.copy()
    lengths[rows] = updated.lengths
    return Strings(tokens, is_case, lengths)


def generate(name: str, rng: np.random.Generator, n: int, config: TaskConfig) -> TaskBatch:
    if name in MULTISTEP:
        return generate_multistep(name, rng, n, config)
    return generate_single(name, rng, n, config)

