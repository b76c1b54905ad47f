"""The model-free provers on the toy database: a train split that holds every step of id's proof lets the
lookup prove id in the search's five expansions; the constant prover's single candidate proves nothing."""

from __future__ import annotations

import math

from proving_support import ID_TABLE

from lime_reasoning.metamath import Database, StepChecker
from lime_reasoning.proving.baseline_proposer import BaselineProposer
from lime_reasoning.proving.search import ProofSearch, SearchConfig

# id has no hypotheses, so each step's source is its goal; the correct step of each goal is its table's last.
TRAIN = [{"src": goal, "tgt": proposals[-1][0]} for goal, proposals in ID_TABLE.items()]


def prove(toy: Database, name: str, k: int):
    proposer = BaselineProposer(name, toy, TRAIN)
    return ProofSearch(StepChecker(toy), proposer, SearchConfig(budget=10, k=k, tautology=True)).prove(toy.assertion("id"))


def test_the_lookup_proves_what_train_holds(toy: Database) -> None:
    result = prove(toy, "train_lookup", k=1)
    assert (result.found, result.expansions) == (True, 5)


def test_the_best_constant_proves_nothing_here(toy: Database) -> None:
    """Every train target occurs once, so the constant is the first one: id's ax-mp, wrong for the subgoals."""
    result = prove(toy, "best_constant", k=1)
    assert (result.found, result.expansions, result.stopped) == (False, 2, "exhausted")


def test_candidates_score_by_rank(toy: Database) -> None:
    proposals = BaselineProposer("best_constant", toy, TRAIN).propose("id", ["|- ( ph -> ph )"], 3)
    assert [score for _, score in proposals[0]] == [0.0, -math.log(2), -math.log(3)]
    assert [target for target, _ in proposals[0]] == [t["tgt"] for t in TRAIN[:3]]
