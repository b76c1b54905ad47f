"""Building, saving and loading the encoder-decoder as a ``transformers`` BART model.

A run directory holds ``config.json`` + ``model.safetensors`` + the tokenizer files, so
``AutoModelForSeq2SeqLM.from_pretrained(RUN)`` and ``AutoTokenizer.from_pretrained(RUN)`` open it
with no code from this package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from transformers import BartConfig, BartForConditionalGeneration

from lime_reasoning.errors import LimeError
from lime_reasoning.modeling.vocabulary import BOS_ID, EOS_ID, PAD_ID

MODEL_FILES = ("config.json", "model.safetensors")


def quiet_transformers() -> None:
    """Silence load reports and progress bars: this package reports problems itself, in one line."""
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


def bart_config(fields: Mapping[str, Any], vocab_size: int) -> BartConfig:
    """A BART configuration with the fairseq special-token ids and shared embeddings."""
    return BartConfig(
        vocab_size=vocab_size,
        pad_token_id=PAD_ID,
        bos_token_id=BOS_ID,
        eos_token_id=EOS_ID,
        decoder_start_token_id=EOS_ID,
        forced_eos_token_id=EOS_ID,
        tie_word_embeddings=True,
        **fields,
    )


def build_model(config: BartConfig, seed: int) -> BartForConditionalGeneration:
    """A freshly initialised model; the same seed gives the same weights."""
    torch.manual_seed(seed)
    return BartForConditionalGeneration(config)


def check_run(directory: Path, with_tokenizer: bool = True) -> None:
    """Raise :class:`LimeError` unless ``directory`` holds a saved model (and tokenizer)."""
    if not directory.is_dir():
        raise LimeError(f"{directory}: no such model directory")
    for name in (*MODEL_FILES, "tokenizer.json") if with_tokenizer else MODEL_FILES:
        if not (directory / name).is_file():
            raise LimeError(f"{directory}: not a trained model (no {name})")
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise LimeError(f"{directory / 'config.json'}: not readable JSON ({error})") from None
    if not isinstance(config, dict) or config.get("model_type") != "bart":
        raise LimeError(f"{directory / 'config.json'}: not a BART model configuration (model_type must be 'bart')")


def load_model(directory: Path | str, with_tokenizer: bool = True) -> BartForConditionalGeneration:
    """The model saved in ``directory``; a damaged or foreign checkpoint is a :class:`LimeError`."""
    directory = Path(directory)
    check_run(directory, with_tokenizer)
    quiet_transformers()
    try:
        model, info = BartForConditionalGeneration.from_pretrained(str(directory), output_loading_info=True)
    except Exception as error:  # safetensors / transformers raise many types for a damaged file
        first_line = (str(error).strip().splitlines() or [""])[0]
        raise LimeError(f"{directory}: cannot load the model ({type(error).__name__}: {first_line})") from None
    problems = list(info.get("missing_keys", ())) + list(info.get("mismatched_keys", ())) + list(info.get("unexpected_keys", ()))
    if problems:
        raise LimeError(f"{directory}: the weights do not fit the configuration (first problem: {problems[0]})")
    return model


