"""Proof assembly: normal-format proofs with their syntax steps, from trees of ``|-`` steps.

On set.mm the trees are the database's own steps (as :mod:`lime_reasoning.metamath.steps` extracts them):
re-assembled, each proof verifies, has the length of the database's proof written out in normal format,
and verifies with the reference ``metamath`` program appended to set.mm under a new label.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from proving_support import reference_verify

from lime_reasoning.metamath import (
    Assertion,
    Database,
    ProofError,
    Verifier,
    parse_target,
    read_database,
)
from lime_reasoning.metamath.database import expression
from lime_reasoning.metamath.proof_assembly import (
    AssemblyError,
    ProofAssembler,
    ProofNode,
    normal_length,
)
from lime_reasoning.metamath.steps import proof_trace, theorem_steps
from lime_reasoning.proving.fragment import fragment_block

LAST = "2p2e4"
THEOREMS = ["a1i", "mp2", "syl", "pm2.61", "alrimiv", "cbvalv", "ax5e", LAST]  # propositional, $d, classes


def database_tree(verifier: Verifier, theorem: Assertion) -> ProofNode:
    """The tree of the database's own ``|-`` steps of ``theorem``."""
    targets = {example.step: parse_target(example.target) for example in theorem_steps(verifier, theorem)}
    trees: dict[int, ProofNode | None] = {}
    for step in proof_trace(verifier, theorem):
        if step.label.startswith("@"):
            trees[step.step] = trees[int(step.label[1:])]
        elif not step.expression.startswith("|-"):
            trees[step.step] = None
        elif step.kind == "$e":
            trees[step.step] = ProofNode(step.label)
        else:
            target = targets[step.step]
            children = tuple(tree for used in step.hypotheses if (tree := trees[used]) is not None)
            trees[step.step] = ProofNode(target.label, tuple(map(expression, target.substitution)), children)
    return trees[len(trees)]


@pytest.fixture(scope="module")
def setmm_start(setmm_path: Path) -> Database:
    """set.mm up to the last theorem used here (two seconds instead of reading it all)."""
    return read_database(setmm_path, stop_after=LAST)


@pytest.fixture(scope="module")
def assembled(setmm_start: Database) -> dict[str, list[str]]:
    assembler = ProofAssembler(setmm_start)
    theorems = [setmm_start.assertion(label) for label in THEOREMS]
    return {t.label: assembler.assemble(t, database_tree(assembler.verifier, t)) for t in theorems}


def test_setmm_steps_reassemble_into_verified_proofs_of_the_database_length(setmm_start: Database,
                                                                            assembled: dict[str, list[str]]) -> None:
    verifier = Verifier(setmm_start)
    for label, proof in assembled.items():
        assert len(proof) == normal_length(verifier, setmm_start.assertion(label)), label
    assert assembled["a1i"] == ["wph", "wps", "wph", "wi", "a1i.1", "wph", "wps", "ax-1", "ax-mp"]


def test_setmm_proofs_verify_with_the_reference_program(setmm_path: Path, setmm_start: Database,
                                                        assembled: dict[str, list[str]], metamath_program: str,
                                                        tmp_path: Path) -> None:
    joined = tmp_path / "set.mm"
    blocks = "".join(fragment_block(setmm_start, setmm_start.assertion(t), proof) for t, proof in assembled.items())
    joined.write_bytes(setmm_path.read_bytes() + b"\n" + blocks.encode())
    assert reference_verify(metamath_program, joined).split() == [f"{label}.lime" for label in THEOREMS]


def test_syntax_proofs_follow_the_parse_tree(prop: Database) -> None:
    parser = ProofAssembler(prop).parser(prop.assertion("a1i"))
    assert parser.proof("wff", "( ph -> -. ps ) ") == ("wph", "wps", "wn", "wi")
    with pytest.raises(AssemblyError, match="no parse"):
        parser.proof("wff", "( ph -> ")


def test_trees_that_are_not_proofs_are_refused(prop: Database) -> None:
    assembler, a1i = ProofAssembler(prop), prop.assertion("a1i")
    with pytest.raises(AssemblyError, match="needs 2 substitutions and 2 subproofs"):
        assembler.assemble(a1i, ProofNode("ax-mp", ("ph ", "( ps -> ph ) "), (ProofNode("a1i.1"),)))
    with pytest.raises(AssemblyError, match="neither an assertion nor a hypothesis"):
        assembler.assemble(a1i, ProofNode("nosuch"))
    with pytest.raises(ProofError, match="not the statement"):  # the verifier's word: it proves another formula
        assembler.assemble(a1i, ProofNode("ax-1", ("ps ", "ph ")))
