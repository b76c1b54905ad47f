"""Deciding whether an expression is well formed for a typecode, using the database's syntax axioms.

A predicted substitution such as ``ph := ( ps -> `` may make an assertion's conclusion match a goal
and still not be a Metamath step at all, because no syntax proof of ``wff ( ps ->`` exists. The
syntax axioms (``$a`` statements whose typecode is not provable and that have no ``$e``
hypotheses, e.g. ``wi $a wff ( ph -> ps ) $.``) form a context-free grammar whose nonterminals are the
typecodes: a variable of the rule stands for its typecode, an active variable of the theorem matches
its own typecode. An expression is well formed for a typecode when that grammar derives it.

The parser is a memoised top-down one (``ends(typecode, i)`` is every position where a phrase of
that typecode starting at ``i`` can end), with rules indexed by their first constant. Grammars such
as set.mm's, where no rule starts with a nonterminal that can derive itself again at the same
position, are decided exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lime_reasoning.metamath.database import Database

# A rule's right-hand side: each item is (True, constant) or (False, typecode of a variable).
Item = tuple[bool, str]


class Grammar:
    """The syntax axioms of a database, indexed for parsing."""

    def __init__(self, database: Database, provable: frozenset[str] = frozenset({"|-"})) -> None:
        self.by_constant: dict[str, dict[str, list[tuple[Item, ...]]]] = {}
        self.by_nonterminal: dict[str, list[tuple[Item, ...]]] = {}
        self._memo: dict[tuple[str, str], bool] = {}
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
            types = {h.variable: h.typecode for h in assertion.hypotheses}
            symbols = assertion.expression.split()[1:]
            rhs = tuple((False, types[s]) if s in types else (True, s) for s in symbols)
            if not rhs:
                self.by_nonterminal.setdefault(assertion.typecode, []).append(rhs)
            elif rhs[0][0]:
                self.by_constant.setdefault(assertion.typecode, {}).setdefault(rhs[0][1], []).append(rhs)
            else:
                self.by_nonterminal.setdefault(assertion.typecode, []).append(rhs)

    def derives(self, typecode: str, symbols: Sequence[str], typing: Mapping[str, str]) -> bool:
        """Whether ``symbols`` is a phrase of ``typecode``.

        ``typing`` gives the typecode of each variable active where the expression occurs; the
        caller checks separately that every symbol is active there.
        """
        if self.global_types is None:
            return len(symbols) in _Parse(self, symbols, typing).ends(typecode, 0)
        key = (typecode, " ".join(symbols))
        result = self._memo.get(key)
        if result is None:
            result = self._memo[key] = len(symbols) in _Parse(self, symbols, self.global_types).ends(typecode, 0)
        return result


class _Parse:
    """One memoised parse of one expression."""

    def __init__(self, grammar: Grammar, symbols: Sequence[str], typing: Mapping[str, str]) -> None:
        self.grammar = grammar
        self.symbols = symbols
        self.typing = typing
        self.memo: dict[tuple[str, int], frozenset[int]] = {}

    def ends(self, typecode: str, start: int) -> frozenset[int]:
        key = (typecode, start)
        known = self.memo.get(key)
        if known is not None:
            return known
        self.memo[key] = frozenset()  # a rule re-entering the same typecode at the same place derives nothing new
        found: set[int] = set()
        symbols = self.symbols
        first = symbols[start] if start < len(symbols) else None
        if first is not None and self.typing.get(first) == typecode:
            found.add(start + 1)
        grammar = self.grammar
        candidates = grammar.by_constant.get(typecode, {}).get(first, []) if first is not None else []
        for rhs in (*candidates, *grammar.by_nonterminal.get(typecode, ())):
            found |= self._match(rhs, start)
        result = frozenset(found)
        self.memo[key] = result
        return result

    def _match(self, rhs: tuple[Item, ...], start: int) -> set[int]:
        positions = {start}
        symbols = self.symbols
        count = len(symbols)
        for is_constant, name in rhs:
            following: set[int] = set()
            for position in positions:
                if is_constant:
                    if position < count and symbols[position] == name:
                        following.add(position + 1)
                else:
                    following |= self.ends(name, position)
            if not following:
                return following
            positions = following
        return positions
