"""Buffers that a generator reuses from block to block: random words in, text out.

Allocating fresh multi-megabyte buffers for every block costs a page fault per 4 KB page as soon as
they are written, which on two cores takes more time than writing the text itself.
"""

from __future__ import annotations

import numpy as np


RANDOM_WORDS = 1 << 21
RAW_CHUNK = 16_000  # raw 64-bit outputs per call: under malloc's mmap threshold, so no fresh pages


def draw_words(rng: np.random.Generator, out: np.ndarray) -> None:
    """Fill ``out`` (uint32, even length) with the generator's next raw outputs, two words each."""
    raw = out.view(np.uint64)
    for start in range(0, len(raw), RAW_CHUNK):
        stop = min(start + RAW_CHUNK, len(raw))
        raw[start:stop] = rng.bit_generator.random_raw(stop - start)


class Buffers:
    """Random words, then source and target text; what a block wrote stays valid until the next block."""

    def __init__(self, storage: np.ndarray | None = None, src: np.ndarray | None = None,
                 tgt: np.ndarray | None = None) -> None:
        """Fresh buffers, or given ones: ``storage`` for random words, ``src``/``tgt`` for the text
        (which then lands there unless it does not fit, in which case it moves to new arrays)."""
        self.storage = np.zeros(RANDOM_WORDS, dtype=np.uint32) if storage is None else storage
        self.random = self.storage[:0]
        self.src = np.zeros(0, dtype=np.uint8) if src is None else src
        self.tgt = np.zeros(0, dtype=np.uint8) if tgt is None else tgt

    def start(self, rng: np.random.Generator, words: int) -> None:
        """Draw the first words of a block (a few more than it usually needs)."""
        self.random = self.storage[: min(words + words % 2, len(self.storage))]
        draw_words(rng, self.random)

    def refill(self, rng: np.random.Generator, used: int) -> None:
        """Keep the words not used yet (moved to the front) and fill the rest with the next ones."""
        left = len(self.random) - used
        self.storage[:left] = self.random[used:]
        count = (len(self.storage) - left) // 2 * 2
        draw_words(rng, self.storage[left : left + count])
        self.random = self.storage[: left + count]

    def ensure(self, src_size: int, tgt_size: int, keep: tuple[int, int] = (0, 0)) -> None:
        """At least these sizes, keeping the first ``keep`` bytes of each when a buffer has to grow."""
        for name, size, kept in (("src", src_size, keep[0]), ("tgt", tgt_size, keep[1])):
            current = getattr(self, name)
            if len(current) < size:
                grown = np.empty(size, dtype=np.uint8)
                grown[:kept] = current[:kept]
                setattr(self, name, grown)
