"""How a MetaMathStep example is written as text, and how a target is read back.

Both sides are whitespace-separated tokens. Metamath forbids ``$`` in math symbols and in labels, so
tokens that contain ``$`` can never be confused with the database's own; they are used as separators:

* source: the goal, then `` $e `` before each ``$e`` hypothesis of the theorem being proved, in
  order: ``|- ( ph -> ch ) $e |- ( ph -> ps ) $e |- ( ps -> ch )``;
* target: the label of the assertion applied, then for each of its mandatory variables, in the order
  of their ``$f`` hypotheses, `` $s `` followed by the variable and the symbols substituted for it
  (possibly none): ``mpd $s ph ph $s ps ps $s ch ch``.

Splitting a target at the ``$s`` tokens gives ``[label]`` and one ``[variable, *symbols]`` group per
variable, so every target parses back to exactly one (label, substitution).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import add

HYPOTHESIS_MARK = "$e"
SUBSTITUTION_MARK = "$s"


def format_source(goal: str, hypotheses: Sequence[str]) -> str:
    """Source text of a step; ``goal`` and ``hypotheses`` are canonical expression strings."""
    return "".join([goal, *(f"{HYPOTHESIS_MARK} {h}" for h in hypotheses)]).rstrip()


@lru_cache(maxsize=65536)
def _prefixes(variables: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{SUBSTITUTION_MARK} {v} " for v in variables)


def format_target(label: str, variables: Sequence[str], substitution: Sequence[str]) -> str:
    """Target text of a step; each substitution is a canonical expression string (``""`` when empty)."""
    return (label + " " + "".join(map(add, _prefixes(tuple(variables)), substitution))).rstrip()


def goal_of(source: str) -> str:
    """The goal part of a source line (everything before the first ``$e``), as given."""
    tokens = source.split()
    if HYPOTHESIS_MARK in tokens:
        tokens = tokens[: tokens.index(HYPOTHESIS_MARK)]
    return " ".join(tokens)


@dataclass(frozen=True)
class Target:
    """A parsed target: the assertion's label and, per variable, the symbols substituted for it."""

    label: str
    variables: tuple[str, ...]
    substitution: tuple[tuple[str, ...], ...]


def parse_target(text: str) -> Target:
    """Read a target back; raises ``ValueError`` saying what is malformed."""
    groups: list[list[str]] = [[]]
    for token in text.split():
        if token == SUBSTITUTION_MARK:
            groups.append([])
        elif "$" in token:
            raise ValueError(f"unexpected token {token}")
        else:
            groups[-1].append(token)
    head, *rest = groups
    if len(head) != 1:
        raise ValueError("a target starts with exactly one label" if head else "the target has no label")
    if any(not group for group in rest):
        raise ValueError(f"{SUBSTITUTION_MARK} without a variable after it")
    return Target(head[0], tuple(g[0] for g in rest), tuple(tuple(g[1:]) for g in rest))
