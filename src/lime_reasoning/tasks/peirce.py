"""Deduct, Induct, Abduct and the induct variants: one Rule, one or two Cases, their Results.

Per example (reference distribution): draw k rule symbols' worth of slots (k uniform in
``rule_symbols``), 2k slot occurrences with replacement from the first k rule symbols, m math symbols
with replacement (m uniform in ``rule_math``), all shuffled: that is the Rule. A Case maps every rule
symbol used to a string of ``case_length`` tokens drawn from the case and math symbols; the Result is
the Rule with each rule symbol replaced by its string. Rule symbols are listed (header and Case) in
role order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lime_reasoning.ragged import Padded, Ragged, segment_positions
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.layout import Layout, TaskBatch, assemble
from lime_reasoning.tasks.sampling import random_positions, uniform_below
from lime_reasoning.tasks.tokens import Markers, Roles, header

LAYOUTS: dict[str, Layout] = {
    "deduct": Layout(("rule", "case"), ("result",)),
    "abduct": Layout(("rule", "result"), ("case",)),
    "induct": Layout(("result", "case"), ("rule",)),
    "induct_v2": Layout(("result",), ("case", "rule")),
    "induct_v3": Layout(("result", "result2"), ("rule",)),
    "induct_hard": Layout(("result",), ("rule",)),
    "induct_v2_double": Layout(("result", "result2"), ("case", "case2", "rule")),
}


@dataclass(frozen=True)
class Rule:
    tokens: np.ndarray  # (n, width) token ids
    slots: np.ndarray  # (n, width) rule-symbol slot of each position, -1 for math symbols
    mask: np.ndarray  # (n, width) valid positions
    used: np.ndarray  # (n, max k) which rule symbols occur


def draw_rule(rng: np.random.Generator, roles: Roles, config: TaskConfig) -> Rule:
    n = len(roles.upper)
    k_max = config.rule_symbols.high
    k = rng.integers(config.rule_symbols.low, k_max + 1, size=n)
    m = rng.integers(config.rule_math.low, config.rule_math.high + 1, size=n)
    lengths = 2 * k + m
    width = 2 * k_max + config.rule_math.high
    is_slot = random_positions(rng, 2 * k, lengths, width)
    slots = np.where(is_slot, uniform_below(rng, k, (n, width)), -1)
    math_index = rng.integers(0, config.math, size=(n, width))
    column = np.where(is_slot, slots, roles.math_offset + math_index)
    tokens = np.take_along_axis(roles.symbols, column, axis=1)
    mask = np.arange(width)[None, :] < lengths[:, None]
    # One scatter marks every rule symbol used; math positions land in a spare column.
    used = np.zeros(n * (k_max + 1), dtype=bool)
    used[(np.arange(n) * (k_max + 1))[:, None] + np.where(is_slot, slots, k_max)] = True
    return Rule(tokens, slots, mask, used.reshape(n, k_max + 1)[:, :k_max])


@dataclass(frozen=True)
class Case:
    strings: np.ndarray  # (n, max k, max length) token ids of each rule symbol's string
    lengths: np.ndarray  # (n, max k)


def draw_case(rng: np.random.Generator, roles: Roles, config: TaskConfig) -> Case:
    n = len(roles.upper)
    k_max, c_max = config.rule_symbols.high, config.case_length.high
    lengths = rng.integers(config.case_length.low, c_max + 1, size=(n, k_max))
    picks = rng.integers(0, roles.case_pool.shape[1], size=(n, k_max * c_max))
    strings = np.take_along_axis(roles.case_pool, picks, axis=1).reshape(n, k_max, c_max)
    return Case(strings, lengths)


def serialise_case(case: Case, rule: Rule, roles: Roles, markers: Markers) -> Padded:
    """``A : [ x y ] , B : [ z ]`` for every rule symbol used, in role order."""
    n, k_max, c_max = case.strings.shape
    used = rule.used
    last_used = k_max - 1 - np.argmax(used[:, ::-1], axis=1)

    def const(token: int) -> np.ndarray:
        return np.full((n, k_max, 1), token, dtype=np.int32)

    matrix = np.concatenate(
        [
            roles.upper[:, :k_max, None],
            const(markers.colon),
            const(markers.open),
            case.strings,
            const(markers.close),
            const(markers.comma),
        ],
        axis=2,
    )
    in_string = np.arange(c_max)[None, None, :] < case.lengths[:, :, None]
    not_last = np.arange(k_max)[None, :] != last_used[:, None]
    mask = np.concatenate(
        [
            np.repeat(used[:, :, None], 3, axis=2),
            in_string & used[:, :, None],
            used[:, :, None],
            (used & not_last)[:, :, None],
        ],
        axis=2,
    )
    width = k_max * (c_max + 5)
    return Padded(matrix.reshape(n, width), mask.reshape(n, width))


def substitute(rule: Rule, case: Case) -> Ragged:
    """The Result: each rule symbol of the Rule replaced by its Case string.

    Works on the flat list of rule tokens: each expands to its string (or stays one math token).
    """
    n, k_max, c_max = case.strings.shape
    tokens, slots = rule.tokens[rule.mask], rule.slots[rule.mask]
    rows = np.repeat(np.arange(n), rule.mask.sum(axis=1))
    is_slot = slots >= 0
    string_index = rows * k_max + np.maximum(slots, 0)
    expansion = np.where(is_slot, case.lengths.reshape(-1)[string_index], 1)
    source = np.repeat(np.arange(len(tokens)), expansion)
    within = segment_positions(expansion)
    flat_strings = case.strings.reshape(-1)
    values = np.where(
        is_slot[source], flat_strings[string_index[source] * c_max + within], tokens[source]
    ).astype(np.int32)
    lengths = np.bincount(rows, weights=expansion, minlength=n).astype(np.int64)
    return Ragged.from_lengths(values, lengths)


def generate(name: str, rng: np.random.Generator, n: int, config: TaskConfig) -> TaskBatch:
    """``n`` examples of the Peirce task ``name`` (a key of :data:`LAYOUTS`)."""
    layout = LAYOUTS[name]
    markers = Markers(config.vocab_size)
    roles = Roles.draw(rng, n, config, upper_needed=config.rule_symbols.high)
    rule = draw_rule(rng, roles, config)
    parts = {"rule": Padded(rule.tokens, rule.mask)}
    needed = set(layout.source) | set(layout.target)
    for suffix in ("", "2"):
        if {"case" + suffix, "result" + suffix} & needed:
            case = draw_case(rng, roles, config)
            if "case" + suffix in needed:
                parts["case" + suffix] = serialise_case(case, rule, roles, markers)
            if "result" + suffix in needed:
                parts["result" + suffix] = substitute(rule, case)
    top = header(roles, rule.used, markers) if config.header else None
    return assemble(layout, parts, top, markers)
