"""Rewriting tasks (the LIME appendix): ``rewrite``, ``induct_rewrite`` and ``rewrite_multistep_*``.

A rewrite step picks a window of the current string (its length uniform in the window range, capped
at the string's length; its start uniform); every distinct case symbol in it becomes a rule variable
(the first rule symbols, in order of first occurrence), giving the rule's left side. The right side is
a shuffle of some math symbols and each variable once; the rewritten string replaces the window by the
right side with every variable instantiated back to its case symbol. A rule is written ``lhs -> rhs``.

``rewrite`` / ``induct_rewrite``: one step on a string of n case and round(ratio·n) math symbols.
``rewrite_multistep_*``: several steps on a string of n math and round(ratio·n) case symbols; the
source lists every rule, then the initial string; the target is the final string (hard) or every
intermediate string (easy). Unlike the reference, which crashes when a window is longer than the
current string, the window is capped at the string's length.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from lime_reasoning.tasks import params as P
from lime_reasoning.tasks.primitives import SRC, TGT, below, between, emit, emit_header
from lime_reasoning.tasks.tokens import MARK_ARROW, MARK_SPACE

REWRITE, INDUCT_REWRITE, MULTISTEP_HARD, MULTISTEP_EASY = range(4)
KINDS: dict[str, int] = {
    "rewrite": REWRITE,
    "induct_rewrite": INDUCT_REWRITE,
    "rewrite_multistep_hard": MULTISTEP_HARD,
    "rewrite_multistep_easy": MULTISTEP_EASY,
}


def workspace(params: np.ndarray, ratios: np.ndarray) -> tuple[np.ndarray, ...]:
    """Scratch arrays: two string buffers with case flags, the initial string, lhs, rhs, variables."""
    single = params[P.REWRITE_LENGTH_HIGH] + ratios[params[P.REWRITE_LENGTH_HIGH]] + params[P.REWRITE_RHS_HIGH]
    multi = (
        params[P.MULTISTEP_LENGTH_HIGH]
        + ratios[params[P.MULTISTEP_LENGTH_HIGH]]
        + params[P.STEPS_HIGH] * params[P.MULTISTEP_RHS_HIGH]
    )
    longest = int(max(single, multi)) + 1
    window = int(max(params[P.REWRITE_WINDOW_HIGH], params[P.MULTISTEP_WINDOW_HIGH]))
    rhs = int(max(params[P.REWRITE_RHS_HIGH], params[P.MULTISTEP_RHS_HIGH])) + window
    strings = np.empty((3, longest), dtype=np.int64)  # current, next, initial
    is_case = np.empty((3, longest), dtype=np.int64)
    lhs = np.empty(window, dtype=np.int64)
    rhs_tokens = np.empty(rhs, dtype=np.int64)
    symbol_of = np.empty(window, dtype=np.int64)
    shown = np.ones(int(params[P.UPPER]), dtype=np.int64)
    return strings, is_case, lhs, rhs_tokens, symbol_of, shown


@njit(cache=True)
def draw_string(raw, state, params, symbols, upper_drawn, case_count, math_count, tokens, is_case, row) -> int:
    """Case and math symbols drawn with replacement, in uniformly random order; returns the length."""
    length = case_count + math_count
    cases_left = case_count
    lower, math = params[P.LOWER], params[P.MATH]
    for position in range(length):
        if below(raw, state, length - position) < cases_left:
            tokens[row, position] = symbols[upper_drawn + below(raw, state, lower)]
            is_case[row, position] = 1
            cases_left -= 1
        else:
            tokens[row, position] = symbols[upper_drawn + lower + below(raw, state, math)]
            is_case[row, position] = 0
    return length


@njit(cache=True)
def rewrite_step(raw, state, params, symbols, upper_drawn, strings, is_case, length, window_low, window_high,
                 rhs_low, rhs_high, lhs, rhs, symbol_of) -> tuple[int, int, int, int]:
    """Rewrite ``strings[0]`` into ``strings[1]``; return (new length, lhs length, rhs length, variables).

    ``rhs`` holds symbol ids, or ``-(v+1)`` for variable ``v``.
    """
    size = between(raw, state, window_low, min(window_high, length))
    start = below(raw, state, length - size + 1)
    variables = 0
    for i in range(size):
        token = strings[0, start + i]
        if is_case[0, start + i]:
            variable = -1
            for j in range(variables):
                if symbol_of[j] == token:
                    variable = j
                    break
            if variable < 0:
                variable = variables
                symbol_of[variables] = token
                variables += 1
            lhs[i] = symbols[variable]
        else:
            lhs[i] = token
    rhs_length = between(raw, state, rhs_low, rhs_high) + variables
    # A uniformly random order of the items: variables 0..v-1, then math symbols (Fisher-Yates).
    for i in range(rhs_length):
        rhs[i] = i
    for i in range(rhs_length - 1, 0, -1):
        j = below(raw, state, i + 1)
        rhs[i], rhs[j] = rhs[j], rhs[i]
    math_offset = upper_drawn + params[P.LOWER]
    for i in range(rhs_length):
        item = rhs[i]
        rhs[i] = -(item + 1) if item < variables else symbols[math_offset + below(raw, state, params[P.MATH])]
    out = 0
    for i in range(start):
        strings[1, out], is_case[1, out] = strings[0, i], is_case[0, i]
        out += 1
    for i in range(rhs_length):
        item = rhs[i]
        strings[1, out] = symbol_of[-item - 1] if item < 0 else item
        is_case[1, out] = 1 if item < 0 else 0
        out += 1
    for i in range(start + size, length):
        strings[1, out], is_case[1, out] = strings[0, i], is_case[0, i]
        out += 1
    return out, size, rhs_length, variables


@njit(cache=True)
def emit_rule(out, state, side, lhs, lhs_length, rhs, rhs_length, symbols, vocab) -> None:
    for i in range(lhs_length):
        emit(out, state, side, lhs[i])
    emit(out, state, side, vocab + MARK_ARROW)
    for i in range(rhs_length):
        item = rhs[i]
        emit(out, state, side, symbols[-item - 1] if item < 0 else item)


@njit(cache=True)
def emit_string(out, state, side, strings, row, length) -> None:
    for i in range(length):
        emit(out, state, side, strings[row, i])


@njit(cache=True)
def advance(strings, is_case, length) -> None:
    """The rewritten string becomes the current one."""
    for i in range(length):
        strings[0, i], is_case[0, i] = strings[1, i], is_case[1, i]


@njit(cache=True)
def generate_single(raw, state, params, kind, symbols, ratios, strings, is_case, lhs, rhs, symbol_of, shown,
                    out) -> None:
    vocab, upper_drawn = params[P.VOCAB], shown.size
    cases = between(raw, state, params[P.REWRITE_LENGTH_LOW], params[P.REWRITE_LENGTH_HIGH])
    length = draw_string(raw, state, params, symbols, upper_drawn, cases, ratios[cases], strings, is_case, 0)
    new_length, lhs_length, rhs_length, variables = rewrite_step(
        raw, state, params, symbols, upper_drawn, strings, is_case, length, params[P.REWRITE_WINDOW_LOW],
        params[P.REWRITE_WINDOW_HIGH], params[P.REWRITE_RHS_LOW], params[P.REWRITE_RHS_HIGH], lhs, rhs, symbol_of,
    )
    if params[P.HEADER]:
        for slot in range(upper_drawn):
            shown[slot] = 1 if slot < variables else 0
        emit_header(out, state, symbols, shown, vocab, params[P.LOWER], params[P.MATH])
    if kind == REWRITE:
        emit_rule(out, state, SRC, lhs, lhs_length, rhs, rhs_length, symbols, vocab)
        emit(out, state, SRC, vocab + MARK_SPACE)
        emit_string(out, state, SRC, strings, 0, length)
        emit_string(out, state, TGT, strings, 1, new_length)
    else:
        emit_string(out, state, SRC, strings, 0, length)
        emit(out, state, SRC, vocab + MARK_SPACE)
        emit_string(out, state, SRC, strings, 1, new_length)
        emit_rule(out, state, TGT, lhs, lhs_length, rhs, rhs_length, symbols, vocab)


@njit(cache=True)
def generate_multistep(raw, state, params, kind, symbols, ratios, strings, is_case, lhs, rhs, symbol_of, shown,
                       out) -> None:
    """Rules go to the source as they are drawn; strings go to the target (every one, or the last)."""
    vocab, upper_drawn = params[P.VOCAB], shown.size
    maths = between(raw, state, params[P.MULTISTEP_LENGTH_LOW], params[P.MULTISTEP_LENGTH_HIGH])
    length = draw_string(raw, state, params, symbols, upper_drawn, ratios[maths], maths, strings, is_case, 0)
    initial = length
    for i in range(length):
        strings[2, i] = strings[0, i]
    steps = between(raw, state, params[P.STEPS_LOW], params[P.STEPS_HIGH])
    if params[P.HEADER]:
        emit_header(out, state, symbols, shown, vocab, params[P.LOWER], params[P.MATH])
    for step in range(steps):
        new_length, lhs_length, rhs_length, _ = rewrite_step(
            raw, state, params, symbols, upper_drawn, strings, is_case, length, params[P.MULTISTEP_WINDOW_LOW],
            params[P.MULTISTEP_WINDOW_HIGH], params[P.MULTISTEP_RHS_LOW], params[P.MULTISTEP_RHS_HIGH], lhs, rhs,
            symbol_of,
        )
        if step:
            emit(out, state, SRC, vocab + MARK_SPACE)
        emit_rule(out, state, SRC, lhs, lhs_length, rhs, rhs_length, symbols, vocab)
        if kind == MULTISTEP_EASY:
            if step:
                emit(out, state, TGT, vocab + MARK_SPACE)
            emit_string(out, state, TGT, strings, 1, new_length)
        advance(strings, is_case, new_length)
        length = new_length
    emit(out, state, SRC, vocab + MARK_SPACE)
    emit_string(out, state, SRC, strings, 2, initial)
    if kind == MULTISTEP_HARD:
        emit_string(out, state, TGT, strings, 0, length)
