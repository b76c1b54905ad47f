"""Presets and ``--set`` overrides; the model a run saves opens with the Auto classes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM

from lime_reasoning.errors import LimeError
from lime_reasoning.modeling.model import bart_config, build_model
from lime_reasoning.modeling.model_presets import MODEL_PRESETS, resolve_model_preset


def test_base_is_the_papers_transformer() -> None:
    fields, _ = resolve_model_preset("base")
    assert (fields["encoder_layers"], fields["decoder_layers"], fields["d_model"]) == (6, 6, 512)
    assert (fields["encoder_attention_heads"], fields["encoder_ffn_dim"], fields["dropout"]) == (8, 2048, 0.1)


def test_every_field_can_be_overridden() -> None:
    overrides = {"d_model": "96", "encoder_layers": "1", "decoder_ffn_dim": "64", "dropout": "0.25",
                 "scale_embedding": "false", "activation_function": "gelu"}
    fields, _ = resolve_model_preset("tiny", [f"{k}={v}" for k, v in overrides.items()])
    assert (fields["d_model"], fields["encoder_layers"], fields["decoder_ffn_dim"]) == (96, 1, 64)
    assert (fields["dropout"], fields["scale_embedding"], fields["activation_function"]) == (0.25, False, "gelu")
    assert set(MODEL_PRESETS["tiny"].fields) == set(MODEL_PRESETS["base"].fields)


@pytest.mark.parametrize("override", ["d_model=130", "decoder_attention_heads=0", "attention_dropout=1",
                                      "activation_function=sigmoid", "d_model=big", "nonsense"])
def test_impossible_configurations(override: str) -> None:
    with pytest.raises(LimeError):
        resolve_model_preset("tiny", [override])


def test_saved_model_opens_with_auto_class(tmp_path: Path) -> None:
    fields, _ = resolve_model_preset("tiny", ["d_model=32", "encoder_layers=1", "decoder_layers=1"])
    model = build_model(bart_config(fields, 50), seed=3)
    model.save_pretrained(str(tmp_path))
    loaded = AutoModelForSeq2SeqLM.from_pretrained(str(tmp_path))
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), name
    assert loaded.config.pad_token_id == 1 and loaded.config.decoder_start_token_id == 2
    assert build_model(bart_config(fields, 50), seed=3).state_dict()["model.shared.weight"].equal(
        model.state_dict()["model.shared.weight"])
