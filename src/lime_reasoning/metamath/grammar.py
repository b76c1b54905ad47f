"""Deciding whether an expression is well formed for a typecode, using the database's syntax axioms.

A predicted substitution such as ``ph := ( ps ->`` may make an assertion's conclusion match a goal
and still not be a Metamath step at all, because no syntax proof of ``wff ( ps ->`` exists. The
syntax axioms (``$a`` statements whose typecode is not provable and that have no ``$e``
hypotheses, e.g. ``wi $a wff ( ph -> ps ) $.``) form a context-free grammar whose nonterminals are the
typecodes: a variable of the rule stands for its typecode, an active variable of the theorem matches
its own typecode. An expression is well formed for a typecode *at a theorem* when the grammar
restricted to the syntax axioms that precede the theorem derives it.

The parser is a memoised top-down one with rules indexed by their first constant. For each phrase it
computes the *earliest* derivation: ``ends(typecode, i)`` maps every position where a phrase starting
at ``i`` can end to the smallest possible index of the latest axiom such a derivation uses. A
phrase is then well formed before statement ``n`` exactly when that number is below ``n``, so one
answer per expression serves every theorem. Left-recursive rules (``wI $a wff x I $.`` in miu.mm,
``wn $a term a ' $.`` in ql.mm) re-enter a typecode at the position where it started; such a call gets
the approximation found so far, and the parse is repeated until nothing changes (the answers only
grow, so this ends). set.mm's grammar has no left recursion and is parsed in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lime_reasoning.metamath.database import Database

# A rule: the index of its axiom and its right-hand side, each item (True, constant) or (False, typecode).
Item = tuple[bool, str]
Rule = tuple[int, tuple[Item, ...]]
NOT_DERIVED = -1


class Grammar:
    """The syntax axioms of a database, indexed for parsing."""

    def __init__(self, database: Database, provable: frozenset[str] = frozenset({"|-"})) -> None:
        self.by_constant: dict[str, dict[str, list[Rule]]] = {}
        self.by_nonterminal: dict[str, list[Rule]] = {}
        self._memo: dict[tuple[str, str], int] = {}
        types: dict[str, set[str]] = {}
        for hypothesis in database.floating:
            types.setdefault(hypothesis.variable, set()).add(hypothesis.typecode)
        # When every variable has one typecode wherever it is declared (as in set.mm), answers do not
        # depend on the scope and are remembered across calls.
        self.global_types = (
            {v: next(iter(t)) for v, t in types.items()} if all(len(t) == 1 for t in types.values()) else None
        )
        for assertion in database.assertions:
            if assertion.kind != "a" or assertion.typecode in provable or assertion.essentials:
                continue
            variables = {h.variable: h.typecode for h in assertion.hypotheses}
            symbols = assertion.expression.split()[1:]
            rule = (assertion.index, tuple((False, variables[s]) if s in variables else (True, s) for s in symbols))
            if rule[1] and rule[1][0][0]:
                self.by_constant.setdefault(assertion.typecode, {}).setdefault(rule[1][0][1], []).append(rule)
            else:
                self.by_nonterminal.setdefault(assertion.typecode, []).append(rule)

    def derives(self, typecode: str, symbols: Sequence[str], typing: Mapping[str, str], before: int) -> bool:
        """Whether ``symbols`` is a phrase of ``typecode`` using only syntax axioms numbered below ``before``.

        ``typing`` gives the typecode of each variable active where the expression occurs; the
        caller checks separately that every symbol is active there.
        """
        if self.global_types is None:
            return 0 <= _Parse(self, symbols, typing).parse(typecode).get(len(symbols), NOT_DERIVED) < before
        key = (typecode, " ".join(symbols))
        earliest = self._memo.get(key)
        if earliest is None:
            ends = _Parse(self, symbols, self.global_types).parse(typecode)
            earliest = self._memo[key] = ends.get(len(symbols), NOT_DERIVED)
        return 0 <= earliest < before


def _merge(into: dict[int, int], end: int, cost: int) -> None:
    known = into.get(end)
    if known is None or cost < known:
        into[end] = cost


class _Parse:
    """One memoised parse of one expression (see the module docstring for left recursion)."""

    def __init__(self, grammar: Grammar, symbols: Sequence[str], typing: Mapping[str, str]) -> None:
        self.grammar = grammar
        self.symbols = symbols
        self.typing = typing
        self.memo: dict[tuple[str, int], dict[int, int]] = {}
        self.done: set[tuple[str, int]] = set()
        self.active: set[tuple[str, int]] = set()
        self.recursive = False
        self.changed = False

    def parse(self, typecode: str) -> dict[int, int]:
        """End position -> earliest derivation cost of phrases of ``typecode`` at the start."""
        while True:
            self.done.clear()
            self.recursive = self.changed = False
            found = self.ends(typecode, 0)
            if not (self.recursive and self.changed):
                return found

    def ends(self, typecode: str, start: int) -> dict[int, int]:
        key = (typecode, start)
        if key in self.done:
            return self.memo[key]
        if key in self.active:
            self.recursive = True
            return self.memo.get(key, {})
        self.active.add(key)
        found: dict[int, int] = {}
        symbols = self.symbols
        first = symbols[start] if start < len(symbols) else None
        if first is not None and self.typing.get(first) == typecode:
            found[start + 1] = 0
        grammar = self.grammar
        candidates = grammar.by_constant.get(typecode, {}).get(first, []) if first is not None else []
        for index, rhs in (*candidates, *grammar.by_nonterminal.get(typecode, ())):
            for end, cost in self._match(rhs, start).items():
                _merge(found, end, max(cost, index))
        self.active.discard(key)
        if found != self.memo.get(key):
            self.changed = True
            self.memo[key] = found
        self.done.add(key)
        return found

    def _match(self, rhs: tuple[Item, ...], start: int) -> dict[int, int]:
        positions = {start: 0}
        symbols = self.symbols
        count = len(symbols)
        for is_constant, name in rhs:
            following: dict[int, int] = {}
            for position, cost in positions.items():
                if is_constant:
                    if position < count and symbols[position] == name:
                        _merge(following, position + 1, cost)
                else:
                    for end, inner in self.ends(name, position).items():
                        _merge(following, end, max(cost, inner))
            if not following:
                return following
            positions = following
        return positions
