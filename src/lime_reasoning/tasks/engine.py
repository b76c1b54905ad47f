"""Generate a block of examples of a task mixture: the compiled loop and its Python driver.

Every example's task is drawn first (by weight, from the block's generator); the kernel then draws
the example's symbol roles and writes its source and target lines. Output: the two texts as newline-
terminated byte buffers with each line's end, each example's task, and a hash of each source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from lime_reasoning.tasks import params as P
from lime_reasoning.tasks import peirce, rewrite, sequence
from lime_reasoning.tasks.buffers import Buffers
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.primitives import (
    FLAG,
    HASH_SEED,
    NEED_RAW,
    NEED_ROOM,
    RAW,
    SRC,
    SRC_TOKENS,
    STAMP,
    STATE_SIZE,
    TGT,
    draw_symbols,
    end_line,
    finish_hash,
)
from lime_reasoning.tasks.tokens import token_table

PEIRCE_KINDS = len(peirce.LAYOUTS)
WORDS_PER_EXAMPLE = 128  # random words drawn up front per example (a Peirce example takes about 115)


SEQUENCE_KINDS = PEIRCE_KINDS + len(rewrite.KINDS)


def kind_of(task: str) -> int:
    """Kernel code of a task: Peirce layouts first, then the rewriting tasks, then the controls."""
    if task in peirce.LAYOUTS:
        return list(peirce.LAYOUTS).index(task)
    if task in rewrite.KINDS:
        return PEIRCE_KINDS + rewrite.KINDS[task]
    return SEQUENCE_KINDS + sequence.KINDS[task]


def line_bounds(config: TaskConfig) -> tuple[int, int]:
    """Upper bounds on the tokens of any example's source and target line under ``config``."""
    header = 4 + config.upper + config.lower + config.math
    k, m, c = config.rule_symbols.high, config.rule_math.high, config.case_length.high
    part = max(2 * k + m, k * (c + 5), 2 * k * c + m)
    bounds = [(header + 2 * part + 1, 3 * part + 2)]
    n = config.rewrite_length.high
    string = n + round(config.ratio * n)
    window, rhs = config.rewrite_window.high, config.rewrite_rhs.high
    rule = 2 * window + 1 + rhs
    bounds.append((header + max(rule + 1 + string, 2 * string + 1 + rhs), max(string + rhs, rule)))
    n = config.multistep_length.high
    initial = n + round(config.ratio * n)
    steps, window, rhs = config.steps.high, config.multistep_window.high, config.multistep_rhs.high
    longest = initial + steps * rhs
    bounds.append((header + steps * (2 * window + 2 + rhs) + initial + 1, steps * (longest + 1)))
    bounds.append((config.set_length.high, config.set_length.high))
    return max(b[0] for b in bounds), max(b[1] for b in bounds)


@njit(cache=True)
def run(raw, state, choices, first, params, kinds, layouts, ratios, words, sizes, seen, src, tgt, src_ends, tgt_ends,
        hashes, room, peirce_space, rewrite_space) -> int:
    """Examples ``first..`` until done or out of raw words or output room; returns the next index.

    ``room`` holds the most bytes one example's source and target can take.
    """
    rule, used, strings, lengths = peirce_space
    r_strings, r_is_case, lhs, rhs, symbol_of, shown = rewrite_space
    line_hash = np.zeros(1, dtype=np.uint64)
    out = (src, tgt, words, sizes, line_hash)
    upper, lower, math = params[P.UPPER], params[P.LOWER], params[P.MATH]
    symbols = np.empty(max(upper + lower + math, params[P.SET_ALPHABET_HIGH]), dtype=np.int64)
    saved = np.empty(STATE_SIZE, dtype=np.int64)
    for example in range(first, choices.size):
        if src.size - state[SRC] < room[0] or tgt.size - state[TGT] < room[1]:
            state[FLAG] |= NEED_ROOM
            return example
        saved[:] = state
        line_hash[0] = HASH_SEED
        state[SRC_TOKENS] = 0
        entry = choices[example]
        kind = kinds[entry]
        if kind >= SEQUENCE_KINDS:
            sequence.generate(raw, state, params, kind - SEQUENCE_KINDS, seen, symbols, out)
        else:
            drawn = used.size if kind < PEIRCE_KINDS else rewrite_upper(params, kind - PEIRCE_KINDS)
            draw_symbols(raw, state, params[P.VOCAB], drawn + lower + math, seen, symbols)
            if kind < PEIRCE_KINDS:
                peirce.generate(raw, state, params, layouts[entry], symbols, rule, used, strings, lengths, out)
            elif kind - PEIRCE_KINDS <= rewrite.INDUCT_REWRITE:
                rewrite.generate_single(raw, state, params, kind - PEIRCE_KINDS, symbols, ratios, r_strings,
                                        r_is_case, lhs, rhs, symbol_of, shown[:drawn], out)
            else:
                rewrite.generate_multistep(raw, state, params, kind - PEIRCE_KINDS, symbols, ratios, r_strings,
                                           r_is_case, lhs, rhs, symbol_of, shown[:drawn], out)
        if state[FLAG]:
            flag, stamp = state[FLAG], state[STAMP]
            state[:] = saved
            state[FLAG], state[STAMP] = flag, stamp  # a retried example must not reuse a stamp
            return example
        src_ends[example] = end_line(out, state, SRC)
        tgt_ends[example] = end_line(out, state, TGT)
        hashes[example] = finish_hash(line_hash, state[SRC_TOKENS])
    return choices.size


