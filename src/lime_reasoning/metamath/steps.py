"""Proof-step extraction: one MetaMathStep example per step that applies an assertion to prove a ``|-`` goal.

The examples come straight out of the verifier's run of each proof, so every one of them is a step
the verifier has just checked: the goal is the expression that step put on the stack, the target
names the assertion and the substitution the verifier computed for its mandatory variables. Syntax
steps (``wff``, ``class``, ``setvar`` conclusions), hypotheses and reuses of earlier steps are not
examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from lime_reasoning.metamath.database import Assertion, Hypothesis
from lime_reasoning.metamath.notation import HYPOTHESIS_MARK, format_target
from lime_reasoning.metamath.verifier import Verifier

PROVABLE = "|-"


class StepExample(NamedTuple):
    """One example: ``source`` and ``target`` as in :mod:`lime_reasoning.metamath.notation`."""

    theorem: str
    step: int
    source: str
    target: str


def theorem_steps(verifier: Verifier, theorem: Assertion, typecode: str = PROVABLE) -> list[StepExample] | None:
    """The examples of one proof, in step order; None when the proof is incomplete.

    Raises :class:`~lime_reasoning.metamath.verifier.ProofError` when the proof does not check.
    """
    prefix = typecode + " "
    hypotheses = "".join(f"{HYPOTHESIS_MARK} {h.expression}" for h in theorem.essentials)
    label = theorem.label
    examples: list[StepExample] = []
    append = examples.append

    def on_assertion(step: int, assertion: Assertion, substitution: list[str], result: str) -> None:
        if result.startswith(prefix):
            append(StepExample(label, step, (result + hypotheses).rstrip(), format_target(assertion.label, assertion.variables, substitution)))

    if not verifier.run(theorem, on_assertion):
        return None
    return examples


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of a proof as the reference program lists it (``show proof LABEL /lemmon /all``).

    ``hypotheses`` are the numbers of the steps it consumes; ``label`` is the statement used, or
    ``@N`` for a reuse of step N; ``kind`` is ``$a``, ``$p``, ``$e`` or ``$f`` (of the statement, or of
    the reused step's statement).
    """

    step: int
    hypotheses: tuple[int, ...]
    label: str
    kind: str
    expression: str

    def __str__(self) -> str:
        refs = ",".join(map(str, self.hypotheses))
        return " ".join(part for part in (f"{self.step:>4}", refs, self.label, self.kind, self.expression) if part)


def proof_trace(verifier: Verifier, theorem: Assertion) -> list[TraceStep] | None:
    """Every step of a proof with the steps it uses; None when the proof is incomplete."""
    trace: list[TraceStep] = []
    stack: list[int] = []

    def on_assertion(step: int, assertion: Assertion, substitution: list[str], result: str) -> None:
        count = len(assertion.hypotheses)
        used = tuple(stack[len(stack) - count :])
        del stack[len(stack) - count :]
        stack.append(step)
        trace.append(TraceStep(step, used, assertion.label, f"${assertion.kind}", result.rstrip()))

    def on_other(step: int, what: Hypothesis | int, result: str) -> None:
        stack.append(step)
        if isinstance(what, int):
            trace.append(TraceStep(step, (), f"@{what}", trace[what - 1].kind, result.rstrip()))
        else:
            trace.append(TraceStep(step, (), what.label, f"${what.kind}", result.rstrip()))

    return trace if verifier.run(theorem, on_assertion, on_other) else None


def unique_steps(examples: Iterable[StepExample]) -> list[StepExample]:
    """The first example of each distinct (source, target) pair, in order."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for example in examples:
        key = (example.source, example.target)
        if key not in seen:
            seen.add(key)
            kept.append(example)
    return kept

