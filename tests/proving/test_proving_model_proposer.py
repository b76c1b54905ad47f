"""The model proposer on a tiny random model: k candidates per goal in one call, each with the summed
log-probability of its tokens (checked against a forward pass), and garbage refused by the search, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath import Database, StepChecker
from lime_reasoning.modeling.vocabulary import EOS_ID
from lime_reasoning.proving.model_proposer import ModelProposer
from lime_reasoning.proving.search import ProofSearch, SearchConfig, goal_source

GOALS = ["|- ( ps -> ph )", "|- ph"]
MAX_LENGTH = 6


@pytest.fixture()
def proposer(toy_model: Path, toy: Database) -> ModelProposer:
    return ModelProposer(toy_model, toy, max_length=MAX_LENGTH, device=torch.device("cpu"))


def test_sources_are_written_as_metamathstep_writes_them(toy: Database) -> None:
    assert goal_source(toy.assertion("a1i"), "|- ( ps -> ph )") == "|- ( ps -> ph ) $e |- ph"


@pytest.mark.parametrize("k", [1, 3])
def test_k_candidates_per_goal_with_summed_log_probabilities(proposer: ModelProposer, toy: Database, k: int) -> None:
    found = proposer.propose("a1i", GOALS, k)
    assert [len(candidates) for candidates in found] == [k, k]
    tokenizer, model = proposer.tokenizer, proposer.model
    for goal, candidates in zip(GOALS, found):
        source = torch.tensor([tokenizer.encode(goal_source(toy.assertion("a1i"), goal)).ids])
        for text, logprob in candidates:
            ids = tokenizer.encode(text, add_special_tokens=False).ids
            ids += [EOS_ID] if len(ids) < MAX_LENGTH else []  # ended by the model, not by the length limit
            decoder = torch.tensor([[EOS_ID, *ids[:-1]]])
            with torch.no_grad():
                logits = model(input_ids=source, decoder_input_ids=decoder).logits
            expected = torch.log_softmax(logits[0], dim=-1)[torch.arange(len(ids)), ids].sum().item()
            assert logprob == pytest.approx(expected, abs=1e-3)


def test_garbage_candidates_are_refused_by_the_search(proposer: ModelProposer, toy: Database) -> None:
    result = ProofSearch(StepChecker(toy), proposer, SearchConfig(budget=3, k=2)).prove(toy.assertion("a1i"))
    assert not result.found and result.tree is None


def test_a_foreign_vocabulary_is_refused(foreign_model: Path, toy: Database) -> None:
    with pytest.raises(LimeError, match="not in the vocabulary"):
        ModelProposer(foreign_model, toy).check_vocabulary([toy.assertion("a1i")])