@njit(cache=True)
def rewrite_upper(params, kind) -> int:
    if kind >= rewrite.MULTISTEP_HARD:
        return params[P.UPPER]
    return min(params[P.REWRITE_WINDOW_HIGH], params[P.LOWER])


@dataclass(frozen=True)
class BlockText:
    """A generated block: source and target text (newline-terminated) with line ends, tasks, hashes."""

    src: np.ndarray
    src_ends: np.ndarray
    tgt: np.ndarray
    tgt_ends: np.ndarray
    choices: np.ndarray
    hashes: np.ndarray


class Engine:
    """Everything a mixture needs to generate blocks under one config, prepared once."""

    def __init__(self, tasks: list[str], weights: list[float], config: TaskConfig) -> None:
        self.weights = np.array(weights, dtype=np.float64)
        self.params = P.pack(config)
        self.ratios = P.rounded_ratios(config)
        self.kinds = np.array([kind_of(task) for task in tasks], dtype=np.int64)
        self.layouts = np.stack(
            [peirce.layout_row(task) if task in peirce.LAYOUTS else np.full(2 * peirce.MAX_PARTS, -1) for task in tasks]
        ).astype(np.int64)
        self.words, self.sizes = token_table(config.vocab_size)
        self.room = (np.array(line_bounds(config), dtype=np.int64) + 1) * self.words.shape[1]

    def generate(self, rng: np.random.Generator, n: int, buffers: Buffers | None = None) -> BlockText:
        """``n`` examples. With ``buffers``, the text is written into them and stays valid only until
        their next use: a caller that generates block after block then touches no fresh memory."""
        choices = (
            rng.choice(len(self.weights), size=n, p=self.weights)
            if len(self.weights) > 1
            else np.zeros(n, dtype=np.int64)
        )
        buffers = buffers or Buffers()
        buffers.ensure(n * 800 + self.room[0], n * 300 + self.room[1])
        src_ends = np.empty(n, dtype=np.int64)
        tgt_ends = np.empty(n, dtype=np.int64)
        hashes = np.empty(n, dtype=np.uint64)
        state = np.zeros(STATE_SIZE, dtype=np.int64)
        seen = np.zeros(int(self.params[P.VOCAB]), dtype=np.int64)
        spaces = (peirce.workspace(self.params), rewrite.workspace(self.params, self.ratios))
        buffers.start(rng, n * WORDS_PER_EXAMPLE)
        done = 0
        while done < n:
            if state[FLAG] & NEED_ROOM:
                buffers.ensure(2 * len(buffers.src) + self.room[0], 2 * len(buffers.tgt) + self.room[1],
                               keep=(state[SRC], state[TGT]))
            if state[FLAG] & NEED_RAW:
                buffers.refill(rng, state[RAW])
                state[RAW] = 0
            state[FLAG] = 0
            done = run(buffers.random, state, choices, done, self.params, self.kinds, self.layouts, self.ratios,
                       self.words, self.sizes, seen, buffers.src, buffers.tgt, src_ends, tgt_ends, hashes, self.room,
                       *spaces)
        return BlockText(buffers.src[: state[SRC]], src_ends, buffers.tgt[: state[TGT]], tgt_ends,
                         choices.astype(np.int64), hashes)

