"""Token-budget batching, the schedule and the objective, checked against direct computations."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from lime_reasoning.modeling.model import bart_config, build_model
from lime_reasoning.modeling.model_presets import resolve_model_preset
from lime_reasoning.training.batching import EpochPlan, token_batches
from lime_reasoning.training.data import collate, encode_pairs
from lime_reasoning.training.objective import Seq2SeqObjective
from lime_reasoning.training.schedule import inverse_sqrt_factor
from lime_reasoning.modeling.vocabulary import tokenizer_from_lines

lengths = st.lists(st.tuples(st.integers(1, 40), st.integers(1, 40)), min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(pairs=lengths, budget=st.integers(40, 400), seed=st.integers(0, 5))
def test_batches_cover_every_example_once_within_budget(pairs: list[tuple[int, int]], budget: int, seed: int) -> None:
    src, tgt = (np.array(side) for side in zip(*pairs))
    batches = token_batches(src, tgt, budget, np.random.default_rng(seed))
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(pairs)))
    for rows in batches:
        assert len(rows) * max(src[rows].max(), tgt[rows].max()) <= budget
    widths = [int(src[rows].max()) for rows in batches]
    assert widths == sorted(widths)


def test_ranks_share_the_global_batch_of_one_process() -> None:
    rng = np.random.default_rng(1)
    src, tgt = rng.integers(1, 30, 500), rng.integers(1, 30, 500)
    one = EpochPlan.make(src, tgt, 200, seed=3, epoch=2, world=1, accumulation=4)
    four = [EpochPlan.make(src, tgt, 200, seed=3, epoch=2, world=2, accumulation=2) for _ in range(2)]
    assert one.steps == four[0].steps
    for step in range(one.steps):
        single = sorted(np.concatenate(one.rank_batches(step, 0)).tolist())
        shared = sorted(np.concatenate([b for rank in (0, 1) for b in four[rank].rank_batches(step, rank)]).tolist())
        assert single == shared


def test_inverse_sqrt_schedule() -> None:
    assert inverse_sqrt_factor(0, 100) == 0.01
    assert inverse_sqrt_factor(99, 100) == 1.0
    assert math.isclose(inverse_sqrt_factor(399, 100), 0.5)


def test_objective_matches_plain_cross_entropy() -> None:
    sources = ["a b c", "b c", "c a b a"]
    targets = ["c b a", "a", "b b"]
    tokenizer = tokenizer_from_lines(sources + targets)
    data = encode_pairs(tokenizer, sources, targets)
    fields, _ = resolve_model_preset("tiny", ["d_model=32", "encoder_layers=1", "decoder_layers=1"])
    model = build_model(bart_config(fields, tokenizer.get_vocab_size()), seed=0).eval()
    batch = collate(data, np.arange(3))
    stats = Seq2SeqObjective(model, 0.1)(batch.input_ids, batch.attention_mask, batch.decoder_input_ids, batch.labels)
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                   decoder_input_ids=batch.decoder_input_ids).logits
    flat, labels = logits.reshape(-1, logits.shape[-1]), batch.labels.reshape(-1)
    expected = F.cross_entropy(flat, labels, ignore_index=1, label_smoothing=0.1, reduction="sum")
    torch.testing.assert_close(stats.loss, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(stats.nll, F.cross_entropy(flat, labels, ignore_index=1, reduction="sum"),
                               rtol=1e-5, atol=1e-5)
    assert batch.tokens == sum(len(t.split()) + 1 for t in targets)
    greedy = model.generate(input_ids=batch.input_ids, attention_mask=batch.attention_mask, num_beams=1,
                            do_sample=False, max_new_tokens=8)
    decoded = tokenizer.decode_batch(greedy.tolist(), skip_special_tokens=True)
    agree = [decoded[i] == targets[i] for i in range(3)]
    assert stats.exact.tolist() == agree
