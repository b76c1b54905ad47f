"""Compiled building blocks shared by every task: exact random draws, symbol roles, token output.

The tasks run as numba-compiled loops, one example at a time, writing text straight into byte
buffers; a Python loop per example (the reference generator) or per numpy pass was the bottleneck.

Randomness: a block's numpy ``PCG64`` generator supplies raw 64-bit outputs, each split into two
32-bit words (low half first) in a reused buffer; :func:`below` turns words into exactly uniform
integers (Lemire's multiply-and-reject). When a kernel runs out of words it
raises a flag; the example in progress is rolled back and the driver resumes it with more of the same
stream, so the output never depends on buffer sizes. Output room is checked once per example against
the largest example the config allows.

Kernel state is one int64 array (:data:`RAW` … :data:`STAMP` index it) plus a uint64 array holding
the running hash of the current source line.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from lime_reasoning.tasks.tokens import MARK_LOWER, MARK_MATH, MARK_SPACE, MARK_UPPER, WORD

# Indices into the int64 state array.
RAW, SRC, TGT, FLAG, STAMP, SRC_TOKENS = 0, 1, 2, 3, 4, 5
STATE_SIZE = 6
NEED_RAW, NEED_ROOM = 1, 2

# Indices into the uint64 hash state.
HASH = 0
HASH_MULTIPLIER = np.uint64(0x100000001B3)
HASH_SEED = np.uint64(0xCBF29CE484222325)

NEWLINE = 10
LOW32 = np.uint64(0xFFFFFFFF)


@njit(cache=True)
def below(raw: np.ndarray, state: np.ndarray, bound: int) -> int:
    """A uniform integer in ``0..bound-1`` (exact; bound < 2**32)."""
    ubound = np.uint64(bound)
    while True:
        position = state[RAW]
        if position >= raw.size:
            state[FLAG] |= NEED_RAW
            return 0
        state[RAW] = position + 1
        product = np.uint64(raw[position]) * ubound
        low = product & LOW32
        if low < ubound:
            threshold = (np.uint64(0x100000000) - ubound) % ubound
            if low < threshold:
                continue
        return np.int64(product >> np.uint64(32))


@njit(cache=True)
def between(raw: np.ndarray, state: np.ndarray, low: int, high: int) -> int:
    """A uniform integer in ``low..high`` inclusive."""
    return low + below(raw, state, high - low + 1)


@njit(cache=True)
def draw_symbols(raw: np.ndarray, state: np.ndarray, vocab: int, count: int, seen: np.ndarray, out: np.ndarray) -> None:
    """``count`` distinct ids from ``0..vocab-1`` in uniformly random order (draw again until new).

    ``seen[v] == stamp`` marks ids taken by the current example; the stamp changes every example,
    so the table never needs clearing.
    """
    state[STAMP] += 1
    stamp = state[STAMP]
    taken = 0
    while taken < count and not state[FLAG]:
        value = below(raw, state, vocab)
        if seen[value] != stamp:
            seen[value] = stamp
            out[taken] = value
            taken += 1


@njit(cache=True, inline="always")
def emit(out: tuple, state: np.ndarray, side: int, token: int) -> None:
    """Append a token and a space to the source (``side == SRC``) or the target line.

    ``out`` is ``(source bytes, target bytes, token words, token sizes, line hash)``: a word is the
    token followed by a space, NUL-padded to :data:`WORD` bytes, and its size counts the space. There
    is no bounds check here: the block loop makes sure, before each example, that the largest example
    the config allows fits. Inlined: a call per token that passes arrays costs more than the copy.
    """
    buffer = out[0] if side == SRC else out[1]
    words, sizes = out[2], out[3]
    position = state[side]
    # Copy the whole word (token, space, padding) as one 8-byte move; the padding is overwritten
    # by the next token or lies past the end of the text.
    for offset in range(WORD):
        buffer[position + offset] = words[token, offset]
    state[side] = position + sizes[token]
    if side == SRC:
        line_hash = out[4]
        line_hash[HASH] = (line_hash[HASH] ^ np.uint64(token + 1)) * HASH_MULTIPLIER
        state[SRC_TOKENS] += 1


@njit(cache=True)
def end_line(out: tuple, state: np.ndarray, side: int) -> int:
    """Turn the trailing space of the line into a newline; return the newline's index."""
    buffer = out[0] if side == SRC else out[1]
    position = state[side] - 1
    buffer[position] = NEWLINE
    return position


@njit(cache=True)
def finish_hash(line_hash: np.ndarray, tokens: int) -> np.uint64:
    """Mix the length in and scramble (splitmix64's finaliser) so that similar lines differ widely."""
    value = line_hash[HASH] ^ (np.uint64(tokens) * np.uint64(0x9E3779B97F4A7C15))
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


@njit(cache=True)
def emit_header(out: tuple, state: np.ndarray, symbols: np.ndarray, shown: np.ndarray, vocab: int, lower: int,
                math: int) -> None:
    """``<UPPER> rule symbols shown <LOWER> case symbols <MATH> math symbols <space>``."""
    upper_drawn = shown.size
    emit(out, state, SRC, vocab + MARK_UPPER)
    for slot in range(upper_drawn):
        if shown[slot]:
            emit(out, state, SRC, symbols[slot])
    emit(out, state, SRC, vocab + MARK_LOWER)
    for index in range(lower):
        emit(out, state, SRC, symbols[upper_drawn + index])
    emit(out, state, SRC, vocab + MARK_MATH)
    for index in range(math):
        emit(out, state, SRC, symbols[upper_drawn + lower + index])
    emit(out, state, SRC, vocab + MARK_SPACE)
