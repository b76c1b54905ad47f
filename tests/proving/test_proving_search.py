"""Best-first search on the toy database with a table "model": the hand-derived proofs, in the hand-derived
number of expansions; wrong proposals refused; the budget respected."""

from __future__ import annotations

import subprocess
import sys

from proving_support import ID_TABLE, TableProposer

from lime_reasoning.metamath import Database, StepChecker
from lime_reasoning.metamath.proof_assembly import ProofAssembler, ProofNode
from lime_reasoning.proving.search import ProofSearch, SearchConfig


def search(toy: Database, table: dict, **config) -> ProofSearch:
    return ProofSearch(StepChecker(toy), TableProposer(table), SearchConfig(**{"budget": 10, "k": 8, **config}))


def test_id_is_proved_in_five_expansions_with_the_tautology_rule(toy: Database) -> None:
    result = search(toy, ID_TABLE, tautology=True).prove(toy.assertion("id"))
    assert (result.found, result.expansions, result.stopped) == (True, 5, "proved")
    assert result.tree == ProofNode("ax-mp", ("( ph -> ( ph -> ph ) ) ", "( ph -> ph ) "), (
        ProofNode("ax-1", ("ph ", "ph ")),
        ProofNode("ax-mp", ("( ph -> ( ( ph -> ph ) -> ph ) ) ", "( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) ) "), (
            ProofNode("ax-1", ("ph ", "( ph -> ph ) ")),
            ProofNode("ax-2", ("ph ", "( ph -> ph ) ", "ph ")),
        )),
    ))
    assert ProofAssembler(toy).assemble(toy.assertion("id"), result.tree)


def test_without_the_tautology_rule_the_dead_end_costs_one_expansion(toy: Database) -> None:
    """``ax-mp`` leaving ``|- ps`` is then accepted and, scoring best, expanded first: no proposal for it."""
    result = search(toy, ID_TABLE).prove(toy.assertion("id"))
    assert (result.found, result.expansions) == (True, 6)


def test_wrong_proposals_alone_prove_nothing(toy: Database) -> None:
    wrong = {"|- ( ph -> ph )": ID_TABLE["|- ( ph -> ph )"][:4]}
    result = search(toy, wrong, tautology=True).prove(toy.assertion("id"))
    assert (result.found, result.expansions, result.stopped, result.tree) == (False, 1, "exhausted", None)


def test_the_budget_is_respected(toy: Database) -> None:
    result = search(toy, ID_TABLE, tautology=True, budget=4).prove(toy.assertion("id"))
    assert (result.found, result.expansions, result.stopped) == (False, 4, "budget")


def test_a_goal_equal_to_a_hypothesis_closes_at_once(toy: Database) -> None:
    proposer = TableProposer(ID_TABLE)
    result = ProofSearch(StepChecker(toy), proposer, SearchConfig(budget=5, k=3)).prove(toy.assertion("a1i"))
    assert (result.found, result.expansions) == (True, 2)
    assert result.tree == ProofNode("ax-mp", ("ph ", "( ps -> ph ) "), (
        ProofNode("a1i.1"), ProofNode("ax-1", ("ph ", "ps ")),
    ))
    assert [call[1] for call in proposer.calls] == [["|- ( ps -> ph )"], ["|- ( ph -> ( ps -> ph ) )"]]
    assert {call[2] for call in proposer.calls} == {3}


def test_the_search_is_deterministic(toy: Database) -> None:
    results = [search(toy, ID_TABLE).prove(toy.assertion("id")) for _ in range(2)]
    assert results[0] == results[1]


def test_search_runner_and_assembly_do_not_import_torch() -> None:
    """Only the model proposer may: the data layer runs where torch is not installed."""
    modules = ("lime_reasoning.proving.runner", "lime_reasoning.metamath.proof_assembly", "lime_reasoning.cli.prove")
    code = f"import sys; import {', '.join(modules)}; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_batching_asks_for_every_new_goal_of_a_node_at_once_and_expands_the_same_nodes(toy: Database) -> None:
    """Hand-derived from the proof of id above (G the theorem, A..D its subgoals as named there): the node
    {B, A} asks for both; {D, C, A} for D and C (A's are known); {C, A} and {A} need no call. One goal at a time
    asks five times, once per expansion."""
    goal = "|- ( ph -> ph )"
    a, b = "|- ( ph -> ( ph -> ph ) )", "|- ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )"
    c = "|- ( ph -> ( ( ph -> ph ) -> ph ) )"
    d = "|- ( ( ph -> ( ( ph -> ph ) -> ph ) ) -> ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) ) )"
    outcomes = {}
    for batch in (True, False):
        proposer = TableProposer(ID_TABLE)
        config = SearchConfig(budget=10, k=8, tautology=True, batch_goals=batch)
        result = ProofSearch(StepChecker(toy), proposer, config).prove(toy.assertion("id"))
        outcomes[batch] = (result.found, result.expansions, result.tree)
        expected = [[goal], [b, a], [d, c]] if batch else [[goal], [b], [d], [c], [a]]
        assert [call[1] for call in proposer.calls] == expected
    assert outcomes[True] == outcomes[False] and outcomes[True][:2] == (True, 5)
