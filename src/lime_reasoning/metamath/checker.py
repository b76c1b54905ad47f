"""The step checker: is a predicted MetaMathStep target a correct proof step for its goal?

A prediction is correct when it names an assertion available to the theorem being proved (an
``$a``/``$p`` earlier in the database), gives a substitution for exactly that assertion's mandatory
variables in their order, every substituted expression uses only symbols active in the theorem and is
well formed for its variable's typecode by the syntax axioms that precede the theorem (see
:mod:`lime_reasoning.metamath.grammar`), the assertion's
conclusion under that substitution is exactly the goal, and every ``$d`` condition of the assertion
holds given the ``$d`` statements in scope of the theorem. Those are the conditions under which the
step would be accepted by the verifier inside that theorem's proof.

The assertion's ``$e`` hypotheses, instantiated, are the step's new subgoals (``StepCheck.subgoals``).
A step that leaves the goal itself as a subgoal is wrong: it is a detour (``ax-mp`` with
``ph := goal``), and without this rule copying the goal into any assertion with a free hypothesis
would be "correct" for every goal. With ``tautology=True`` every subgoal that the truth tables of
:mod:`lime_reasoning.metamath.truth_tables` can read must also be a tautology-consequence of the
theorem's own ``$e`` hypotheses (where those are readable too): a step leaving ``|- ch`` for a goal
that does not need it is wrong. Subgoals outside propositional calculus are not judged by that rule.

    checker = StepChecker(read_database("set.mm"))
    checker.check("syl", "|- ( ph -> ch )", "mpd $s ph ph $s ps ps $s ch ch").ok   # True
"""

from __future__ import annotations

from dataclasses import dataclass

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.database import Assertion, Database, expression
from lime_reasoning.metamath.grammar import Grammar
from lime_reasoning.metamath.notation import goal_of, parse_target
from lime_reasoning.metamath.truth_tables import OutsideTruthTables, TruthTables
from lime_reasoning.metamath.verifier import Verifier, context_pairs, disjoint_violation


@dataclass(frozen=True)
class StepCheck:
    """The verdict on one prediction; ``reason`` says why it is wrong (empty when it is correct).

    ``subgoals`` are the step's new ``|-`` subgoals as text (``"|- ph"``), in the order of the
    assertion's ``$e`` hypotheses, known once the step yields the goal (empty before that).
    """

    ok: bool
    reason: str = ""
    subgoals: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class _Scope:
    typing: dict[str, str]
    pairs: set[tuple[str, str]]


class StepChecker:
    """Checks predicted steps against one database (build it once; it caches per theorem)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.grammar = Grammar(database)
        self._verifier = Verifier(database)
        self._scopes: dict[str, _Scope] = {}
        self._truth_tables: TruthTables | None = None

    @property
    def truth_tables(self) -> TruthTables:
        """The database's propositional connectives, read once when a check first needs them."""
        if self._truth_tables is None:
            self._truth_tables = TruthTables(self.database)
        return self._truth_tables

    def _theorem(self, label: str) -> Assertion:
        theorem = self.database.assertion(label)
        if theorem is None or theorem.kind != "p":
            raise LimeError(f"{self.database.path}: no theorem ($p) labelled {label}")
        return theorem

    def _scope(self, theorem: Assertion) -> _Scope:
        scope = self._scopes.get(theorem.label)
        if scope is None:
            typing = {h.variable: h.typecode for h in self.database.floating if h.active_for(theorem.index)}
            scope = self._scopes[theorem.label] = _Scope(typing, context_pairs(theorem))
        return scope

    def check(self, theorem: str, goal: str, target: str, *, tautology: bool = False) -> StepCheck:
        """Whether ``target`` is a correct step for ``goal`` inside the proof of ``theorem``.

        ``theorem`` is the label being proved (the dataset's ``theorem`` column); ``goal`` is the goal
        expression as text, or a whole source line (its ``$e`` part is ignored: the theorem's own
        hypotheses are known). ``tautology`` also requires the new subgoals to be tautology-consequences
        of those hypotheses (see the module docstring). An unknown ``theorem`` is a
        :class:`LimeError`; everything wrong with ``target`` is a negative verdict with a reason.
        """
        proved = self._theorem(theorem)
        try:
            parsed = parse_target(target)
        except ValueError as error:
            return StepCheck(False, f"malformed target: {error}")
        assertion = self.database.assertion(parsed.label)
        if assertion is None:
            return StepCheck(False, f"{parsed.label} is not an assertion of the database")
        if assertion.index >= proved.index:
            return StepCheck(False, f"{parsed.label} comes after {theorem} in the database")
        if parsed.variables != assertion.variables:
            expected = " ".join(assertion.variables) or "(none)"
            return StepCheck(False, f"{parsed.label} needs substitutions for {expected}, in that order")
        scope = self._scope(proved)
        constants = self.database.constants
        floats = [h for h in assertion.hypotheses if h.kind == "f"]
        for hypothesis, symbols in zip(floats, parsed.substitution):
            for symbol in symbols:
                if constants.get(symbol, proved.index) >= proved.index and symbol not in scope.typing:
                    return StepCheck(False, f"{symbol} is not a symbol active in {theorem}")
            if not self.grammar.derives(hypothesis.typecode, symbols, scope.typing, proved.index):
                return StepCheck(
                    False, f"'{' '.join(symbols)}' is not a well-formed {hypothesis.typecode} (for {hypothesis.variable})"
                )
        rule = self._verifier.rule(assertion)
        substitution = [expression(symbols) for symbols in parsed.substitution]
        wanted = expression(goal_of(goal).split())
        if rule.instantiate(substitution) != wanted:
            return StepCheck(False, f"{parsed.label} with this substitution does not yield the goal")
        violation = disjoint_violation(rule, substitution, scope.pairs, self.database.variables)
        if violation is not None:
            return StepCheck(False, violation)
        subgoals = rule.subgoals(substitution)
        shown = tuple(subgoal.rstrip() for subgoal in subgoals)
        if wanted in subgoals:
            return StepCheck(False, f"{parsed.label} with this substitution leaves the goal itself as a subgoal", shown)
        if tautology:
            for subgoal in shown:
                if self._not_implied(proved, subgoal):
                    against = f"the hypotheses of {theorem}" if proved.essentials else "no hypotheses (not a tautology)"
                    return StepCheck(False, f"leaves the subgoal '{subgoal}', not a tautology-consequence of {against}", shown)
        return StepCheck(True, "", shown)

    def _not_implied(self, theorem: Assertion, subgoal: str) -> bool:
        """Whether the truth tables show that ``subgoal`` does not follow from the theorem's ``$e`` hypotheses."""
        try:
            return not self.truth_tables.consequence(subgoal, [h.expression for h in theorem.essentials])
        except OutsideTruthTables:
            return False  # not judged: the guarantee does not apply to it

