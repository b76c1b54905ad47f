"""Proof-step extraction: one MetaMathStep example per step that applies an assertion to prove a ``|-`` goal.

The examples come straight out of the verifier's run of each proof, so every one of them is a step
the verifier has just checked: the goal is the expression that step put on the stack, the target
names the assertion and the substitution the verifier computed for its mandatory variables. Syntax
steps (``wff``, ``class``, ``setvar`` conclusions), hypotheses and reuses of earlier steps are not
examples.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lime_reasoning.metamath.database import Assertion, Statement
from lime_reasoning.metamath.notation import HYPOTHESIS_MARK, format_target
from lime_reasoning.metamath.verifier import Verifier

PROVABLE = "|-"


@dataclass(frozen=True, slots=True)
class StepExample:
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

    def observe(step: int, what: Statement | int, substitution: list[str] | None, result: str) -> None:
        if substitution is not None and result.startswith(prefix):
            target = format_target(what.label, what.variables, substitution)
            append(StepExample(label, step, (result + hypotheses).rstrip(), target))

    if not verifier.run(theorem, observe):
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

    def observe(step: int, what: Statement | int, substitution: list[str] | None, result: str) -> None:
        if isinstance(what, int):
            label, kind, used = f"@{what}", trace[what - 1].kind, ()
        else:
            label, kind = what.label, f"${what.kind}"
            count = len(what.hypotheses) if isinstance(what, Assertion) else 0
            used = tuple(stack[len(stack) - count :]) if count else ()
            del stack[len(stack) - count :]
        stack.append(step)
        trace.append(TraceStep(step, used, label, kind, result.rstrip()))

    return trace if verifier.run(theorem, observe) else None


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


def extract_steps(
    verifier: Verifier, theorems: Iterable[Assertion], typecode: str = PROVABLE
) -> Iterator[tuple[Assertion, list[StepExample] | None]]:
    """Each theorem with its examples (None for an incomplete proof)."""
    for theorem in theorems:
        yield theorem, theorem_steps(verifier, theorem, typecode)
