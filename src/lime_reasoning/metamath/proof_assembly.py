"""Turning a tree of ``|-`` steps into a complete Metamath proof in normal format, checked by the verifier.

A prover finds only the logical steps (an assertion and its substitution for each goal, see
:mod:`lime_reasoning.metamath.checker`); a Metamath proof also pushes, before each assertion, a syntax
proof of every substituted expression (the ``$f`` arguments). Those come from parse trees under the
database's syntax axioms: :class:`SyntaxParser` builds them with the rule index of
:class:`~lime_reasoning.metamath.grammar.Grammar` (which only decides well-formedness), using only the
axioms that precede the theorem being proved, as the checker does.

Every assembled proof is run by :class:`~lime_reasoning.metamath.verifier.Verifier` before it is
returned, so a proof that comes out of :meth:`ProofAssembler.assemble` is one the verifier accepts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from lime_reasoning.metamath.database import Assertion, Database
from lime_reasoning.metamath.grammar import Grammar
from lime_reasoning.metamath.steps import proof_trace
from lime_reasoning.metamath.verifier import Verifier

# A parse tree as its proof: the labels of a syntax proof in reverse Polish order.
SyntaxProof = tuple[str, ...]


class AssemblyError(ValueError):
    """A proof tree that cannot become a proof: an expression without a parse, a wrong number of children."""


@dataclass(frozen=True)
class ProofNode:
    """One ``|-`` step: ``label`` applied with ``substitution`` (canonical expression strings, one per
    mandatory variable in the assertion's order) to the proofs of its ``$e`` hypotheses (``children``,
    in their order). A leaf whose ``label`` is one of the theorem's own ``$e`` hypotheses has neither."""

    label: str
    substitution: tuple[str, ...] = ()
    children: tuple[ProofNode, ...] = ()


@dataclass(frozen=True)
class _Axiom:
    """A syntax axiom as a tree builder needs it: which variable each nonterminal of its rule stands for."""

    label: str
    nonterminals: tuple[str, ...]  # the variables of the rule's right-hand side, in order
    hypotheses: tuple[str, ...]  # the variables of its $f hypotheses, in the order a proof pushes them


def syntax_axioms(grammar: Grammar, database: Database) -> dict[int, _Axiom]:
    """Every rule of ``grammar`` by its axiom's index (built once per database)."""
    by_index = {a.index: a for a in database.assertions}
    axioms: dict[int, _Axiom] = {}
    for rules in (*(r for by in grammar.by_constant.values() for r in by.values()), *grammar.by_nonterminal.values()):
        for index, _ in rules:
            axiom = by_index[index]
            nonterminals = tuple(s for s in axiom.expression.split()[1:] if s in axiom.variables)
            axioms[index] = _Axiom(axiom.label, nonterminals, tuple(h.variable for h in axiom.hypotheses))
    return axioms


class SyntaxParser:
    """Parse trees of expressions under the syntax axioms before one statement (memoised per expression)."""

    def __init__(self, grammar: Grammar, axioms: Mapping[int, _Axiom], floats: Mapping[str, tuple[str, str]],
                 before: int) -> None:
        """``axioms`` from :func:`syntax_axioms`; ``floats``: each active variable's (typecode, ``$f`` label)."""
        self.grammar = grammar
        self.axioms = axioms
        self.floats = floats
        self.before = before
        self._memo: dict[tuple[str, str], SyntaxProof | None] = {}

    def proof(self, typecode: str, expression: str) -> SyntaxProof:
        """The syntax proof of ``typecode expression`` (canonical string); :class:`AssemblyError` if none."""
        key = (typecode, expression)
        if key not in self._memo:
            symbols = expression.split()
            parses = _Trees(self, symbols).parse(typecode, 0)
            self._memo[key] = next((tree for end, tree in parses if end == len(symbols)), None)
        found = self._memo[key]
        if found is None:
            raise AssemblyError(f"'{typecode} {expression.rstrip()}' has no parse under the syntax axioms")
        return found


