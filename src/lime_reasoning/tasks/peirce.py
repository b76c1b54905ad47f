"""Deduct, Induct, Abduct and the induct variants: one Rule, one or two Cases, their Results.

Per example (the reference distribution): k uniform in ``rule_symbols``; 2k occurrences of the first
k rule symbols drawn with replacement and m math symbols (m uniform in ``rule_math``), all shuffled:
the Rule. A Case gives every rule symbol used a string of ``case_length`` tokens drawn from the case
and math symbols; the Result is the Rule with each rule symbol replaced by its string. Rule symbols
are listed (in the header and in a Case) in role order.

A layout says which parts form the source body and the target, each list joined by ``<space>``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from lime_reasoning.tasks import params as P
from lime_reasoning.tasks.primitives import SRC, TGT, below, between, emit, emit_header
from lime_reasoning.tasks.tokens import MARK_CLOSE, MARK_COLON, MARK_COMMA, MARK_OPEN, MARK_SPACE

RULE, CASE, RESULT, CASE2, RESULT2 = range(5)
PART_NAMES = ("rule", "case", "result", "case2", "result2")
NONE = -1

LAYOUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "deduct": (("rule", "case"), ("result",)),
    "abduct": (("rule", "result"), ("case",)),
    "induct": (("result", "case"), ("rule",)),
    "induct_v2": (("result",), ("case", "rule")),
    "induct_v3": (("result", "result2"), ("rule",)),
    "induct_hard": (("result",), ("rule",)),
    "induct_v2_double": (("result", "result2"), ("case", "case2", "rule")),
}
MAX_PARTS = 3


def layout_row(name: str) -> np.ndarray:
    """A layout as ``[source parts…, target parts…]``, each padded with -1 to :data:`MAX_PARTS`."""
    source, target = LAYOUTS[name]
    row = np.full(2 * MAX_PARTS, NONE, dtype=np.int64)
    row[: len(source)] = [PART_NAMES.index(p) for p in source]
    row[MAX_PARTS : MAX_PARTS + len(target)] = [PART_NAMES.index(p) for p in target]
    return row


def workspace(params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scratch arrays for one example (rule, used slots, case strings, their lengths), reused per block."""
    k_max, c_max = params[P.RULE_SYMBOLS_HIGH], params[P.CASE_HIGH]
    rule = np.empty(2 * k_max + params[P.RULE_MATH_HIGH], dtype=np.int64)
    used = np.zeros(k_max, dtype=np.int64)
    strings = np.empty((2, k_max, c_max), dtype=np.int64)
    lengths = np.zeros((2, k_max), dtype=np.int64)
    return rule, used, strings, lengths


@njit(cache=True)
def draw_rule(raw, state, params, symbols, upper_drawn, rule, used) -> int:
    """Fill ``rule`` (symbol ids; ``-(s+1)`` for rule symbol ``s``) and ``used``; return its length.

    Positions are assigned sequentially: a position holds a rule symbol with probability
    (rule symbols still to place) / (positions left), which is a uniformly random shuffle.
    """
    k = between(raw, state, params[P.RULE_SYMBOLS_LOW], params[P.RULE_SYMBOLS_HIGH])
    m = between(raw, state, params[P.RULE_MATH_LOW], params[P.RULE_MATH_HIGH])
    math_offset = upper_drawn + params[P.LOWER]
    length = 2 * k + m
    to_place = 2 * k
    used[:] = 0
    for position in range(length):
        if below(raw, state, length - position) < to_place:
            slot = below(raw, state, k)
            rule[position] = -(slot + 1)
            used[slot] = 1
            to_place -= 1
        else:
            rule[position] = symbols[math_offset + below(raw, state, params[P.MATH])]
    return length


@njit(cache=True)
def draw_case(raw, state, params, symbols, upper_drawn, used, strings, lengths, which) -> None:
    """A string for every rule symbol used, from the case and math symbols together."""
    pool = params[P.LOWER] + params[P.MATH]
    for slot in range(used.size):
        if used[slot]:
            size = between(raw, state, params[P.CASE_LOW], params[P.CASE_HIGH])
            lengths[which, slot] = size
            for t in range(size):
                strings[which, slot, t] = symbols[upper_drawn + below(raw, state, pool)]


@njit(cache=True)
def emit_rule(out, state, side, rule, length, symbols) -> None:
    for position in range(length):
        token = rule[position]
        emit(out, state, side, symbols[-token - 1] if token < 0 else token)


@njit(cache=True)
def emit_case(out, state, side, strings, lengths, which, used, symbols, vocab) -> None:
    """``A : [ x y ] , B : [ z ]`` in role order."""
    first = True
    for slot in range(used.size):
        if not used[slot]:
            continue
        if not first:
            emit(out, state, side, vocab + MARK_COMMA)
        first = False
        emit(out, state, side, symbols[slot])
        emit(out, state, side, vocab + MARK_COLON)
        emit(out, state, side, vocab + MARK_OPEN)
        for t in range(lengths[which, slot]):
            emit(out, state, side, strings[which, slot, t])
        emit(out, state, side, vocab + MARK_CLOSE)


@njit(cache=True)
def emit_result(out, state, side, rule, length, strings, lengths, which) -> None:
    """The Rule with every rule symbol replaced by its string."""
    for position in range(length):
        token = rule[position]
        if token < 0:
            slot = -token - 1
            for t in range(lengths[which, slot]):
                emit(out, state, side, strings[which, slot, t])
        else:
            emit(out, state, side, token)


@njit(cache=True)
def emit_part(out, state, side, part, rule, length, strings, lengths, used, symbols, vocab) -> None:
    if part == RULE:
        emit_rule(out, state, side, rule, length, symbols)
    elif part == CASE or part == CASE2:
        emit_case(out, state, side, strings, lengths, 0 if part == CASE else 1, used, symbols, vocab)
    else:
        emit_result(out, state, side, rule, length, strings, lengths, 0 if part == RESULT else 1)


@njit(cache=True)
def emit_parts(out, state, side, layout, offset, rule, length, strings, lengths, used, symbols, vocab) -> None:
    """The parts ``layout[offset : offset + MAX_PARTS]``, separated by ``<space>``."""
    for index in range(MAX_PARTS):
        part = layout[offset + index]
        if part == NONE:
            break
        if index:
            emit(out, state, side, vocab + MARK_SPACE)
        emit_part(out, state, side, part, rule, length, strings, lengths, used, symbols, vocab)


@njit(cache=True)
def generate(raw, state, params, layout, symbols, rule, used, strings, lengths, out) -> None:
    """One Peirce example: draw its parts, then write the header, the source body and the target."""
    vocab = params[P.VOCAB]
    upper_drawn = used.size
    length = draw_rule(raw, state, params, symbols, upper_drawn, rule, used)
    second = False
    for index in range(2 * MAX_PARTS):
        second |= layout[index] == CASE2 or layout[index] == RESULT2
    draw_case(raw, state, params, symbols, upper_drawn, used, strings, lengths, 0)
    if second:
        draw_case(raw, state, params, symbols, upper_drawn, used, strings, lengths, 1)
    if params[P.HEADER]:
        emit_header(out, state, symbols, used, vocab, params[P.LOWER], params[P.MATH])
    emit_parts(out, state, SRC, layout, 0, rule, length, strings, lengths, used, symbols, vocab)
    emit_parts(out, state, TGT, layout, MAX_PARTS, rule, length, strings, lengths, used, symbols, vocab)
