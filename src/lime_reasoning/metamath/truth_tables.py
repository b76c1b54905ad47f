"""Truth tables for set.mm's propositional calculus: is a formula a tautology-consequence of hypotheses?

The step checker uses this to refuse a step that leaves a subgoal which cannot be proved. In classical
propositional calculus a formula follows from hypotheses exactly when every assignment of truth values
to its wff variables that makes the hypotheses true makes it true (soundness and completeness), so the
question is decided exactly, not guessed.

A formula is read with the syntax axioms listed in :data:`CONNECTIVES` only, each recognised by its
label *and* its shape in the database (``wi`` must be ``wff ( ph -> ps )``), so a database that gives
a label another meaning is not misread. Anything else, such as ``A. x ph`` or ``x = y``, makes the
formula *outside* the truth tables: :class:`OutsideTruthTables`, never a guess.

The table of a formula over n variables is one Python integer of 2**n bits (bit r: the value in row r),
so each connective is one bitwise operation on all rows at once. The parse of each formula is cached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lime_reasoning.metamath.database import Database

WFF = "wff"
PROVABLE = "|-"
MAX_VARIABLES = 20  # 2**20 rows: a table is a 128 KiB integer

Node = str | tuple  # a wff variable, or (label, *arguments)
# A truth function: (all-ones mask, *argument tables) -> table.
Truth = Callable[..., int]

# label -> (shape with ``_`` for each wff variable, in order of occurrence; truth function of them)
CONNECTIVES: dict[str, tuple[str, Truth]] = {
    "wn": ("-. _", lambda m, a: m ^ a),
    "wi": ("( _ -> _ )", lambda m, a, b: (m ^ a) | b),
    "wb": ("( _ <-> _ )", lambda m, a, b: m ^ a ^ b),
    "wo": ("( _ \\/ _ )", lambda m, a, b: a | b),
    "wa": ("( _ /\\ _ )", lambda m, a, b: a & b),
    "w3o": ("( _ \\/ _ \\/ _ )", lambda m, a, b, c: a | b | c),
    "w3a": ("( _ /\\ _ /\\ _ )", lambda m, a, b, c: a & b & c),
    "wnan": ("( _ -/\\ _ )", lambda m, a, b: m ^ (a & b)),
    "wxo": ("( _ \\/_ _ )", lambda m, a, b: a ^ b),
    "wif": ("if- ( _ , _ , _ )", lambda m, a, b, c: (a & b) | ((m ^ a) & c)),
    "wtru": ("T.", lambda m: m),
    "wfal": ("F.", lambda m: 0),
    "whad": ("hadd ( _ , _ , _ )", lambda m, a, b, c: a ^ b ^ c),
    "wcad": ("cadd ( _ , _ , _ )", lambda m, a, b, c: (a & b) | (c & (a ^ b))),
}


class OutsideTruthTables(ValueError):
    """The truth tables cannot decide a formula (the message says why): the guarantee does not apply."""


class TruthTables:
    """The propositional connectives of one database, and truth-table decisions over them."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.variables = frozenset(h.variable for h in database.floating if h.typecode == WFF)
        # first constant -> [(label, items)], an item being a constant or None for a wff argument
        self._rules: dict[str, list[tuple[str, tuple[str | None, ...]]]] = {}
        for assertion in database.assertions:
            known = CONNECTIVES.get(assertion.label)
            if known is None or assertion.kind != "a" or assertion.typecode != WFF or assertion.essentials:
                continue
            arguments = {h.variable for h in assertion.hypotheses if h.typecode == WFF}
            symbols = assertion.expression.split()[1:]
            items = tuple(None if s in arguments else s for s in symbols)
            shape = " ".join(s or "_" for s in items)
            if len(arguments) != len(assertion.hypotheses) or items.count(None) != len(arguments) or shape != known[0]:
                continue  # the label means something else in this database (each argument must occur once)
            self._rules.setdefault(symbols[0], []).append((assertion.label, items))
        self.connectives = frozenset(label for rules in self._rules.values() for label, _ in rules)
        self._formulas: dict[str, Node | OutsideTruthTables] = {}

    def formula(self, statement: str) -> Node:
        """The parse of a ``|-`` statement (``"|- ( ph -> ph )"``); raises :class:`OutsideTruthTables`."""
        tokens = statement.split()
        key = " ".join(tokens)
        found = self._formulas.get(key)
        if found is None:
            found = self._formulas[key] = self._parse(tokens)
        if isinstance(found, OutsideTruthTables):
            raise found
        return found

    def propositional(self, statement: str) -> bool:
        """Whether the truth tables can read ``statement``."""
        try:
            self.formula(statement)
        except OutsideTruthTables:
            return False
        return True

    def propositional_database(self) -> bool:
        """Whether every ``|-`` axiom that a theorem of the database can use is propositional.

        Definitions (``df-``) of notions outside the tables (``df-tru``, ``df-ex`` in set.mm before
        ``ax-gen``) are allowed: they add names, not logic. Then what the database proves is
        propositional calculus, which the truth tables decide; set.mm up to ``ax-gen`` is such a database.
        """
        theorems = [a.index for a in self.database.assertions if a.kind == "p"]
        return all(
            self.propositional(a.expression) and all(self.propositional(h.expression) for h in a.essentials)
            for a in self.database.assertions
            if a.kind == "a" and a.typecode == PROVABLE and theorems and a.index < theorems[-1] and not a.label.startswith("df-")
        )

    def consequence(self, conclusion: str, hypotheses: Sequence[str] = ()) -> bool:
        """Whether every row of the truth table that makes all ``hypotheses`` true makes ``conclusion`` true.

        Statements are ``|-`` statements as text; raises :class:`OutsideTruthTables` when one of them
        is not a formula of propositional calculus, or has too many variables for a table.
        """
        formulas = [self.formula(conclusion), *map(self.formula, hypotheses)]
        names: dict[str, None] = {}
        for node in formulas:
            _collect(node, names)
        if len(names) > MAX_VARIABLES:
            raise OutsideTruthTables(f"{len(names)} variables, more than the {MAX_VARIABLES} a truth table takes")
        rows = 1 << len(names)
        mask = (1 << rows) - 1
        columns = {name: _column(index, rows) for index, name in enumerate(names)}
        assumed = mask
        for node in formulas[1:]:
            assumed &= _value(node, columns, mask)
        return assumed & ~_value(formulas[0], columns, mask) == 0

    def _parse(self, tokens: list[str]) -> Node | OutsideTruthTables:
        if not tokens or tokens[0] != PROVABLE:
            return OutsideTruthTables(f"not a {PROVABLE} statement: {' '.join(tokens[:1]) or '(empty)'}")
        memo: dict[int, dict[int, Node | None]] = {}
        found = self._phrases(tokens, 1, memo).get(len(tokens), OutsideTruthTables)
        if found is None:
            return OutsideTruthTables(f"ambiguous as a formula of propositional calculus: {' '.join(tokens)}")
        if found is OutsideTruthTables:
            return OutsideTruthTables(f"not a formula of propositional calculus: {' '.join(tokens)}")
        return found

    def _phrases(self, tokens: list[str], start: int, memo: dict[int, dict[int, Node | None]]) -> dict[int, Node | None]:
        """End -> the wff spanning ``tokens[start:end]`` (None where two different ones do)."""
        known = memo.get(start)
        if known is not None:
            return known
        found: dict[int, Node | None] = {}
        memo[start] = found  # no rule starts with a wff, so no call re-enters this position
        if start >= len(tokens):
            return found
        first = tokens[start]
        if first in self.variables:
            found[start + 1] = first
        for label, items in self._rules.get(first, ()):
            for end, arguments in self._match(tokens, items, start, memo):
                node: Node | None = None if any(a is None for a in arguments) else (label, *arguments)
                if end in found and found[end] != node:
                    node = None
                found[end] = node
        return found

    def _match(
        self, tokens: list[str], items: tuple[str | None, ...], start: int, memo: dict[int, dict[int, Node | None]]
    ) -> list[tuple[int, tuple]]:
        partial: list[tuple[int, tuple]] = [(start, ())]
        for item in items:
            following = []
            for position, arguments in partial:
                if item is not None:
                    if position < len(tokens) and tokens[position] == item:
                        following.append((position + 1, arguments))
                else:
                    following.extend((end, (*arguments, node)) for end, node in self._phrases(tokens, position, memo).items())
            partial = following
            if not partial:
                break
        return partial


def _collect(node: Node, names: dict[str, None]) -> None:
    if isinstance(node, str):
        names.setdefault(node)
    else:
        for argument in node[1:]:
            _collect(argument, names)


def _column(index: int, rows: int) -> int:
    """The table of the ``index``-th variable: bit r is bit ``index`` of r."""
    half = 1 << index
    block = ((1 << half) - 1) << half  # one period: ``half`` zeros, then ``half`` ones
    return block * (((1 << rows) - 1) // ((1 << 2 * half) - 1))  # repeated rows // (2 * half) times


def _value(node: Node, columns: dict[str, int], mask: int) -> int:
    if isinstance(node, str):
        return columns[node]
    return CONNECTIVES[node[0]][1](mask, *(_value(argument, columns, mask) for argument in node[1:]))