class _Trees:
    """One backtracking parse of one expression; left-recursive re-entries are cut (set.mm has none)."""

    def __init__(self, parser: SyntaxParser, symbols: Sequence[str]) -> None:
        self.parser = parser
        self.symbols = symbols
        self.memo: dict[tuple[str, int], list[tuple[int, SyntaxProof]]] = {}

    def parse(self, typecode: str, start: int) -> list[tuple[int, SyntaxProof]]:
        """Every (end, syntax proof) of a phrase of ``typecode`` starting at ``start``."""
        key = (typecode, start)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = []  # a re-entry at the same place finds nothing: the cut
        found: list[tuple[int, SyntaxProof]] = []
        parser, symbols = self.parser, self.symbols
        first = symbols[start] if start < len(symbols) else None
        typed = parser.floats.get(first) if first is not None else None
        if typed is not None and typed[0] == typecode:
            found.append((start + 1, (typed[1],)))
        grammar = parser.grammar
        candidates = grammar.by_constant.get(typecode, {}).get(first, []) if first is not None else []
        for index, rhs in (*candidates, *grammar.by_nonterminal.get(typecode, ())):
            if index < parser.before:
                found.extend((end, self._apply(index, parts)) for end, parts in self._match(rhs, 0, start))
        self.memo[key] = found
        return found

    def _match(self, rhs: Sequence[tuple[bool, str]], item: int,
               position: int) -> Iterator[tuple[int, tuple[SyntaxProof, ...]]]:
        """Every (end, subtrees) matching ``rhs[item:]`` from ``position``."""
        if item == len(rhs):
            yield position, ()
            return
        is_constant, name = rhs[item]
        if is_constant:
            if position < len(self.symbols) and self.symbols[position] == name:
                yield from self._match(rhs, item + 1, position + 1)
            return
        for end, tree in self.parse(name, position):
            for last, rest in self._match(rhs, item + 1, end):
                yield last, (tree, *rest)

    def _apply(self, index: int, parts: tuple[SyntaxProof, ...]) -> SyntaxProof:
        axiom = self.parser.axioms[index]
        by_variable = dict(zip(axiom.nonterminals, parts))
        return (*(label for variable in axiom.hypotheses for label in by_variable[variable]), axiom.label)


class ProofAssembler:
    """Builds verified normal-format proofs for the theorems of one database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.grammar = Grammar(database)
        self.axioms = syntax_axioms(self.grammar, database)
        self.verifier = Verifier(database)
        self._parsers: dict[str, SyntaxParser] = {}

    def parser(self, theorem: Assertion) -> SyntaxParser:
        """The syntax parser in scope of ``theorem`` (its active ``$f`` hypotheses, the axioms before it)."""
        parser = self._parsers.get(theorem.label)
        if parser is None:
            floats = {h.variable: (h.typecode, h.label) for h in self.database.floating if h.active_for(theorem.index)}
            parser = self._parsers[theorem.label] = SyntaxParser(self.grammar, self.axioms, floats, theorem.index)
        return parser

    def assemble(self, theorem: Assertion, tree: ProofNode) -> list[str]:
        """The labels of a normal-format proof of ``theorem`` from ``tree``, checked by the verifier.

        Raises :class:`AssemblyError` for a tree that is not a proof of this theorem's shape and
        :class:`~lime_reasoning.metamath.verifier.ProofError` when the verifier rejects the result.
        """
        labels: list[str] = []
        self._emit(theorem, tree, labels)
        self.verifier.run(replace(theorem, proof=labels))
        return labels

    def _emit(self, theorem: Assertion, node: ProofNode, labels: list[str]) -> None:
        if not node.substitution and not node.children and any(h.label == node.label for h in theorem.essentials):
            labels.append(node.label)
            return
        assertion = self.database.assertion(node.label)
        if assertion is None:
            raise AssemblyError(f"{node.label} is neither an assertion nor a hypothesis of {theorem.label}")
        if len(node.substitution) != len(assertion.variables) or len(node.children) != len(assertion.essentials):
            raise AssemblyError(f"{node.label} needs {len(assertion.variables)} substitutions and "
                                f"{len(assertion.essentials)} subproofs")
        values = dict(zip(assertion.variables, node.substitution))
        children = iter(node.children)
        parser = self.parser(theorem)
        for hypothesis in assertion.hypotheses:
            if hypothesis.kind == "f":
                labels.extend(parser.proof(hypothesis.typecode, values[hypothesis.variable]))
            else:
                self._emit(theorem, next(children), labels)
        labels.append(assertion.label)


def normal_length(verifier: Verifier, theorem: Assertion) -> int | None:
    """The number of steps of the database's own proof of ``theorem`` written in normal format (every reuse
    of a saved step expanded), the measure of :meth:`ProofAssembler.assemble`'s proofs; None when incomplete."""
    trace = proof_trace(verifier, theorem)
    if trace is None:
        return None
    sizes: list[int] = []
    for step in trace:
        if step.label.startswith("@"):
            sizes.append(sizes[int(step.label[1:]) - 1])
        else:
            sizes.append(1 + sum(sizes[used - 1] for used in step.hypotheses))
    return sizes[-1]
