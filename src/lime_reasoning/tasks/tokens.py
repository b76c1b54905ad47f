"""Token ids of a synthetic example: symbols ``0..V-1`` and the structural tokens after them.

Symbols are written as their decimal id, exactly as the reference generator prints them, so the text
files it produced and ours share one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lime_reasoning.ragged import Padded, hstack
from lime_reasoning.tasks.config import TaskConfig
from lime_reasoning.tasks.symbols import draw_symbols

STRUCTURAL: tuple[str, ...] = ("<UPPER>", "<LOWER>", "<MATH>", "<space>", ":", "[", "]", ",", "->")


@dataclass(frozen=True)
class Markers:
    """Ids of the structural tokens for a vocabulary of ``vocab_size`` symbols."""

    vocab_size: int

    def id(self, token: str) -> int:
        return self.vocab_size + STRUCTURAL.index(token)

    @property
    def upper(self) -> int:
        return self.id("<UPPER>")

    @property
    def lower(self) -> int:
        return self.id("<LOWER>")

    @property
    def math(self) -> int:
        return self.id("<MATH>")

    @property
    def space(self) -> int:
        return self.id("<space>")

    @property
    def colon(self) -> int:
        return self.id(":")

    @property
    def open(self) -> int:
        return self.id("[")

    @property
    def close(self) -> int:
        return self.id("]")

    @property
    def comma(self) -> int:
        return self.id(",")

    @property
    def arrow(self) -> int:
        return self.id("->")


def token_strings(vocab_size: int) -> list[str]:
    """The printed form of every token id."""
    return [str(i) for i in range(vocab_size)] + list(STRUCTURAL)


@dataclass(frozen=True)
class Roles:
    """Each example's distinct symbols by role: rule ("upper"), case ("lower") and math symbols.

    ``symbols`` holds, per row, the rule symbols a task can print, then the case symbols, then the
    math symbols. A task that prints only the first few rule symbols draws only those: the ids it
    prints are then distributed exactly as if all ``upper`` rule symbols had been drawn.
    """

    symbols: np.ndarray
    upper_count: int
    lower_count: int

    @classmethod
    def draw(cls, rng: np.random.Generator, n: int, config: TaskConfig, upper_needed: int) -> Roles:
        upper = min(upper_needed, config.upper)
        symbols = draw_symbols(rng, n, config.vocab_size, upper + config.lower + config.math)
        return cls(symbols, upper, config.lower)

    @property
    def upper(self) -> np.ndarray:
        return self.symbols[:, : self.upper_count]

    @property
    def lower(self) -> np.ndarray:
        return self.symbols[:, self.upper_count : self.math_offset]

    @property
    def math(self) -> np.ndarray:
        return self.symbols[:, self.math_offset :]

    @property
    def math_offset(self) -> int:
        return self.upper_count + self.lower_count

    @property
    def case_pool(self) -> np.ndarray:
        """Case strings draw from the case and math symbols together (adjacent columns)."""
        return self.symbols[:, self.upper_count :]


def header(roles: Roles, upper_shown: np.ndarray, markers: Markers) -> Padded:
    """``<UPPER> rule symbols <LOWER> case symbols <MATH> math symbols <space>``.

    ``upper_shown`` masks which rule symbols the example lists (those it uses, in role order).
    """
    n = len(roles.upper)
    return hstack(
        [
            Padded.constant(markers.upper, n),
            Padded(roles.upper, upper_shown),
            Padded.constant(markers.lower, n),
            Padded.dense(roles.lower),
            Padded.constant(markers.math, n),
            Padded.dense(roles.math),
            Padded.constant(markers.space, n),
        ]
    )
