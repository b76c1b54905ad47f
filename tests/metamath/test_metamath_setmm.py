"""Against Debian's Metamath databases and the reference C program ``metamath`` (skipped where absent).

The reference program is the independent oracle: its statement counts, and its own display of proofs
(``show proof LABEL /lemmon /all``: each step's number, the steps it uses, its label and expression).
"""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest
from metamath_support import circular_steps

from lime_reasoning.metamath import Database, StepChecker, Verifier, read_database, theorem_steps
from lime_reasoning.metamath.steps import proof_trace

DEBIAN = Path("/usr/share/metamath/databases")
DATABASES = sorted(p.name for p in DEBIAN.glob("*.mm")) if DEBIAN.is_dir() else []
SAMPLE_SIZE = 40
FIXED = ["syl", "2p2e4", "alrimiv", "cbvalv", "ax5e", "peano2nn"]
LEMMON = re.compile(r"^\s*(\d+)\s+(?:([\d,]+)\s+)?(\S+)\s+(?:@\d+:\s+)?(\$[aefp])\s+(.*)$")
COUNTS = re.compile(r"The source has (\d+) statements; (\d+) are \$a and (\d+) are \$p")


def reference(program: str, database: Path, *commands: str) -> str:
    result = subprocess.run(
        [program, f"read {database.name}", "set width 9999", *commands, "exit"],
        cwd=database.parent, capture_output=True, text=True, check=True, timeout=300,
    )
    return result.stdout


@pytest.fixture(scope="module")
def sample(setmm: Database) -> list[str]:
    theorems = [t.label for t in setmm.theorems]
    return FIXED + random.Random(0).sample(theorems, SAMPLE_SIZE)


@pytest.fixture(scope="module")
def reference_steps(metamath_program: str, setmm_path: Path, sample: list[str]) -> dict[str, list[tuple]]:
    """The reference program's display of every sampled proof, parsed."""
    output = reference(metamath_program, setmm_path, *(f"show proof {label} /lemmon /all" for label in sample))
    shown: dict[str, list[tuple]] = {}
    current: list[tuple] | None = None
    for line in output.splitlines():
        if line.startswith("MM> show proof "):
            current = shown.setdefault(line.split()[3], [])
            continue
        match = LEMMON.match(line)
        if current is not None and match:
            step, refs, label, kind, expression = match.groups()
            hypotheses = tuple(int(r) for r in refs.split(",")) if refs else ()
            current.append((int(step), hypotheses, label, kind, expression.strip()))
    assert set(shown) == set(sample)
    return shown


@pytest.mark.parametrize("name", DATABASES)
def test_every_debian_database_verifies_with_the_reference_counts(name, metamath_program, request):
    path = DEBIAN / name
    database = request.getfixturevalue("setmm") if name == "set.mm" else read_database(path)
    statements, axioms, theorems = map(int, COUNTS.search(reference(metamath_program, path)).groups())
    assert (database.counts["statements"], database.counts["$a"], database.counts["$p"]) == (statements, axioms, theorems)
    report = Verifier(database).verify_all()
    assert report.failures == []
    assert report.verified + len(report.incomplete) == theorems
    if name == "set.mm":
        assert report.verified == 37_759


@pytest.mark.parametrize("name", [n for n in DATABASES if n not in ("set.mm", "iset.mm", "nf.mm")])
def test_every_example_of_the_small_databases_passes_the_checker(name):
    """Includes miu.mm and ql.mm, whose syntax is left-recursive (postfix operators).

    Except the circular ones (ql.mm's ``ax-r2`` with ``b = c`` the goal; hol.mm's ``a1i``), which
    it rejects, saying so.
    """
    database = read_database(DEBIAN / name)
    verifier, checker = Verifier(database), StepChecker(database)
    for theorem in database.theorems:
        circular = circular_steps(verifier, theorem)
        for example in theorem_steps(verifier, theorem) or []:
            verdict = checker.check(example.theorem, example.source, example.target)
            if example.step in circular:
                assert not verdict and "leaves the goal itself as a subgoal" in verdict.reason, example
            else:
                assert verdict, example


def test_proof_steps_agree_with_the_reference_display(setmm, sample, reference_steps):
    verifier = Verifier(setmm)
    for label in sample:
        trace = proof_trace(verifier, setmm.statements[label])
        ours = [(s.step, s.hypotheses, s.label, s.kind, s.expression) for s in trace]
        assert ours == reference_steps[label], label


def test_extracted_steps_agree_with_the_reference_display(setmm, sample, reference_steps):
    """Goal and substitution of every |- step, read off the reference display independently:
    an assertion's floating hypotheses are filled by the steps it uses, minus their typecodes."""
    verifier = Verifier(setmm)
    for label in sample:
        theorem = setmm.statements[label]
        hypotheses = "".join(f" $e {h.expression.rstrip()}" for h in theorem.essentials)
        shown = {row[0]: row for row in reference_steps[label]}
        expected = []
        for step, used, name, kind, expression in reference_steps[label]:
            if kind not in ("$a", "$p") or name.startswith("@") or not expression.startswith("|- "):
                continue
            assertion = setmm.statements[name]
            parts = [name]
            for hypothesis, source in zip(assertion.hypotheses, used):
                if hypothesis.kind == "f":
                    value = shown[source][4].split(maxsplit=1)[1:]
                    parts += ["$s", hypothesis.variable, *value]
            expected.append((step, expression + hypotheses, " ".join(parts)))
        examples = theorem_steps(verifier, theorem)
        assert [(e.step, e.source, e.target) for e in examples] == expected, label


def test_extracted_examples_pass_the_checker_and_mutations_fail(setmm, sample):
    verifier = Verifier(setmm)
    checker = StepChecker(setmm)
    rng = random.Random(1)
    labels = sample + [t.label for t in rng.sample(setmm.theorems, 200)]
    rejected = 0
    for label in labels:
        circular = circular_steps(verifier, setmm.statements[label])
        for example in theorem_steps(verifier, setmm.statements[label]):
            assert bool(checker.check(example.theorem, example.source, example.target)) is (example.step not in circular), example
            tokens = example.target.split()
            position = rng.randrange(len(tokens))
            if tokens[position] in ("$s",) or (position > 0 and tokens[position - 1] == "$s"):
                continue
            mutated = " ".join(tokens[:position] + ["( ph -> ps )" if position else "ax-mp"] + tokens[position + 1 :])
            rejected += not checker.check(example.theorem, example.source, mutated)
    assert rejected > 100
