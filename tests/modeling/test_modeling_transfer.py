"""Vocabulary transfer from a LIME-pretrained model to a downstream vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer

from lime_reasoning.modeling.model import bart_config, build_model
from lime_reasoning.modeling.model_presets import resolve_model_preset
from lime_reasoning.modeling.transfer import transfer
from lime_reasoning.modeling.vocabulary import SPECIAL_TOKENS, build_tokenizer, save_tokenizer

EMBEDDING_KEYS = {"model.shared.weight", "model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight",
                  "lm_head.weight", "final_logits_bias"}
STRUCTURE = ["<space>", ":", "[", "]"]


def pretrained_vocab(symbols: int) -> dict[str, int]:
    tokens = [*SPECIAL_TOKENS, *STRUCTURE, *(str(i) for i in range(symbols))]
    return {token: index for index, token in enumerate(tokens)}


@pytest.fixture
def pretrained() -> torch.nn.Module:
    fields, _ = resolve_model_preset("tiny", ["d_model=32", "encoder_layers=1", "decoder_layers=1"])
    model = build_model(bart_config(fields, len(pretrained_vocab(20))), seed=0)
    with torch.no_grad():
        model.final_logits_bias.normal_()
    return model


@pytest.fixture
def downstream(tmp_path: Path) -> Path:
    """Metamath-like lines: 30 labels, two of the pretrained structure tokens."""
    labels = [f"ax-{i}" for i in range(30)]
    (tmp_path / "train.src").write_text("".join(f"|- ( {a} -> {b} ) : [\n" for a, b in zip(labels, labels[1:])))
    (tmp_path / "train.tgt").write_text("".join(f"{a} ]\n" for a in labels[:-1]))
    return tmp_path


def test_map_keeps_every_other_weight(pretrained: torch.nn.Module, downstream: Path) -> None:
    vocab = build_tokenizer(downstream).get_vocab()
    model, mapping = transfer(pretrained, pretrained_vocab(20), vocab, "map", seed=0)
    before, after = pretrained.state_dict(), model.state_dict()
    for name, value in before.items():
        if name not in EMBEDDING_KEYS:
            assert torch.equal(after[name], value), name
    old_rows, new_rows = before["model.shared.weight"], after["model.shared.weight"]
    old_vocab = pretrained_vocab(20)
    for token in [*SPECIAL_TOKENS, ":", "[", "]"]:
        assert torch.equal(new_rows[vocab[token]], old_rows[old_vocab[token]]), token
        assert after["final_logits_bias"][0, vocab[token]] == before["final_logits_bias"][0, old_vocab[token]]
    others = [t for t in vocab if t not in old_vocab]
    symbol_rows = {tuple(old_rows[old_vocab[str(i)]].tolist()) for i in range(20)}
    used = [tuple(new_rows[vocab[t]].tolist()) for t in others]
    from_symbols = [row for row in used if row in symbol_rows]
    assert len(from_symbols) == len(set(from_symbols)) == 20
    assert mapping.by_name == 7 and mapping.by_symbol == 20 and mapping.fresh == len(others) - 20
    assert torch.equal(model.lm_head.weight, model.model.shared.weight)


def test_reinit_and_none(pretrained: torch.nn.Module, downstream: Path) -> None:
    vocab = build_tokenizer(downstream).get_vocab()
    before = pretrained.state_dict()
    reinit, _ = transfer(pretrained, pretrained_vocab(20), vocab, "reinit", seed=0)
    scratch, _ = transfer(pretrained, pretrained_vocab(20), vocab, "none", seed=0)
    kept = [name for name in before if name not in EMBEDDING_KEYS]
    assert all(torch.equal(reinit.state_dict()[name], before[name]) for name in kept)
    assert not all(torch.equal(scratch.state_dict()[name], before[name]) for name in kept)
    assert reinit.config.vocab_size == scratch.config.vocab_size == len(vocab)


def test_tokenizer_round_trips_every_downstream_token(downstream: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    save_tokenizer(build_tokenizer(downstream), out)
    tokenizer = AutoTokenizer.from_pretrained(str(out))
    tokens = {t for side in ("src", "tgt") for line in (downstream / f"train.{side}").read_text().splitlines()
              for t in line.split()}
    for token in tokens:
        ids = tokenizer(token, add_special_tokens=False).input_ids
        assert len(ids) == 1 and ids[0] != tokenizer.unk_token_id
        assert tokenizer.decode(ids) == token
    for line in (downstream / "train.src").read_text().splitlines():
        assert tokenizer.decode(tokenizer(line).input_ids, skip_special_tokens=True) == line


def test_map_does_not_depend_on_the_order_of_the_vocabulary_dictionaries(pretrained: torch.nn.Module,
                                                                          downstream: Path) -> None:
    """``Tokenizer.get_vocab()`` lists tokens in a different order in every process; fresh rows must not care."""
    vocab = build_tokenizer(downstream).get_vocab()
    forward, _ = transfer(pretrained, pretrained_vocab(20), vocab, "map", seed=0)
    backward, _ = transfer(pretrained, dict(reversed(pretrained_vocab(20).items())), dict(reversed(vocab.items())),
                           "map", seed=0)
    for name, value in forward.state_dict().items():
        assert torch.equal(backward.state_dict()[name], value), name
