"""Carrying a pretrained model over to a downstream vocabulary: ``map``, ``reinit`` or ``none``.

LIME's pretraining vocabulary is meaningless symbols, the downstream one is a benchmark's tokens, so
the token embeddings (shared with the output layer) cannot be reused by name alone.

* ``map`` keeps every weight. A downstream token whose name is in the pretrained vocabulary (the
  special tokens, separators) keeps that row. The others take the rows of pretrained *symbols*, most
  frequent first: LIME symbols are interchangeable by construction, so any one-to-one assignment is as
  good as another. Tokens beyond the symbol count get rows drawn from a Gaussian with the per-dimension
  mean and standard deviation of the symbol rows.
* ``reinit`` keeps every weight except the token embeddings and output bias, which are initialised
  afresh for the new vocabulary.
* ``none`` keeps nothing: the same architecture trained from scratch (the baseline).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import BartForConditionalGeneration

from lime_reasoning.modeling.model import build_model
from lime_reasoning.modeling.vocabulary import SPECIAL_TOKENS

def is_symbol(token: str) -> bool:
    """LIME's generator writes every symbol as its integer id; anything else is structure."""
    return token.isdigit()


@dataclass(frozen=True)
class TokenMap:
    """For each downstream id, the pretrained row it starts from (-1: a fresh row)."""

    source_rows: list[int]
    by_name: int
    by_symbol: int
    fresh: int


def token_map(pretrained: dict[str, int], downstream: dict[str, int]) -> TokenMap:
    """Assign downstream tokens to pretrained rows: by name first, then to unused symbols."""
    rows = [-1] * len(downstream)
    order = sorted(downstream, key=downstream.__getitem__)
    unmatched = []
    for token in order:
        if token in pretrained:
            rows[downstream[token]] = pretrained[token]
        else:
            unmatched.append(token)
    by_name = len(order) - len(unmatched)
    used = set(rows)
    symbols = [i for t, i in sorted(pretrained.items(), key=lambda item: item[1]) if is_symbol(t) and i not in used]
    if not symbols:
        symbols = [i for t, i in sorted(pretrained.items(), key=lambda item: item[1])
                   if t not in SPECIAL_TOKENS and i not in used]
    for token, row in zip(unmatched, symbols):
        rows[downstream[token]] = row
    by_symbol = min(len(unmatched), len(symbols))
    return TokenMap(rows, by_name, by_symbol, len(unmatched) - by_symbol)


def _mapped_rows(weight: torch.Tensor, mapping: TokenMap, pool: list[int], generator: torch.Generator) -> torch.Tensor:
    """New rows: copies of the mapped pretrained rows, fresh ones drawn from the pool's statistics."""
    source = torch.tensor(mapping.source_rows)
    fresh = source < 0
    rows = weight[source.clamp(min=0)].clone()
    if fresh.any():
        reference = weight[pool] if pool else weight
        mean, std = reference.mean(dim=0), reference.std(dim=0)
        noise = torch.randn(int(fresh.sum()), weight.shape[1], generator=generator, dtype=weight.dtype)
        rows[fresh] = mean + std * noise
    return rows


def transfer(
    pretrained: BartForConditionalGeneration,
    pretrained_vocab: dict[str, int],
    downstream_vocab: dict[str, int],
    method: str,
    seed: int,
) -> tuple[BartForConditionalGeneration, TokenMap | None]:
    """A model for ``downstream_vocab`` started from ``pretrained`` by ``method`` (see the module doc)."""
    config = pretrained.config.__class__.from_dict(pretrained.config.to_dict())
    config.vocab_size = len(downstream_vocab)
    model = build_model(config, seed)
    if method == "none":
        return model, None
    state = {key: value for key, value in pretrained.state_dict().items()
             if key not in ("model.shared.weight", "model.encoder.embed_tokens.weight",
                            "model.decoder.embed_tokens.weight", "lm_head.weight", "final_logits_bias")}
    model.load_state_dict(state, strict=False)
    if method == "reinit":
        return model, None
    mapping = token_map(pretrained_vocab, downstream_vocab)
    pool = sorted(i for t, i in pretrained_vocab.items() if is_symbol(t))  # ids, not get_vocab() order
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        embeddings = _mapped_rows(pretrained.get_input_embeddings().weight, mapping, pool, generator)
        model.get_input_embeddings().weight.copy_(embeddings)
        bias = pretrained.final_logits_bias[0]
        model.final_logits_bias.copy_(_mapped_rows(bias[:, None], mapping, pool, generator)[:, 0][None])
    return model, mapping
