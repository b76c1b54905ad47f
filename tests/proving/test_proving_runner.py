"""The runner on the toy database: one jsonl row per theorem, resumption, and a ``.mm`` fragment that our
verifier and the reference ``metamath`` program both accept appended to the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from proving_support import ID_TABLE, TableProposer, reference_verify

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath import Database, Verifier, read_database
from lime_reasoning.proving.runner import prove_theorems
from lime_reasoning.proving.search import SearchConfig

CONFIG = SearchConfig(budget=10, k=8, tautology=True)


def run(toy: Database, out: Path, proofs: Path | None = None) -> TableProposer:
    proposer = TableProposer(ID_TABLE)
    prove_theorems(toy, [toy.assertion("a1i"), toy.assertion("id")], proposer, CONFIG, out, proofs)
    return proposer


def test_rows_and_resumption(toy: Database, tmp_path: Path) -> None:
    out = tmp_path / "proved.jsonl"
    run(toy, out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["theorem"], r["proved"], r["expansions"]) for r in rows] == [("a1i", True, 2), ("id", True, 5)]
    assert rows[0]["proof"] == ["wph", "wps", "wph", "wi", "a1i.1", "wph", "wps", "ax-1", "ax-mp"]
    assert (rows[0]["proof_length"], rows[0]["database_proof_length"]) == (9, 9)
    assert rows[1]["database_proof_length"] is None  # id's own proof is incomplete
    with open(out, "a") as handle:  # an interruption in the middle of a row
        handle.write('{"theorem": "x"')
    assert run(toy, out).calls == []
    assert len(out.read_text().splitlines()) == 2
    with pytest.raises(LimeError, match="holds results of another search"):
        prove_theorems(toy, [toy.assertion("id")], TableProposer(ID_TABLE), SearchConfig(budget=3), out)


def test_fragment_verifies_with_our_verifier_and_the_reference_program(
    toy: Database, toy_path: Path, tmp_path: Path, metamath_program: str
) -> None:
    proofs = tmp_path / "proofs.mm"
    run(toy, tmp_path / "proved.jsonl", proofs)
    fragment = proofs.read_text()
    assert fragment.count("${") == 2 and "a1i.lime.1 $e |- ph $." in fragment
    joined = tmp_path / "joined.mm"
    joined.write_text(toy_path.read_text() + fragment)
    database = read_database(joined)
    verifier = Verifier(database)
    assert all(verifier.run(database.assertion(label)) for label in ("a1i.lime", "id.lime"))
    assert reference_verify(metamath_program, joined) == "a1i.lime id.lime"


def test_the_reference_check_sees_a_wrong_proof(toy_path: Path, tmp_path: Path, metamath_program: str) -> None:
    """The negative control of the check above: a proof that proves ``wff ph``, not ``|- ph``."""
    joined = tmp_path / "joined.mm"
    joined.write_text(toy_path.read_text() + "bad.lime $p |- ph $= wph $.\n")
    assert "?Error" in reference_verify(metamath_program, joined)

