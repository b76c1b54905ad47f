"""Checking proofs as the reference checker does: a stack machine over the steps of each ``$p`` proof.

Every assertion a proof uses is compiled once into a :class:`Rule`: the typecode prefix of each
``$f`` hypothesis, and ``str.format`` templates (``"|- ( {0}-> {1}) "``) for its ``$e`` hypotheses and
its conclusion. Applying it to the stack is then a few C-level string operations: slice off the
typecode of each floating argument to get the substitution, format the templates, compare strings.
``$d`` conditions are checked on the variables occurring in the substituted expressions against the
``$d`` statements in scope of the theorem being proved.

A proof step is numbered as the reference program numbers it (``show proof LABEL /all``): from 1, in
the order of the (decompressed) proof, each ``Z`` mark not being a step and each reuse of a marked
step being one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import permutations, product

from lime_reasoning.metamath.compressed import SAVE, UNKNOWN, CompressedProofError, decode
from lime_reasoning.metamath.database import Assertion, Database, Hypothesis, Statement

# on_assertion(step, assertion, substitution, expression): a step applying an $a/$p; ``substitution``
# holds the values of its mandatory variables (canonical strings), in the order of ``variables``.
AssertionObserver = Callable[[int, Assertion, list[str], str], None]
# on_other(step, what, expression): a hypothesis step (``what`` is the hypothesis) or the reuse of an
# earlier step (``what`` is that step's number).
OtherObserver = Callable[[int, Hypothesis | int, str], None]


class ProofError(Exception):
    """A proof does not check; ``step`` is 0 for problems that are not about a single step."""

    def __init__(self, theorem: Assertion, step: int, message: str) -> None:
        super().__init__(message)
        self.theorem = theorem
        self.step = step
        self.message = message

    def describe(self, database: Database) -> str:
        at = f", step {self.step}" if self.step else ""
        return f"{database.where(self.theorem)}: proof of {self.theorem.label}{at}: {self.message}"


def template(symbols: Iterable[str], positions: dict[str, int]) -> str:
    """A ``str.format`` template of an expression whose variables are numbered by ``positions``."""
    holes = {_escape(variable): "{%d}" % index for variable, index in positions.items()}
    get = holes.get
    return "".join([hole if (hole := get(symbol)) is not None else symbol + " " for symbol in map(_escape, symbols)])


def _escape(symbol: str) -> str:
    return symbol.replace("{", "{{").replace("}", "}}") if "{" in symbol or "}" in symbol else symbol


class Rule:
    """An assertion compiled for application (see the module docstring)."""

    __slots__ = ("assertion", "count", "floats", "essentials", "conclusion", "disjoint", "constant")

    def __init__(self, assertion: Assertion) -> None:
        positions = {variable: index for index, variable in enumerate(assertion.variables)}
        self.assertion = assertion
        self.count = len(assertion.hypotheses)
        self.floats = tuple(
            (index, h.typecode + " ", len(h.typecode) + 1)
            for index, h in enumerate(assertion.hypotheses)
            if h.kind == "f"
        )
        self.essentials = tuple(
            (index, template(h.expression.split(), positions))
            for index, h in enumerate(assertion.hypotheses)
            if h.kind == "e"
        )
        self.conclusion = template(assertion.expression.split(), positions)
        self.constant = assertion.expression if not assertion.variables else None
        self.disjoint = tuple((positions[x], positions[y]) for x, y in sorted(assertion.disjoint))

    def instantiate(self, substitution: list[str]) -> str:
        return self.constant if self.constant is not None else self.conclusion.format(*substitution)

    def subgoals(self, substitution: list[str]) -> tuple[str, ...]:
        """The ``$e`` hypotheses under ``substitution``: what remains to be proved after applying the rule."""
        return tuple(pattern.format(*substitution) for _, pattern in self.essentials)


def context_pairs(theorem: Assertion) -> set[tuple[str, str]]:
    """Every ordered pair of distinct variables that a ``$d`` statement in scope of ``theorem`` keeps apart."""
    pairs: set[tuple[str, str]] = set()
    for group in theorem.context:
        pairs.update(permutations(group, 2))
    return pairs


def disjoint_violation(
    rule: Rule, substitution: list[str], pairs: set[tuple[str, str]], variables: frozenset[str]
) -> str | None:
    """Why applying ``rule`` with ``substitution`` breaks one of its ``$d`` conditions, or None.

    For each condition ``$d x y`` of the rule, every variable in the expression substituted for ``x``
    must be distinct from, and kept apart by ``pairs`` from, every variable in the one for ``y``.
    """
    names = rule.assertion.variables
    for left, right in rule.disjoint:
        left_vars = variables.intersection(substitution[left].split())
        right_vars = variables.intersection(substitution[right].split())
        for a, b in product(left_vars, right_vars):
            if a == b or (a, b) not in pairs:
                problem = f"both substitutions contain {a}" if a == b else f"$d {a} {b} is not in scope"
                return f"{rule.assertion.label} requires $d {names[left]} {names[right]}, but {problem}"
    return None


@dataclass
class Report:
    """What verifying a whole database found."""

    verified: int = 0
    incomplete: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Verifier:
    """Runs proofs of one database; compiled rules are shared across all of them."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.rules: dict[str, Rule] = {}

    def rule(self, assertion: Assertion) -> Rule:
        rule = self.rules.get(assertion.label)
        if rule is None:
            rule = self.rules[assertion.label] = Rule(assertion)
        return rule

    def _resolve(self, theorem: Assertion, label: str, step: int) -> tuple[Statement, str | Rule]:
        statement = self.database.statements.get(label)
        if statement is None:
            raise ProofError(theorem, step, f"{label} is not the label of any statement")
        if isinstance(statement, Hypothesis):
            if not statement.active_for(theorem.index):
                raise ProofError(theorem, step, f"hypothesis {label} is not in scope here")
            return statement, statement.expression
        if statement.index >= theorem.index:
            what = "the theorem itself" if statement is theorem else "defined only later in the database"
            raise ProofError(theorem, step, f"{label} is used before it is available ({what})")
        return statement, self.rule(statement)

    def _program(self, theorem: Assertion) -> tuple[list[Statement], list[str | Rule], list[int]]:
        """The statements a proof refers to, what each one does, and the proof's step numbers."""
        proof = theorem.proof or []
        if proof[0] != "(":
            sources: list[Statement] = []
            table: list[str | Rule] = []
            number: dict[str, int] = {}
            steps = []
            for position, label in enumerate(proof):
                if label == "?":
                    steps.append(UNKNOWN)
                    continue
                if label not in number:
                    statement, action = self._resolve(theorem, label, position + 1)
                    number[label] = len(table)
                    sources.append(statement)
                    table.append(action)
                steps.append(number[label])
            return sources, table, steps
        try:
            close = proof.index(")")
        except ValueError:
            raise ProofError(theorem, 0, "compressed proof: the label list '( ...' is never closed by ')'") from None
        sources = list(theorem.hypotheses)
        table = [h.expression for h in theorem.hypotheses]
        mandatory = {h.label for h in theorem.hypotheses}
        rules = self.rules
        for label in proof[1:close]:
            rule = rules.get(label)
            if rule is not None and rule.assertion.index < theorem.index:
                sources.append(rule.assertion)
                table.append(rule)
                continue
            if label in mandatory:
                raise ProofError(theorem, 0, f"compressed proof lists the mandatory hypothesis {label}")
            statement, action = self._resolve(theorem, label, 0)
            sources.append(statement)
            table.append(action)
        try:
            steps = decode("".join(proof[close + 1 :]))
        except CompressedProofError as error:
            raise ProofError(theorem, 0, f"corrupt compressed proof: {error}") from None
        return sources, table, steps

    def run(
        self, theorem: Assertion, on_assertion: AssertionObserver | None = None, on_other: OtherObserver | None = None
    ) -> bool:
        """Check the proof of ``theorem``; False when it is incomplete (has ``?`` steps).

        Raises :class:`ProofError` naming the step at fault. The observers, when given, are told about
        the steps as they are checked (two of them, so that extraction pays nothing for the others).
        """
        sources, table, steps = self._program(theorem)
        if UNKNOWN in steps:
            return False
        stack: list[str] = []
        push = stack.append
        saved: list[str] = []
        saved_steps: list[int] = []
        limit = len(table)
        dv_pairs: set[tuple[str, str]] | None = None
        step = 0
        for number in steps:
            if number == SAVE:
                if not stack or (saved_steps and saved_steps[-1] == step):
                    raise ProofError(theorem, step, "'Z' must follow a proof step")
                saved.append(stack[-1])
                saved_steps.append(step)
                continue
            step += 1
            if number >= limit:
                reused = number - limit
                if reused >= len(saved):
                    raise ProofError(theorem, step, f"refers to saved step {reused + 1}, but only {len(saved)} are saved")
                push(saved[reused])
                if on_other is not None:
                    on_other(step, saved_steps[reused], saved[reused])
                continue
            action = table[number]
            if action.__class__ is str:
                push(action)
                if on_other is not None:
                    on_other(step, sources[number], action)
                continue
            count = action.count
            if count > len(stack):
                raise ProofError(
                    theorem, step, f"{action.assertion.label} needs {count} hypotheses but the stack holds {len(stack)}"
                )
            if not count:
                push(action.constant)
                if on_assertion is not None:
                    on_assertion(step, action.assertion, [], action.constant)
                continue
            arguments = stack[-count:]
            del stack[-count:]
            substitution = []
            for position, prefix, size in action.floats:
                value = arguments[position]
                if not value.startswith(prefix):
                    raise ProofError(theorem, step, self._mismatch(action, position, value))
                substitution.append(value[size:])
            for position, pattern in action.essentials:
                if pattern.format(*substitution) != arguments[position]:
                    raise ProofError(theorem, step, self._mismatch(action, position, arguments[position], substitution))
            if action.disjoint:
                if dv_pairs is None:
                    dv_pairs = context_pairs(theorem)
                violation = disjoint_violation(action, substitution, dv_pairs, self.database.variables)
                if violation is not None:
                    raise ProofError(theorem, step, violation)
            result = action.conclusion.format(*substitution)
            push(result)
            if on_assertion is not None:
                on_assertion(step, action.assertion, substitution, result)
        if len(stack) != 1:
            raise ProofError(theorem, 0, f"the proof leaves {len(stack)} expressions on the stack instead of 1")
        if stack[0] != theorem.expression:
            raise ProofError(theorem, 0, f"the proof proves '{stack[0].rstrip()}', not the statement")
        return True

    @staticmethod
    def _mismatch(rule: Rule, position: int, value: str, substitution: list[str] | None = None) -> str:
        hypothesis = rule.assertion.hypotheses[position]
        label = rule.assertion.label
        if substitution is None:
            return (
                f"{label} hypothesis {hypothesis.label} needs an expression of type {hypothesis.typecode}, "
                f"got '{value.rstrip()}'"
            )
        expected = template(hypothesis.expression.split(), {v: i for i, v in enumerate(rule.assertion.variables)})
        return (
            f"{label} hypothesis {hypothesis.label} needs '{expected.format(*substitution).rstrip()}', "
            f"got '{value.rstrip()}'"
        )

    def verify_all(self, theorems: Iterable[Assertion] | None = None, progress: Callable[[int], None] | None = None) -> Report:
        """Check every proof (or those given); failures are collected, not raised."""
        report = Report()
        for theorem in self.database.theorems if theorems is None else theorems:
            try:
                if self.run(theorem):
                    report.verified += 1
                else:
                    report.incomplete.append(theorem.label)
            except ProofError as error:
                report.failures.append(error.describe(self.database))
            if progress is not None:
                progress(1)
        return report


def verify(database: Database) -> Report:
    """Verify every proof of ``database``."""
    return Verifier(database).verify_all()

