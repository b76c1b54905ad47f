"""The parsed form of a Metamath database: hypotheses, assertions with their frames, and where each came from.

Every math expression is held as one string in which each symbol is followed by a single space
(``"|- ( ph -> ps ) "``). Symbols never contain white space, so two expressions are equal exactly when
their strings are, and substituting into an expression is string concatenation: the verifier runs on
C-level string operations instead of Python loops over tokens. An empty expression is ``""``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from lime_reasoning.metamath.lexer import Comment, SourceMap

NEVER = sys.maxsize


def expression(symbols: list[str] | tuple[str, ...]) -> str:
    """The canonical string of a symbol sequence (see the module docstring)."""
    return " ".join(symbols) + " " if symbols else ""


@dataclass(eq=False, slots=True)
class Labelled:
    """What every labelled statement has: ``kind`` is the keyword without ``$``, ``index`` its number
    among the labelled statements, ``token`` the position of its label in the token list."""

    label: str
    kind: str
    typecode: str
    expression: str
    index: int
    token: int


@dataclass(eq=False, slots=True)
class Hypothesis(Labelled):
    """A ``$f`` (``kind == "f"``, typing ``variable``) or ``$e`` hypothesis, active until statement ``end``."""

    variable: str = ""
    variables: frozenset[str] = frozenset()
    end: int = NEVER

    def active_for(self, index: int) -> bool:
        """Whether this hypothesis is in scope at the statement numbered ``index``."""
        return self.index < index < self.end


@dataclass(eq=False, slots=True)
class Assertion(Labelled):
    """An ``$a`` or ``$p`` statement together with its frame.

    ``hypotheses`` are the mandatory hypotheses in database order (the order a proof pushes them);
    ``variables`` are the mandatory variables in the order of their ``$f`` hypotheses, the order in
    which proof-step targets list substitutions. ``disjoint`` holds the mandatory ``$d`` pairs, each
    sorted. For a ``$p``, ``proof`` is its raw proof tokens and ``context`` the variable sets of every
    ``$d`` statement in scope, dummy variables included (what its proof's steps must respect).
    """

    hypotheses: tuple[Hypothesis, ...]
    variables: tuple[str, ...]
    disjoint: frozenset[tuple[str, str]]
    proof: list[str] | None = None
    context: tuple[frozenset[str], ...] = ()
    comment: Comment | None = None

    @property
    def essentials(self) -> tuple[Hypothesis, ...]:
        return tuple(h for h in self.hypotheses if h.kind == "e")

    @property
    def description(self) -> str:
        """The comment written just before the statement (its description in set.mm), or ``""``."""
        return self.comment.text if self.comment is not None else ""


Statement = Hypothesis | Assertion


@dataclass
class Database:
    """A whole database: every labelled statement by label and in order, plus counts and provenance.

    ``constants`` maps each constant to the number of labelled statements declared before it (a
    constant is usable by the statements from that number on).
    """

    path: Path
    statements: dict[str, Statement]
    assertions: list[Assertion]
    floating: list[Hypothesis]
    constants: dict[str, int]
    variables: frozenset[str]
    source_map: SourceMap
    comments: list[Comment]
    counts: dict[str, int] = field(default_factory=dict)

    def where(self, statement: Statement) -> str:
        """``file:line`` of a statement's label, for messages."""
        return self.source_map.where(statement.token)

    @property
    def theorems(self) -> list[Assertion]:
        return [a for a in self.assertions if a.kind == "p"]

    def assertion(self, label: str) -> Assertion | None:
        statement = self.statements.get(label)
        return statement if isinstance(statement, Assertion) else None
