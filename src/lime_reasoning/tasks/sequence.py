"""Content-free control tasks from the follow-up literature (Wu, Li, Liang, NeurIPS 2022).

An example draws an alphabet of distinct symbols (its size uniform in ``set_alphabet``), then a
source of ``set_length`` tokens drawn from it with replacement. ``identity``: the target is the
source. ``set``: the target is the source's distinct tokens in order of first occurrence. There is no
header: the tasks carry no roles, which is the point of the control.
"""

from __future__ import annotations

from numba import njit

from lime_reasoning.tasks import params as P
from lime_reasoning.tasks.primitives import SRC, STAMP, TGT, below, between, draw_symbols, emit

IDENTITY, SET = range(2)
KINDS: dict[str, int] = {"identity": IDENTITY, "set": SET}


@njit(cache=True)
def generate(raw, state, params, kind, seen, symbols, out) -> None:
    size = between(raw, state, params[P.SET_ALPHABET_LOW], params[P.SET_ALPHABET_HIGH])
    draw_symbols(raw, state, params[P.VOCAB], size, seen, symbols)
    length = between(raw, state, params[P.SET_LENGTH_LOW], params[P.SET_LENGTH_HIGH])
    state[STAMP] += 1  # a fresh mark for "already in the target"
    stamp = state[STAMP]
    for _ in range(length):
        token = symbols[below(raw, state, size)]
        emit(out, state, SRC, token)
        if kind == IDENTITY:
            emit(out, state, TGT, token)
        elif seen[token] != stamp:
            seen[token] = stamp
            emit(out, state, TGT, token)
