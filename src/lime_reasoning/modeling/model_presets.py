"""Model presets: the paper's ``base`` transformer and two smaller ones, every field overridable.

A preset is a set of ``BartConfig`` fields (the names users see in ``--set FIELD=VALUE`` are
``BartConfig``'s own, so the saved ``config.json`` reads the same) plus the learning-rate schedule
that suits its size. BART is configured as fairseq's transformer: post-norm layers, ReLU, embeddings
scaled by sqrt(d_model), input and output embeddings shared (``--share-all-embeddings`` over a joined
dictionary). BART differs only in learned positions and one layer norm after the embeddings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lime_reasoning.errors import LimeError


@dataclass(frozen=True)
class ModelPreset:
    """Architecture fields plus the schedule defaults (peak learning rate, warm-up steps)."""

    fields: Mapping[str, Any]
    lr: float
    warmup: int
    description: str = ""


def _shape(layers: int, d_model: int, heads: int, ffn: int, dropout: float, positions: int) -> dict[str, Any]:
    return {
        "encoder_layers": layers,
        "decoder_layers": layers,
        "d_model": d_model,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "dropout": dropout,
        "attention_dropout": 0.0,
        "activation_dropout": 0.0,
        "activation_function": "relu",
        "max_position_embeddings": positions,
        "scale_embedding": True,
        "init_std": 0.02,
    }


MODEL_PRESETS: dict[str, ModelPreset] = {
    "base": ModelPreset(_shape(6, 512, 8, 2048, 0.1, 1024), lr=5e-4, warmup=4000, description="the paper's transformer base"),
    "small": ModelPreset(_shape(4, 256, 4, 1024, 0.1, 1024), lr=7e-4, warmup=4000, description="a quarter of base's width"),
    "tiny": ModelPreset(_shape(3, 128, 4, 512, 0.0, 512), lr=2e-3, warmup=500, description="sized for a 2-core CPU"),
}
"""``tiny`` has no dropout: on a 2-core CPU it sees fresh data long before it could overfit."""

INT_FIELDS = {"encoder_layers", "decoder_layers", "d_model", "encoder_attention_heads", "decoder_attention_heads",
              "encoder_ffn_dim", "decoder_ffn_dim", "max_position_embeddings"}
FLOAT_FIELDS = {"dropout", "attention_dropout", "activation_dropout", "init_std"}
BOOL_FIELDS = {"scale_embedding"}
ACTIVATIONS = ("relu", "gelu", "gelu_new", "silu", "tanh")


def _parse_value(name: str, text: str) -> Any:
    try:
        if name in INT_FIELDS:
            return int(text)
        if name in FLOAT_FIELDS:
            return float(text)
    except ValueError:
        raise LimeError(f"--set {name}={text}: expected a{'n integer' if name in INT_FIELDS else ' number'}") from None
    if name in BOOL_FIELDS:
        if text.lower() not in ("true", "false", "1", "0"):
            raise LimeError(f"--set {name}={text}: expected true or false")
        return text.lower() in ("true", "1")
    return text


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["d_model=256", "dropout=0"]`` -> typed values; unknown fields are an error."""
    known = sorted(INT_FIELDS | FLOAT_FIELDS | BOOL_FIELDS | {"activation_function"})
    overrides: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise LimeError(f"--set {item}: expected FIELD=VALUE with FIELD one of {', '.join(known)}")
        overrides[name] = _parse_value(name, text.strip())
    return overrides


def check_fields(fields: Mapping[str, Any]) -> None:
    """Raise :class:`LimeError` for a configuration no transformer can have."""
    for name in INT_FIELDS:
        if fields[name] < 1:
            raise LimeError(f"model field {name} must be at least 1, got {fields[name]}")
    for name in ("dropout", "attention_dropout", "activation_dropout"):
        if not 0.0 <= fields[name] < 1.0:
            raise LimeError(f"model field {name} must be in [0, 1), got {fields[name]}")
    if fields["init_std"] <= 0:
        raise LimeError(f"model field init_std must be positive, got {fields['init_std']}")
    for side in ("encoder", "decoder"):
        heads = fields[f"{side}_attention_heads"]
        if fields["d_model"] % heads:
            raise LimeError(f"d_model {fields['d_model']} is not divisible by {side}_attention_heads {heads}")
    if fields["activation_function"] not in ACTIVATIONS:
        raise LimeError(f"activation_function {fields['activation_function']!r}: choose from {', '.join(ACTIVATIONS)}")


def resolve_model_preset(name: str, overrides: Sequence[str] = ()) -> tuple[dict[str, Any], ModelPreset]:
    """The model fields of preset ``name`` with ``--set`` overrides applied and checked."""
    if name not in MODEL_PRESETS:
        raise LimeError(f"--preset {name}: unknown model preset; choose from {', '.join(MODEL_PRESETS)}")
    preset = MODEL_PRESETS[name]
    fields = {**preset.fields, **parse_overrides(overrides)}
    check_fields(fields)
    return fields, preset
