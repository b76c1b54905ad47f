"""Which gold proof steps are circular, read off the proof display rather than the step checker; and the
reference program ``metamath`` as a fixture.

A step is circular when one of the steps it consumes shows the same expression as the step itself
(``idi``, or ``syl`` with ``( ph -> ph )``): the step checker rejects those, so tests that expect every
extracted step to pass it must leave them out, and they are found here without the checker's code.
"""

from __future__ import annotations

import shutil

import pytest

from lime_reasoning.metamath import Assertion, Verifier, proof_trace


def circular_steps(verifier: Verifier, theorem: Assertion) -> set[int]:
    """The numbers of the steps of ``theorem``'s proof that consume a step with their own expression."""
    trace = proof_trace(verifier, theorem) or []
    return {
        step.step
        for step in trace
        if step.kind in ("$a", "$p") and not step.label.startswith("@")
        and any(trace[used - 1].expression == step.expression for used in step.hypotheses)
    }


@pytest.fixture(scope="session")
def metamath_program() -> str:
    program = shutil.which("metamath")
    if program is None:
        pytest.skip("the reference program metamath is not installed (make system-deps)")
    return program
