"""Fixtures for the proof-search tests: the toy database of proving_support, the reference program."""

from __future__ import annotations

from pathlib import Path

import pytest
from metamath_support import metamath_program  # noqa: F401  (a fixture shared with tests/metamath)
from proving_support import TOY

from lime_reasoning.metamath import Database, read_database


@pytest.fixture()
def toy_path(tmp_path: Path) -> Path:
    path = tmp_path / "toy.mm"
    path.write_text(TOY, encoding="utf-8")
    return path


@pytest.fixture()
def toy(toy_path: Path) -> Database:
    return read_database(toy_path)


def save_random_model(directory: Path, words: list[str]) -> Path:
    """A tiny random model over ``words``: it never writes a special token but ``</s>`` and is never forced to
    end, so each candidate's text holds exactly the tokens it was scored on."""
    from lime_reasoning.modeling.model import bart_config, build_model
    from lime_reasoning.modeling.model_presets import resolve_model_preset
    from lime_reasoning.modeling.vocabulary import (
        BOS_ID,
        PAD_ID,
        UNK_ID,
        save_tokenizer,
        tokenizer_from_lines,
    )

    tokenizer = tokenizer_from_lines([" ".join(words)])
    small = ["d_model=32", "encoder_layers=1", "decoder_layers=1", "encoder_ffn_dim=64", "decoder_ffn_dim=64",
             "max_position_embeddings=64"]
    fields, _ = resolve_model_preset("tiny", small)
    model = build_model(bart_config(fields, tokenizer.get_vocab_size()), seed=3)
    model.final_logits_bias[0, [BOS_ID, PAD_ID, UNK_ID]] = -1e4
    model.generation_config.forced_eos_token_id = None
    model.save_pretrained(str(directory))
    save_tokenizer(tokenizer, directory)
    return directory


@pytest.fixture(scope="session")
def toy_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_random_model(tmp_path_factory.mktemp("toy-model"), TOY.split() + ["$s", "$e"])


@pytest.fixture(scope="session")
def foreign_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model whose vocabulary holds none of the toy database's math symbols."""
    return save_random_model(tmp_path_factory.mktemp("foreign-model"), ["a", "b", "c", "$s"])
